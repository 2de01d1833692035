/**
 * One function per operator of the condition language. Each returns pass/fail plus an optional note
 * that explain/dry-run show next to the clause, so an author sees *why* a clause failed (a missing
 * field reads differently from a wrong value). Nothing here throws.
 */
import { OPERATORS } from './condition-schema.ts';
import { isUnset, looseEqual, matchText, rankOf } from './conditions-values.ts';

export interface Lookup {
  found: boolean;
  value: unknown;
}
export interface OpResult {
  passed: boolean;
  note?: string;
}

export const NOT_AN_UPDATE = 'no previous value (not an update)';
const NOT_SET = 'field not set';

// ---- regexes: compiled once per pattern, errors kept as text so evaluation never throws ----
const regexCache = new Map<string, RegExp | string>();
const SLASHED = /^\/(.*)\/([a-z]*)$/s;

/**
 * `matches: ^pay` is a plain JS regex; `matches: /^pay/i` adds flags. `g` and `y` are refused
 * because they make RegExp.test stateful between calls.
 */
export function compileRegex(pattern: string): RegExp | string {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) return hit;
  let result: RegExp | string;
  const slashed = SLASHED.exec(pattern);
  const source = slashed ? (slashed[1] ?? '') : pattern;
  const flags = slashed ? (slashed[2] ?? '') : '';
  if (/[gy]/.test(flags)) result = `flags g and y are not allowed (allowed: i, m, s, u)`;
  else {
    try {
      result = new RegExp(source, flags);
    } catch (e) {
      result = `invalid regex: ${(e as Error).message}`;
    }
  }
  if (regexCache.size >= 500) regexCache.clear();
  regexCache.set(pattern, result);
  return result;
}

function equalsOp(expected: unknown, cur: Lookup): OpResult {
  const actual = cur.found ? cur.value : undefined;
  const passed = looseEqual(actual, expected);
  if (!passed && Array.isArray(actual) && !Array.isArray(expected)) {
    return { passed, note: 'value is a list; equals compares the whole list (use in: for membership)' };
  }
  return !cur.found && !isUnset(expected) ? { passed, note: NOT_SET } : { passed };
}

function inOp(expected: unknown, cur: Lookup): OpResult {
  if (!Array.isArray(expected)) return { passed: false, note: 'in/not_in need a list, e.g. [P0, P1]' };
  const actual = cur.found ? cur.value : undefined;
  // A list value (multi-select field) is "in" when any of its elements is.
  const candidates = Array.isArray(actual) ? actual : [actual];
  const passed = candidates.some((a) => expected.some((e) => looseEqual(a, e)));
  if (!cur.found) return { passed, note: NOT_SET };
  if (Array.isArray(actual) && actual.length === 0) return { passed, note: 'value is an empty list' };
  return { passed };
}

function matchesOp(expected: unknown, cur: Lookup): OpResult {
  if (typeof expected !== 'string') return { passed: false, note: 'matches needs a regex as text' };
  const re = compileRegex(expected);
  if (typeof re === 'string') return { passed: false, note: re };
  if (!cur.found || cur.value === null) return { passed: false, note: NOT_SET };
  const items = Array.isArray(cur.value) ? cur.value : [cur.value];
  const texts = items.map(matchText);
  if (texts.some((t) => t === undefined)) return { passed: false, note: 'value is not text' };
  return { passed: texts.some((t) => re.test(t as string)) };
}

/** Present means set to something: not absent, null, '' or an empty list. */
function isPresent(cur: Lookup): boolean {
  if (!cur.found || cur.value === null || cur.value === '') return false;
  return !(Array.isArray(cur.value) && cur.value.length === 0);
}

function severityOp(op: 'at_least' | 'at_most', expected: unknown, cur: Lookup): OpResult {
  const want = rankOf(expected);
  if (want === undefined) return { passed: false, note: `${String(expected)} is not a severity (P0–P4)` };
  if (!cur.found || cur.value === null) return { passed: false, note: NOT_SET };
  const have = rankOf(cur.value);
  if (have === undefined) return { passed: false, note: 'value is not a severity (P0–P4)' };
  // P0 is the most severe: "at least P1" means rank 0 or 1.
  return { passed: op === 'at_least' ? have <= want : have >= want };
}

function changedOp(
  op: 'changed' | 'changed_from' | 'changed_to',
  expected: unknown,
  cur: Lookup,
  prev: Lookup | null,
): OpResult {
  if (!prev) return { passed: false, note: NOT_AN_UPDATE };
  const now = cur.found ? cur.value : undefined;
  const before = prev.found ? prev.value : undefined;
  const changed = !looseEqual(before, now);
  if (op === 'changed') {
    if (typeof expected !== 'boolean') return { passed: false, note: 'changed takes true or false' };
    return { passed: changed === expected };
  }
  if (!changed) return { passed: false, note: 'value did not change' };
  return { passed: looseEqual(op === 'changed_from' ? before : now, expected) };
}

/** Applies one operator. `prev` is null when there is no previous state (not an update). */
export function applyOperator(op: string, expected: unknown, cur: Lookup, prev: Lookup | null): OpResult {
  switch (op) {
    case 'equals':
      return equalsOp(expected, cur);
    case 'not_equals': {
      const r = equalsOp(expected, cur);
      return { ...r, passed: !r.passed };
    }
    case 'in':
      return inOp(expected, cur);
    case 'not_in': {
      const r = inOp(expected, cur);
      return Array.isArray(expected) ? { ...r, passed: !r.passed } : r;
    }
    case 'matches':
      return matchesOp(expected, cur);
    case 'exists':
      if (typeof expected !== 'boolean') return { passed: false, note: 'exists takes true or false' };
      return { passed: isPresent(cur) === expected };
    case 'at_least':
    case 'at_most':
      return severityOp(op, expected, cur);
    case 'changed':
    case 'changed_from':
    case 'changed_to':
      return changedOp(op, expected, cur, prev);
    default:
      return { passed: false, note: `unknown operator "${op}" (allowed: ${OPERATORS.join(', ')})` };
  }
}
