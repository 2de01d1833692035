/**
 * Finds every runtime input in a pasted Run-YAML (the Harness Run → YAML tab, an input set, a
 * pipeline or template). Works on the parsed document, with a LineCounter so each placeholder
 * and each error has a 1-based line/col within the pasted text.
 */
import { LineCounter, isMap, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Placeholder, RunYamlError } from './types.ts';
import { scanPlaceholder } from './modifier-scanner.ts';
import type { ScanResult } from './modifier-scanner.ts';
import { formatPath, hasWrapperRoot, scalarsUnder, walkValues } from './yaml-tree.ts';
import type { Segment } from './yaml-tree.ts';

export interface ParsedRunYaml {
  placeholders: Placeholder[];
  errors: RunYamlError[];
}

export function parseRunYaml(text: string): ParsedRunYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const at = (offset: number | undefined): { line: number; col: number } =>
    offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e): RunYamlError => {
      const { line, col } = at(e.pos[0]);
      const first = e.message.split('\n')[0] ?? e.message;
      return { message: `Run-YAML is not valid YAML: ${first}`, line, col };
    });
    return { placeholders: [], errors };
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    const { line, col } = at(doc.contents.range?.[0]);
    return {
      placeholders: [],
      errors: [
        {
          message:
            'Run-YAML must be a YAML mapping, e.g. "pipeline:" with the pipeline\'s runtime inputs (paste it from Harness Run → YAML)',
          line,
          col,
        },
      ],
    };
  }

  const placeholders: Placeholder[] = [];
  const errors: RunYamlError[] = [];
  const wrapper = hasWrapperRoot(doc);
  walkValues(
    doc.contents,
    ({ node, segments, parents }) => {
      if (typeof node.value !== 'string') return;
      const scan = scanPlaceholder(node.value);
      if (scan.kind === 'none') return;
      const path = formatPath(segments);
      const key = shortKey(scan, segments, parents);
      const { line, col } = at(node.range?.[0]);
      if (scan.kind === 'error') {
        errors.push({ message: `${path} (line ${line}, col ${col}): ${scan.message}`, key, path, line, col });
        return;
      }
      placeholders.push({
        key,
        path,
        ...(wrapper && segments.length >= 2 && typeof segments[1] === 'string'
          ? { pathWithoutRoot: formatPath(segments.slice(1)) }
          : {}),
        segments,
        raw: node.value,
        named: scan.named,
        modifiers: scan.modifiers,
        line,
        col,
      });
    },
    ({ node, segments }) => {
      // An alias would make one substitution change several fields at once: refuse it.
      const target = node.resolve(doc as Document);
      const hidden = scalarsUnder(target).some(
        (s) => typeof s.value === 'string' && scanPlaceholder(s.value).kind !== 'none',
      );
      if (!hidden) return;
      const path = formatPath(segments);
      const { line, col } = at(node.range?.[0]);
      errors.push({
        message: `${path} (line ${line}, col ${col}): YAML alias *${node.source} points at a runtime input; write the <+input> out at each place instead of sharing it through an anchor`,
        path,
        line,
        col,
      });
    },
  );
  return { placeholders, errors };
}

/**
 * `<+input.name>` → name; the `value` of an item in a `variables` list → that item's name (how
 * people name pipeline variables); otherwise the nearest field name (`environmentRef`).
 */
function shortKey(scan: Exclude<ScanResult, { kind: 'none' }>, segments: Segment[], parents: Node[]): string {
  if (scan.named && scan.name !== undefined) return scan.name;
  const n = segments.length;
  if (segments[n - 1] === 'value' && typeof segments[n - 2] === 'number' && segments[n - 3] === 'variables') {
    const item = parents[parents.length - 1];
    const name: unknown = isMap(item) ? item.get('name') : undefined;
    if ((typeof name === 'string' && name !== '') || typeof name === 'number') return String(name);
  }
  for (let i = n - 1; i >= 0; i--) {
    const s = segments[i];
    if (typeof s === 'string') return s;
  }
  return formatPath(segments);
}
