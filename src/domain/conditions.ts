/**
 * Evaluation of the condition language (shape: condition-schema.ts) used by trigger `when:`, step
 * `if:` and `access.approval.when:`. Pure data in, boolean plus a trace out: the trace lists every
 * clause with the value it saw, so `explain` and `dry-run` can say exactly why a runbook did or did
 * not fire. Every clause is evaluated even after one fails, so the trace is complete.
 */
import type { ConditionMap } from './condition-schema.ts';
import { applyOperator } from './conditions-operators.ts';
import type { Lookup } from './conditions-operators.ts';
import { isPlainObject } from './conditions-values.ts';
import { getPath, parsePath } from './paths.ts';

export { conditionProblems } from './conditions-check.ts';
export type { ConditionProblem, ConditionProblemOptions } from './conditions-check.ts';
export { formatTrace, formatTraceLines } from './conditions-format.ts';
export type { ConditionMap } from './condition-schema.ts';

/** What paths resolve against. The caller decides the root (incident fields, `steps`, `inputs`…). */
export interface ConditionContext {
  current: Record<string, unknown>;
  /** State before the change, on incident.updated only; absent means "not an update". */
  previous?: Record<string, unknown>;
}

export interface ClauseTrace {
  path: string;
  op: string;
  expected: unknown;
  actual: unknown; // undefined when the field is not set
  previous?: unknown; // changed* only, when there is a previous state
  passed: boolean;
  note?: string;
}

export interface TraceNode {
  kind: 'all' | 'any' | 'not' | 'clause';
  passed: boolean;
  children?: TraceNode[];
  clause?: ClauseTrace;
}

const COMBINATORS = new Set(['all', 'any', 'not']);
const CHANGE_OPS = new Set(['changed', 'changed_from', 'changed_to']);

function brokenNode(path: string, op: string, note: string): TraceNode {
  const clause: ClauseTrace = { path, op, expected: undefined, actual: undefined, passed: false, note };
  return { kind: 'clause', passed: false, clause };
}

function lookup(root: unknown, path: string): Lookup {
  const r = getPath(root, path);
  return r.found ? r : { found: false, value: undefined };
}

function clauseNodes(path: string, ops: unknown, ctx: ConditionContext): TraceNode[] {
  try {
    parsePath(path);
  } catch (e) {
    return [brokenNode(path, '(path)', (e as Error).message)];
  }
  if (!isPlainObject(ops) || Object.keys(ops).length === 0) {
    return [brokenNode(path, '(operators)', 'expected operators, e.g. { equals: prod } or { in: [P0, P1] }')];
  }
  const cur = lookup(ctx.current, path);
  const prev = ctx.previous ? lookup(ctx.previous, path) : null;
  const nodes: TraceNode[] = [];
  for (const [op, expected] of Object.entries(ops)) {
    if (expected === undefined) continue; // an unset optional key, as zod leaves them
    const r = applyOperator(op, expected, cur, prev);
    const clause: ClauseTrace = {
      path,
      op,
      expected,
      actual: cur.found ? cur.value : undefined,
      passed: r.passed,
    };
    if (CHANGE_OPS.has(op) && prev) clause.previous = prev.found ? prev.value : undefined;
    if (r.note !== undefined) clause.note = r.note;
    nodes.push({ kind: 'clause', passed: r.passed, clause });
  }
  return nodes;
}

function listNode(kind: 'all' | 'any', list: unknown, ctx: ConditionContext): TraceNode {
  if (!Array.isArray(list)) return brokenNode(kind, '(list)', `${kind}: needs a list of conditions`);
  const children = list.map((c) => evaluateNode(c, ctx));
  const passed = kind === 'all' ? children.every((n) => n.passed) : children.some((n) => n.passed);
  return { kind, passed, children };
}

function evaluateNode(c: unknown, ctx: ConditionContext): TraceNode {
  if (!isPlainObject(c))
    return brokenNode('(condition)', '(map)', 'a condition is a map of field path → operators');
  const children: TraceNode[] = [];
  for (const [key, value] of Object.entries(c)) {
    if (value === undefined) continue;
    if (key === 'all' || key === 'any') children.push(listNode(key, value, ctx));
    else if (key === 'not') {
      const inner = evaluateNode(value, ctx);
      children.push({ kind: 'not', passed: !inner.passed, children: [inner] });
    } else children.push(...clauseNodes(key, value, ctx));
  }
  // A map with one entry is just that entry; an extra "all" level would only add noise to traces.
  if (children.length === 1 && children[0]) return children[0];
  return { kind: 'all', passed: children.every((n) => n.passed), children };
}

/** Evaluates a condition (an implicit all of its entries). Never throws; broken parts fail with a note. */
export function evaluateCondition(
  c: ConditionMap,
  ctx: ConditionContext,
): { passed: boolean; trace: TraceNode } {
  const safeCtx: ConditionContext = isPlainObject(ctx) ? ctx : { current: {} };
  const trace = evaluateNode(c, safeCtx);
  return { passed: trace.passed, trace };
}

/** Every field path the condition reads, once each in order of appearance, for load-time checks. */
export function conditionPaths(c: ConditionMap): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (COMBINATORS.has(key)) walk(value);
      else if (!out.includes(key)) out.push(key);
    }
  };
  walk(c);
  return out;
}
