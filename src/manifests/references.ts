/**
 * What a path in a condition or template may name, per place in a runbook, so a typo in
 * `{{ steps.rollbak.url }}` is found by `validate` and not at 3 a.m.
 *
 * Trigger `when:` is incident-relative (`severity`, `fields.region`, optionally `incident.`-prefixed).
 * Step `if:`, `access.approval.when` and step templates see a rooted namespace:
 * incident.*, inputs.*, steps.<earlier step>.*, run.*.
 */
import { INCIDENT_BASE_FIELDS } from '../domain/types.ts';
import { parsePath } from '../domain/paths.ts';
import type { IncidentType } from './schema.ts';
import { didYouMean } from './wording.ts';

export const STEP_RESULT_FIELDS = ['status', 'url', 'duration', 'execution_id', 'outputs', 'error'] as const;
export const RUN_FIELDS = ['id', 'requester', 'approver', 'trigger', 'runbook'] as const;
export type Root = 'incident' | 'inputs' | 'steps' | 'run';
export const ALL_ROOTS: readonly Root[] = ['incident', 'inputs', 'steps', 'run'];

/**
 * The runbook's incident type: null for `any` (base fields only); undefined when the named type does
 * not exist, which is reported once, so its custom fields are not reported again one by one.
 */
export type TypeContext = IncidentType | null | undefined;

export interface RefScope {
  incidentType: TypeContext;
  inputs: readonly string[];
  /** Every step id of the runbook, in order. */
  steps: readonly string[];
  /** Steps before this index have results; the one at it is the step being checked. */
  stepIndex: number;
  /** What the place sees: input defaults see `incident` only. */
  roots: readonly Root[];
  /** Words for messages: "step notify", "access.approval.when". */
  place: string;
}

const BASE: readonly string[] = INCIDENT_BASE_FIELDS;

/** A message when `path` is not a field of the incident (segments after `incident.`), else null. */
function checkIncidentField(
  segs: (string | number)[],
  type: TypeContext,
  shown: string,
  prefix: string,
): string | null {
  const [first, second, ...rest] = segs;
  const custom = type?.fields.map((f) => f.name) ?? [];
  const known = `base fields: ${BASE.join(', ')}; ${customList(type, prefix)}`;
  if (first === undefined) return `"${shown}" names no field (${known})`;
  if (first === 'fields') {
    if (type === undefined) return null;
    if (second === undefined)
      return `"${shown}" needs a field name: ${prefix}fields.<name> (${customList(type, prefix)})`;
    if (!custom.includes(String(second))) {
      const why = type
        ? `incident type ${type.id} has no field "${second}"`
        : `context.incidentType is any, so there are no custom fields; set it to an IncidentType id to use ${prefix}fields.*`;
      return type
        ? `unknown field "${shown}": ${why} (${customList(type, prefix)})${didYouMean(String(second), custom)}`
        : `unknown field "${shown}": ${why}`;
    }
    if (rest.some((s) => typeof s !== 'number'))
      return `"${shown}": a custom field has no sub-fields (only list indexes like [0])`;
    return null;
  }
  if (!BASE.includes(String(first)))
    return `unknown incident field "${shown}" (${known})${didYouMean(String(first), BASE)}`;
  if (second !== undefined)
    return `"${shown}": ${prefix}${String(first)} is a single value with no sub-fields`;
  return null;
}

function customList(type: TypeContext, prefix: string): string {
  if (type === undefined) return `${prefix}fields.<name> of the runbook's incident type`;
  if (type === null) return 'no custom fields with incidentType any';
  const names = type.fields.map((f) => `${prefix}fields.${f.name}`);
  return names.length > 0
    ? `custom fields: ${names.join(', ')}`
    : `incident type ${type.id} has no custom fields`;
}

function segmentsOf(path: string): (string | number)[] | string {
  try {
    return parsePath(path);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Trigger `when:` paths: `severity`, `fields.region`, or the same with `incident.` in front. */
export function checkTriggerPath(path: string, type: TypeContext): string | null {
  const segs = segmentsOf(path);
  if (typeof segs === 'string') return segs;
  if (segs[0] === 'incident') return checkIncidentField(segs.slice(1), type, path, 'incident.');
  if (segs[0] === 'steps' || segs[0] === 'inputs' || segs[0] === 'run') {
    return `"${path}": a trigger condition reads incident fields only (severity, fields.<name>…); ${segs[0]} do not exist before a run starts`;
  }
  return checkIncidentField(segs, type, path, '');
}

/** Paths in step `if:`, approval `when:`, templates and input defaults. */
export function checkScopedPath(path: string, scope: RefScope): string | null {
  const segs = segmentsOf(path);
  if (typeof segs === 'string') return segs;
  const [root, name, ...rest] = segs;
  if (!scope.roots.includes(root as Root)) {
    const allowed = scope.roots.map((r) => `${r}.*`).join(', ');
    const hint =
      scope.roots.includes('incident') && checkIncidentField(segs, scope.incidentType, path, '') === null
        ? `; did you mean "incident.${path}"?`
        : '';
    return `unknown name "${String(root)}" in "${path}": ${scope.place} can read ${allowed}${hint}`;
  }
  switch (root as Root) {
    case 'incident':
      return checkIncidentField(segs.slice(1), scope.incidentType, path, 'incident.');
    case 'inputs':
      if (name === undefined) return `"${path}" needs an input name (declared: ${list(scope.inputs)})`;
      if (!scope.inputs.includes(String(name))) {
        return `"${path}": no input "${name}" is declared (declared: ${list(scope.inputs)})${didYouMean(String(name), scope.inputs)}`;
      }
      return rest.length > 0 ? `"${path}": an input is a single value with no sub-fields` : null;
    case 'run':
      if (
        name === undefined ||
        !(RUN_FIELDS as readonly (string | number)[]).includes(name) ||
        rest.length > 0
      ) {
        return `"${path}" is not a run field (allowed: ${RUN_FIELDS.map((f) => `run.${f}`).join(', ')})`;
      }
      return null;
    case 'steps':
      return checkStepRef(path, String(name ?? ''), rest, scope);
  }
}

function checkStepRef(path: string, id: string, rest: (string | number)[], scope: RefScope): string | null {
  const earlier = scope.steps.slice(0, Math.max(0, scope.stepIndex));
  const available = `earlier steps: ${list(earlier)}`;
  const at = scope.steps.indexOf(id);
  if (id === '') return `"${path}" needs a step id (${available})`;
  if (at < 0)
    return `"${path}": no step "${id}" in this runbook (${available})${didYouMean(id, scope.steps)}`;
  if (at === scope.stepIndex)
    return `"${path}" refers to ${scope.place} itself; its results do not exist yet (${available})`;
  if (at > scope.stepIndex) {
    const when = scope.stepIndex < 0 ? 'before any step runs' : `before step "${id}" runs`;
    return `"${path}" refers to a later step: ${scope.place} is evaluated ${when} (${available})`;
  }
  const [field, sub] = rest;
  const fields = STEP_RESULT_FIELDS.map((f) => (f === 'outputs' ? 'outputs.<name>' : f)).join(', ');
  if (field === undefined || !(STEP_RESULT_FIELDS as readonly (string | number)[]).includes(field)) {
    return `"${path}" is not a step result (allowed: steps.${id}.{${fields}})`;
  }
  if (field === 'outputs' && sub === undefined)
    return `"${path}" needs an output name: steps.${id}.outputs.<name>`;
  if (field !== 'outputs' && sub !== undefined) return `"${path}": steps.${id}.${field} has no sub-fields`;
  return null;
}

function list(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : 'none';
}
