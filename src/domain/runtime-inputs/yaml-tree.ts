/**
 * Walking the parsed Run-YAML. parseRunYaml and renderRunYaml both visit value scalars through
 * this one walker, so a placeholder's path means the same node in both.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Alias, Document, Node, Scalar } from 'yaml';

export type Segment = string | number;

export interface ScalarVisit {
  node: Scalar;
  segments: Segment[];
  /** collections from the root down to the one holding this scalar */
  parents: Node[];
}

export interface AliasVisit {
  node: Alias;
  segments: Segment[];
}

/** Visits every scalar in value position (map keys are never runtime inputs). */
export function walkValues(
  root: unknown,
  onScalar: (v: ScalarVisit) => void,
  onAlias?: (v: AliasVisit) => void,
): void {
  const go = (node: unknown, segments: Segment[], parents: Node[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) go(pair.value, [...segments, keySegment(pair.key)], [...parents, node]);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => go(item, [...segments, i], [...parents, node]));
    } else if (isScalar(node)) {
      onScalar({ node, segments, parents });
    } else if (isAlias(node)) {
      onAlias?.({ node, segments });
    } else if (isPair(node)) {
      // a `? key : value` pair as a sequence item (only in exotic YAML): treat like a one-entry map
      go(node.value, [...segments, keySegment(node.key)], parents);
    }
  };
  go(root, [], []);
}

function keySegment(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}

const SIMPLE = /^[A-Za-z_$][\w$-]*$/;

/** `pipeline.stages[0].stage.spec`; keys that are not plain names are written `["a.b"]`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (SIMPLE.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** A document whose root is a map with one key (pipeline:, template:, inputSet:, freeze: …). */
export function hasWrapperRoot(doc: Document): boolean {
  return isMap(doc.contents) && doc.contents.items.length === 1;
}

/** Every scalar under a node, following nothing else (used to see what an alias points at). */
export function scalarsUnder(node: unknown): Scalar[] {
  const out: Scalar[] = [];
  walkValues(node, (v) => out.push(v.node));
  return out;
}
