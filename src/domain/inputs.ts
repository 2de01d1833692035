/**
 * Runtime user inputs of a runbook (the modal's fields): defaults from incident templates, type
 * coercion and validation. Pure. Every problem is collected so the user sees them all at once.
 */
import type { RunbookInput } from '../manifests/schema.ts';
import { renderTemplate } from './templates.ts';

export type InputValue = string | number | boolean | null;
export interface InputProblem {
  input: string;
  message: string;
}

/** The default of each input, rendered against the incident (`{{ incident.environment }}`). */
export function inputDefaults(
  inputs: RunbookInput[],
  scope: Record<string, unknown>,
): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const def of inputs) {
    if (def.default === undefined) continue;
    if (typeof def.default !== 'string') {
      out[def.name] = def.default;
      continue;
    }
    const { text } = renderTemplate(def.default, scope);
    out[def.name] = text === '' ? null : text;
  }
  return out;
}

function coerce(def: RunbookInput, raw: unknown): { value?: InputValue; problem?: string } {
  if (raw === undefined || raw === null || raw === '') return { value: null };
  switch (def.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      return Number.isFinite(n) ? { value: n } : { problem: `must be a number, got "${String(raw)}"` };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const s = String(raw).trim().toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(s)) return { value: true };
      if (['false', 'no', 'off', '0'].includes(s)) return { value: false };
      return { problem: `must be true or false, got "${String(raw)}"` };
    }
    case 'select': {
      const s = String(raw);
      const options = def.options ?? [];
      return options.includes(s)
        ? { value: s }
        : { problem: `must be one of ${options.join(', ')}; got "${s}"` };
    }
    case 'user': {
      const s = String(raw).trim();
      const m = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(s);
      if (m) return { value: m[1]! };
      return /^[UW][A-Z0-9]{2,}$/.test(s)
        ? { value: s }
        : { problem: `must be a Slack user (U…), got "${s}"` };
    }
    default:
      return { value: typeof raw === 'string' ? raw : String(raw) };
  }
}

/**
 * Merges provided values over defaults, coerces them to the declared types and checks required
 * inputs. Unknown provided names are problems too (a typo in `--input enviroment=prod` must not pass).
 */
export function resolveInputs(
  defs: RunbookInput[],
  provided: Record<string, unknown>,
  scope: Record<string, unknown>,
): { values: Record<string, InputValue>; problems: InputProblem[] } {
  const defaults = inputDefaults(defs, scope);
  const values: Record<string, InputValue> = {};
  const problems: InputProblem[] = [];
  const known = new Set(defs.map((d) => d.name));
  for (const name of Object.keys(provided)) {
    if (!known.has(name)) {
      const allowed = defs.length ? defs.map((d) => d.name).join(', ') : 'none';
      problems.push({ input: name, message: `is not an input of this runbook (inputs: ${allowed})` });
    }
  }
  for (const def of defs) {
    const raw = Object.prototype.hasOwnProperty.call(provided, def.name)
      ? provided[def.name]
      : defaults[def.name];
    const { value, problem } = coerce(def, raw);
    if (problem) problems.push({ input: def.name, message: problem });
    else if ((value === null || value === undefined) && def.required)
      problems.push({ input: def.name, message: 'is required' });
    values[def.name] = value ?? null;
  }
  return { values, problems };
}

export function formatInputProblems(problems: InputProblem[]): string {
  return problems.map((p) => `• ${p.input} ${p.message}`).join('\n');
}
