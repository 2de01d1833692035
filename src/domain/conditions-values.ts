/**
 * Value comparison for the condition language, written for YAML authors rather than for JavaScript:
 * `equals: true` matches the text "true", `equals: 5` matches "5", and severities ignore case
 * (`p1` is `P1`). Other text compares case-sensitively, as service names and regions do.
 */
import { severityRank } from './types.ts';

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SEVERITY_LIKE = /^p[0-4]$/i;

export function isSeverityText(v: unknown): v is string {
  return typeof v === 'string' && SEVERITY_LIKE.test(v.trim());
}

/** Severity rank of a value (P0 = 0), or undefined when the value is not a severity. */
export function rankOf(v: unknown): number | undefined {
  return typeof v === 'string' ? severityRank(v.trim()) : undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Absent and null are the same thing to an author: "not set". */
export function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

function scalarEqual(a: string | number | boolean, b: string | number | boolean): boolean {
  if (typeof a === typeof b) {
    if (a === b) return true;
    return isSeverityText(a) && isSeverityText(b) && a.trim().toUpperCase() === b.trim().toUpperCase();
  }
  if (typeof a === 'string') return scalarEqual(b, a);
  // Now `a` is a number or boolean and the pair has different types.
  if (typeof b !== 'string') return false; // number vs boolean: never equal (true is not 1)
  const t = b.trim();
  if (typeof a === 'boolean') return t.toLowerCase() === String(a);
  return NUMERIC.test(t) && Number(t) === a;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Loose equality used by equals/in/changed*: scalars compare across types as above, lists compare
 * element by element, plain objects key by key; absent and null are equal to each other only.
 */
export function looseEqual(a: unknown, b: unknown): boolean {
  if (isUnset(a) || isUnset(b)) return isUnset(a) && isUnset(b);
  if (isScalar(a) && isScalar(b)) return scalarEqual(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => looseEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b as object, k) && looseEqual((a as never)[k], (b as never)[k]));
  }
  return false;
}

/** Text a regex is tested against; undefined for values that have no sensible text form. */
export function matchText(v: unknown): string | undefined {
  return isScalar(v) ? String(v) : undefined;
}

/** Short rendering of a value for traces: text quoted (except severities), lists in brackets. */
export function showActual(v: unknown, found: boolean): string {
  if (!found) return '(not set)';
  if (v === null) return 'null';
  if (isSeverityText(v)) return v;
  if (typeof v === 'string') return JSON.stringify(truncate(v));
  if (Array.isArray(v)) return `[${v.map((x) => showActual(x, x !== undefined)).join(', ')}]`;
  return truncate(safeJson(v));
}

/** Rendering of an expected literal the way the author wrote it in YAML: bare unless ambiguous. */
export function showExpected(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(showExpected).join(', ')}]`;
  if (typeof v === 'string') {
    const bare = v !== '' && !/[,[\]\s"]/.test(v) && v.trim() === v;
    return bare ? truncate(v) : JSON.stringify(truncate(v));
  }
  if (v === undefined) return '(nothing)';
  return truncate(safeJson(v));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

// Traces end up in Slack messages and CLI output; a 4 KB summary must not flood them.
const MAX_SHOWN = 80;
function truncate(s: string): string {
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
}
