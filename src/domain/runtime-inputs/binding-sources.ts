/**
 * Where bound values come from: `{from: incident.<field>}` (custom fields as
 * `incident.fields.<name>`), `{input: <name>}` (the user's modal values) and `{value: literal}`.
 * Checked at load time (is the reference valid?) and read at run time (what is the value?).
 */
import { INCIDENT_BASE_FIELDS } from '../types.ts';
import type { BindingSpec } from '../../manifests/schema.ts';

const CUSTOM = /^incident\.fields\.([A-Za-z_][\w-]*)$/;
const BASE = /^incident\.([A-Za-z_]\w*)$/;
const FROM_HELP = `${INCIDENT_BASE_FIELDS.map((f) => `incident.${f}`).join(', ')}, or incident.fields.<name>`;

export interface SourceNames {
  /** runbook `inputs[].name`; when given, `{input: x}` must name one of them */
  inputs?: readonly string[];
  /** custom field names of the runbook's incident type; when given, `incident.fields.x` must be one */
  customFields?: readonly string[];
}

/** Load-time check of a binding's reference. Returns the error text or null. */
export function checkBinding(b: BindingSpec, names: SourceNames = {}): string | null {
  if ('from' in b) {
    const custom = CUSTOM.exec(b.from);
    if (custom?.[1] !== undefined) {
      if (names.customFields && !names.customFields.includes(custom[1])) {
        const known =
          names.customFields.length > 0
            ? names.customFields.join(', ')
            : 'none — the incident type defines no custom fields';
        return `bind from "${b.from}": the incident type has no custom field "${custom[1]}"; known: ${known}`;
      }
      return null;
    }
    const base = BASE.exec(b.from);
    if (base?.[1] !== undefined && (INCIDENT_BASE_FIELDS as readonly string[]).includes(base[1])) return null;
    return `bind from "${b.from}" is not an incident field; use one of: ${FROM_HELP}`;
  }
  if ('input' in b) {
    if (names.inputs && !names.inputs.includes(b.input)) {
      const known =
        names.inputs.length > 0 ? names.inputs.join(', ') : 'none — the runbook declares no inputs';
      return `bind input "${b.input}" is not a runbook input; declared inputs: ${known}`;
    }
    return null;
  }
  return null;
}

/** Human label of where a binding reads from: `incident.service`, `input environment`, `value`. */
export function describeBinding(b: BindingSpec): string {
  if ('from' in b) return b.from;
  if ('input' in b) return `input ${b.input}`;
  return 'value';
}

/** Run time: the raw value a binding points at (undefined when absent). */
export function readBinding(
  b: BindingSpec,
  source: { incident: Record<string, unknown>; inputs: Record<string, unknown> },
): unknown {
  if ('value' in b) return b.value;
  if ('input' in b) return own(source.inputs, b.input);
  const custom = CUSTOM.exec(b.from);
  if (custom?.[1] !== undefined) {
    const fields = own(source.incident, 'fields');
    return fields !== null && typeof fields === 'object'
      ? own(fields as Record<string, unknown>, custom[1])
      : undefined;
  }
  const base = BASE.exec(b.from);
  return base?.[1] !== undefined ? own(source.incident, base[1]) : undefined;
}

/**
 * Harness runtime-input values are strings: numbers and booleans become their text; a list is
 * accepted only for `.selectManyFrom()`. Objects are refused rather than stringified.
 */
export function toInputValue(
  raw: unknown,
  many: boolean,
): { value: string | string[] | null } | { error: string } {
  if (raw === null || raw === undefined) return { value: null };
  if (Array.isArray(raw)) {
    if (!many)
      return { error: `is a list (${raw.length} items); only .selectManyFrom() inputs take several values` };
    const out: string[] = [];
    for (const item of raw) {
      const one = scalarText(item);
      if (one === null)
        return {
          error: `has a list item of type ${typeName(item)}; list items must be text, numbers or booleans`,
        };
      out.push(one);
    }
    return { value: out };
  }
  const text = scalarText(raw);
  if (text === null)
    return { error: `is of type ${typeName(raw)}; runtime inputs take text, numbers or booleans` };
  return { value: many ? [text] : text };
}

function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** Own properties only: a binding like `input: constructor` must not reach Object.prototype. */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}
