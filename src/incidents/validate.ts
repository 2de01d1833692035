/**
 * Turns declare input and patches into valid incident data, or one INPUT_INVALID error listing
 * every problem (each naming the field and what is allowed). Pure: the catalog is passed in.
 * Unknown keys in the input objects are ignored here; the API layer validates its own bodies.
 */
import { AppError } from '../errors.ts';
import type { FieldValue } from '../domain/types.ts';
import type { Catalog, CustomField, IncidentType } from '../manifests/schema.ts';
import type { IncidentRecord } from '../store/index.ts';
import type { NewIncident } from '../store/incidents.ts';
import type { DeclareInput, IncidentPatch } from './types.ts';
import { allowedText, isEmpty, parseFieldValue, parseText, parseUser, quote, type Parsed } from './values.ts';
import { optional, parseChannel, parseName, parseSeverity, parseStatus } from './base-values.ts';

export const ANY_TYPE = 'any';
export const SUMMARY_MAX = 150;
/** Room for an Alertmanager group key with its route path (longer keys are hashed by the API). */
export const EXTERNAL_ID_MAX = 500;
/** Base fields `set <field> <value>` may change; severity, status and commander have their own commands. */
export const SETTABLE_BASE_FIELDS = ['summary', 'service', 'environment'] as const;

export interface Problem {
  /** `severity`, `summary`… or `fields.<name>` for a custom field. */
  field: string;
  message: string;
}

/** One error for all problems; `details.fields` maps each field to its message (for modal errors). */
export function invalid(problems: Problem[]): AppError {
  const message =
    problems.length === 1
      ? problems[0]!.message
      : `The incident is not valid:\n${problems.map((p) => `- ${p.message}`).join('\n')}`;
  const fields = Object.fromEntries(problems.map((p) => [p.field, p.message]));
  return new AppError('INPUT_INVALID', message, { details: { fields, problems } });
}

/** `null` for "any" and for a type the catalog no longer has (the caller decides if that matters). */
export function incidentTypeOf(catalog: Catalog, id: string): IncidentType | null {
  return id === ANY_TYPE ? null : (catalog.incidentTypes.get(id) ?? null);
}

function knownTypes(catalog: Catalog): string {
  return [ANY_TYPE, ...catalog.incidentTypes.keys()].join(', ');
}

/** Collects problems instead of throwing at the first, so one answer lists everything to fix. */
class Collector {
  problems: Problem[] = [];
  take<T>(field: string, r: Parsed<T>): T | undefined {
    if (r.ok) return r.value;
    this.problems.push({ field, message: r.error });
    return undefined;
  }
  add(field: string, message: string) {
    this.problems.push({ field, message });
  }
  throwIfAny() {
    if (this.problems.length) throw invalid(this.problems);
  }
}

function requiredMessage(field: CustomField, typeId: string): string {
  return `${field.name} is required for incident type ${typeId}; allowed: ${allowedText(field)}`;
}

/** Merges raw custom values into `base`, validated against the type's fields. */
function mergeFields(
  c: Collector,
  type: IncidentType | null,
  typeId: string,
  raw: unknown,
  base: Record<string, FieldValue>,
): Record<string, FieldValue> {
  const out = { ...base };
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    c.add('fields', `fields must be an object of field names and values, not ${quote(raw)}`);
    return out;
  }
  const defs = type?.fields ?? [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const name = key.trim().toLowerCase();
    const field = defs.find((f) => f.name === name);
    if (!field) {
      c.add(
        `fields.${name}`,
        defs.length
          ? `field ${quote(key)} is not a field of incident type ${typeId}; allowed: ${defs.map((f) => f.name).join(', ')}`
          : `field ${quote(key)} cannot be set: incident type ${typeId} has no custom fields`,
      );
      continue;
    }
    if (isEmpty(value)) {
      if (field.required) c.add(`fields.${name}`, requiredMessage(field, typeId));
      else delete out[name];
      continue;
    }
    const parsed = c.take(`fields.${name}`, parseFieldValue(field, value));
    if (parsed !== undefined) out[name] = parsed;
  }
  return out;
}

