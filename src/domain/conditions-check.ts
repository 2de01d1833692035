/**
 * Static checks of a condition, run at load time so mistakes surface in `validate`, not at 3 a.m.:
 * bad paths, unknown operators, invalid regexes, non-severity literals for at_least/at_most, clauses
 * that can never hold, and change operators where no previous state exists. Works on unvalidated
 * data too (never throws), so the loader can call it before or after zod.
 */
import { OPERATORS } from './condition-schema.ts';
import { compileRegex } from './conditions-operators.ts';
import { isPlainObject, looseEqual, rankOf, showExpected } from './conditions-values.ts';
import { parsePath } from './paths.ts';

export interface ConditionProblem {
  /** The field path concerned, or the combinator/location when the problem is structural. */
  path: string;
  message: string;
  /** Location inside the condition (keys and list indexes), to map back to a YAML line. */
  at?: (string | number)[];
}

export interface ConditionProblemOptions {
  /**
   * False where there is never a previous state (step `if:`, approval `when:`, incident.created
   * triggers): changed/changed_from/changed_to are then reported, since they could never hold.
   */
  allowChanged?: boolean;
}

type Loc = (string | number)[];
const SCALAR_OPS = new Set(['equals', 'not_equals', 'changed_from', 'changed_to']);
const CHANGE_OPS = new Set(['changed', 'changed_from', 'changed_to']);

const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const locText = (at: Loc): string =>
  at
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .slice(1) || '(root)';

export function conditionProblems(c: unknown, opts: ConditionProblemOptions = {}): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  const add = (path: string, message: string, at: Loc): void => {
    problems.push({ path, message, at: [...at] });
  };

  const checkOperator = (path: string, op: string, v: unknown, at: Loc): void => {
    if (!(OPERATORS as readonly string[]).includes(op)) {
      return add(path, `unknown operator "${op}" (allowed: ${OPERATORS.join(', ')})`, at);
    }
    if (SCALAR_OPS.has(op) && !isScalar(v))
      add(path, `${op} takes one value (text, number, true/false or null)`, at);
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(v)) add(path, `${op} takes a list, e.g. [P0, P1]`, at);
      else if (v.length === 0)
        add(
          path,
          `${op}: [] is an empty list, so the clause is always ${op === 'in' ? 'false' : 'true'}`,
          at,
        );
    }
    if ((op === 'exists' || op === 'changed') && typeof v !== 'boolean')
      add(path, `${op} takes true or false`, at);
    if (op === 'matches') {
      const re = typeof v === 'string' ? compileRegex(v) : 'matches takes a regex as text';
      if (typeof re === 'string') add(path, `matches ${showExpected(v)}: ${re}`, at);
    }
    if ((op === 'at_least' || op === 'at_most') && rankOf(v) === undefined) {
      add(path, `${op} compares severities; ${showExpected(v)} is not one (allowed: P0, P1, P2, P3, P4)`, at);
    }
    if (CHANGE_OPS.has(op) && opts.allowChanged === false) {
      add(path, `${op} needs a previous value, which only incident.updated triggers have`, at);
    }
  };

  const checkClause = (path: string, ops: unknown, at: Loc): void => {
    try {
      parsePath(path);
    } catch (e) {
      return add(path, (e as Error).message, at);
    }
    if (!isPlainObject(ops) || Object.keys(ops).length === 0) {
      return add(path, `expected operators (${OPERATORS.join(', ')}), e.g. { equals: prod }`, at);
    }
    for (const [op, v] of Object.entries(ops)) if (v !== undefined) checkOperator(path, op, v, [...at, op]);
    // Combinations that can never hold are almost always a typo worth stopping at load time.
    const from = ops['changed_from'];
    const to = ops['changed_to'];
    if (from !== undefined && to !== undefined && looseEqual(from, to)) {
      add(path, `changed_from and changed_to are both ${showExpected(from)}, so the value never changed`, at);
    }
    const least = rankOf(ops['at_least']);
    const most = rankOf(ops['at_most']);
    if (least !== undefined && most !== undefined && least < most) {
      add(
        path,
        `at_least ${showExpected(ops['at_least'])} and at_most ${showExpected(ops['at_most'])} can never both hold`,
        at,
      );
    }
  };

  const walk = (node: unknown, at: Loc): void => {
    if (!isPlainObject(node)) return add(locText(at), 'a condition is a map of field path → operators', at);
    if (Object.keys(node).length === 0) add(locText(at), 'empty condition', at);
    for (const [key, value] of Object.entries(node)) {
      const here = [...at, key];
      if (key === 'all' || key === 'any') {
        if (!Array.isArray(value) || value.length === 0)
          add(key, `${key}: needs a non-empty list of conditions`, here);
        else value.forEach((v, i) => walk(v, [...here, i]));
      } else if (key === 'not') walk(value, here);
      else checkClause(key, value, here);
    }
  };

  walk(c, []);
  return problems;
}
