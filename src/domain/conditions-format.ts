/**
 * Human renderings of a condition trace: one line for Slack status text and logs, an indented block
 * for `explain` and `dry-run`. Both show the value each clause saw, so "why didn't it fire?" is
 * answered by reading, not by guessing.
 */
import type { ClauseTrace, TraceNode } from './conditions.ts';
import { showActual, showExpected } from './conditions-values.ts';

const mark = (passed: boolean): string => (passed ? '✓' : '✗');

function clauseText(c: ClauseTrace): string {
  let text = `${c.path}=${showActual(c.actual, c.actual !== undefined)}`;
  if ('previous' in c) text += ` (was ${showActual(c.previous, c.previous !== undefined)})`;
  // Broken clauses carry a placeholder op like "(path)" and no expected value worth showing.
  if (c.op.startsWith('(')) return text;
  const expected =
    c.op === 'matches' && typeof c.expected === 'string' ? asRegex(c.expected) : showExpected(c.expected);
  return `${text} ${c.op} ${expected}`;
}

function asRegex(s: string): string {
  return s.startsWith('/') ? s : `/${s}/`;
}

const withNote = (c: ClauseTrace): string => (c.note ? ` — ${c.note}` : '');

function inline(t: TraceNode): string {
  switch (t.kind) {
    case 'clause':
      return t.clause
        ? `${clauseText(t.clause)} ${mark(t.passed)}${withNote(t.clause)}`
        : `? ${mark(t.passed)}`;
    case 'not':
      return `not(${(t.children ?? []).map(inline).join(' · ')}) ${mark(t.passed)}`;
    case 'any':
      return `any(${(t.children ?? []).map(inline).join(' | ')}) ${mark(t.passed)}`;
    case 'all':
      return `all(${(t.children ?? []).map(inline).join(' · ')}) ${mark(t.passed)}`;
  }
}

/** One line, e.g. `severity=P1 at_least P1 ✓ · service="checkout" in [checkout, payments] ✓`. */
export function formatTrace(t: TraceNode): string {
  // The root "all" is implicit in YAML, so it is implicit here too; nested levels are spelled out.
  if (t.kind === 'all') {
    const children = t.children ?? [];
    return children.length === 0 ? `(no conditions) ${mark(t.passed)}` : children.map(inline).join(' · ');
  }
  return inline(t);
}

/** Indented lines, two spaces per level, mark first so a failing branch is easy to spot. */
export function formatTraceLines(t: TraceNode): string[] {
  const lines: string[] = [];
  const walk = (n: TraceNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (n.kind === 'clause') {
      lines.push(
        n.clause
          ? `${pad}${mark(n.passed)} ${clauseText(n.clause)}${withNote(n.clause)}`
          : `${pad}${mark(n.passed)} ?`,
      );
      return;
    }
    const children = n.children ?? [];
    const label =
      n.kind === 'not' ? 'not:' : children.length === 0 ? `${n.kind} of: (empty)` : `${n.kind} of:`;
    lines.push(`${pad}${mark(n.passed)} ${label}`);
    for (const c of children) walk(c, depth + 1);
  };
  walk(t, 0);
  return lines;
}