export function validateDeclare(input: DeclareInput, catalog: Catalog): NewIncident {
  const c = new Collector();
  const inp = (input ?? {}) as Partial<Record<keyof DeclareInput, unknown>>;
  const summary = c.take('summary', parseText('summary', inp.summary, SUMMARY_MAX));
  const severity = c.take('severity', parseSeverity(inp.severity));
  const service = c.take('service', optional(inp.service, parseName('service')));
  const environment = c.take('environment', optional(inp.environment, parseName('environment')));
  const commander = c.take(
    'commander',
    optional(inp.commander, (r) => parseUser('commander', r)),
  );
  const channel = c.take('channel', optional(inp.channel, parseChannel));
  const externalId = c.take(
    'externalId',
    optional(inp.externalId, (r) => parseText('externalId', r, EXTERNAL_ID_MAX)),
  );

  // Strictly a boolean: a string "false" taken as truthy would hide a real incident as a test.
  const test = inp.test;
  if (test !== undefined && test !== null && typeof test !== 'boolean')
    c.add(
      'test',
      `test must be true or false, not ${quote(test)}; allowed: true (a test incident), false or left out`,
    );

  const typeId = isEmpty(inp.type) ? ANY_TYPE : String(inp.type).trim().toLowerCase();
  const type = incidentTypeOf(catalog, typeId);
  let fields: Record<string, FieldValue> = {};
  if (typeId !== ANY_TYPE && !type) {
    c.add('type', `type ${quote(inp.type)} is not an incident type; allowed: ${knownTypes(catalog)}`);
  } else {
    fields = mergeFields(c, type, typeId, inp.fields, {});
    for (const f of type?.fields ?? []) {
      const alreadyReported = c.problems.some((p) => p.field === `fields.${f.name}`);
      if (f.required && fields[f.name] === undefined && !alreadyReported)
        c.add(`fields.${f.name}`, requiredMessage(f, typeId));
    }
  }
  c.throwIfAny();
  return {
    summary: summary!,
    severity: severity!,
    status: 'investigating',
    service: service ?? null,
    environment: environment ?? null,
    type: typeId,
    commander: commander ?? null,
    channel: channel ?? null,
    fields,
    // Only when given, so incidents declared without one keep their exact timeline snapshot.
    ...(externalId ? { externalId } : {}),
    ...(test === true ? { test: true } : {}),
  };
}

/** The incident as it would be after the patch (not yet written). */
export function applyPatch(current: IncidentRecord, patch: IncidentPatch, catalog: Catalog): IncidentRecord {
  const c = new Collector();
  const p = (patch ?? {}) as Partial<Record<keyof IncidentPatch, unknown>>;
  const next: IncidentRecord = { ...current, fields: { ...current.fields } };
  const has = (k: keyof IncidentPatch) => p[k] !== undefined;

  const assign = <K extends keyof IncidentPatch & keyof IncidentRecord>(
    k: K,
    r: Parsed<IncidentRecord[K]>,
  ) => {
    if (r.ok) next[k] = r.value;
    else c.add(k, r.error);
  };
  if (has('summary')) assign('summary', parseText('summary', p.summary, SUMMARY_MAX));
  if (has('severity')) assign('severity', parseSeverity(p.severity));
  if (has('status')) assign('status', parseStatus(p.status));
  if (has('service')) assign('service', optional(p.service, parseName('service')));
  if (has('environment')) assign('environment', optional(p.environment, parseName('environment')));
  if (has('commander'))
    assign(
      'commander',
      optional(p.commander, (r) => parseUser('commander', r)),
    );
  if (has('channel')) assign('channel', optional(p.channel, parseChannel));

  if (has('fields')) {
    const type = incidentTypeOf(catalog, current.type);
    if (current.type !== ANY_TYPE && !type) {
      c.add(
        'fields',
        `incident type ${current.type} of ${current.id} is no longer defined, so its fields cannot be changed (defined: ${knownTypes(catalog)})`,
      );
    } else {
      next.fields = mergeFields(c, type, current.type, p.fields, next.fields);
    }
  }
  c.throwIfAny();
  return next;
}

/** `set <name> <raw>`: a base field from SETTABLE_BASE_FIELDS or a custom field of the incident's type. */
export function patchForSetField(
  current: IncidentRecord,
  name: string,
  raw: string,
  catalog: Catalog,
): IncidentPatch {
  const key = String(name ?? '')
    .trim()
    .toLowerCase();
  const custom = key.startsWith('fields.') ? key.slice('fields.'.length) : key;
  if (!key.startsWith('fields.') && (SETTABLE_BASE_FIELDS as readonly string[]).includes(key)) {
    return { [key]: raw };
  }
  const defs = incidentTypeOf(catalog, current.type)?.fields ?? [];
  if (defs.some((f) => f.name === custom)) return { fields: { [custom]: raw } };
  const settable = [...SETTABLE_BASE_FIELDS, ...defs.map((f) => f.name)].join(', ');
  const own = ['severity', 'status', 'commander'].includes(key) ? ` (${key} has its own command)` : '';
  throw invalid([
    {
      field: key || 'field',
      message: `${quote(name)} is not a field you can set on ${current.id}${own}; settable fields: ${settable}`,
    },
  ]);
}
