/**
 * Conditions and `{{ }}` templates inside a runbook: their static problems (domain/conditions,
 * domain/templates) and whether every path they read exists where they are evaluated.
 */
import { conditionPaths, conditionProblems } from '../domain/conditions.ts';
import type { ConditionMap } from '../domain/conditions.ts';
import { isValidPath } from '../domain/paths.ts';
import { templateRefs } from '../domain/templates.ts';
import type { PathSegment } from './manifest-error.ts';
import type { Report } from './report.ts';
import { checkScopedPath } from './references.ts';
import type { RefScope } from './references.ts';
import { isRecord } from './schema-walk.ts';
import type { SourceDoc } from './yaml-source.ts';

type Doc = SourceDoc;

/** Static problems of the condition, then whether each path it reads exists at this place. */
export function checkCondition(
  doc: Doc,
  base: PathSegment[],
  cond: ConditionMap,
  check: (path: string) => string | null,
  allowChanged: boolean,
  report: Report,
): void {
  for (const p of conditionProblems(cond, { allowChanged })) {
    const at = p.at ?? [];
    const last = at[at.length - 1];
    // A problem about a clause points at its key; one about an operator points at the operator's value.
    const onKey =
      typeof last === 'string' && isRecord(valueAt(cond, at)) && !['all', 'any', 'not'].includes(last);
    report(doc, [...base, ...at], p.message, onKey ? 'key' : 'value');
  }
  for (const path of conditionPaths(cond)) {
    if (!isValidPath(path)) continue; // already reported by conditionProblems
    const message = check(path);
    if (message) report(doc, [...base, ...clauseLocation(cond, path)], message, 'key');
  }
}

/** Where a field path first appears as a clause key (conditionPaths gives each path once). */
function clauseLocation(node: unknown, path: string): PathSegment[] {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const inner = clauseLocation(node[i], path);
      if (inner.length > 0) return [i, ...inner];
    }
    return [];
  }
  if (!isRecord(node)) return [];
  for (const [key, value] of Object.entries(node)) {
    if (key === path) return [key];
    if (key === 'all' || key === 'any' || key === 'not') {
      const inner = clauseLocation(value, path);
      if (inner.length > 0) return [key, ...inner];
    }
  }
  return [];
}

export function checkTemplatesIn(
  doc: Doc,
  base: PathSegment[],
  value: unknown,
  skip: string[],
  scope: RefScope,
  report: Report,
): void {
  if (typeof value === 'string') return checkTemplate(doc, base, value, scope, report);
  if (Array.isArray(value))
    return value.forEach((v, i) => checkTemplatesIn(doc, [...base, i], v, [], scope, report));
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value))
      if (!skip.includes(k)) checkTemplatesIn(doc, [...base, k], v, [], scope, report);
  }
}

export function checkTemplate(
  doc: Doc,
  path: PathSegment[],
  text: string,
  scope: RefScope,
  report: Report,
): void {
  if (!text.includes('{{')) return;
  const { refs, errors } = templateRefs(text);
  for (const e of errors) report(doc, path, e);
  for (const ref of refs) {
    const message = checkScopedPath(ref.path, scope);
    if (message) report(doc, path, message, doc.locateInString(path, ref.start));
  }
}

function valueAt(root: unknown, at: PathSegment[]): unknown {
  let cur = root;
  for (const seg of at)
    cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[seg as string] : undefined;
  return cur;
}
