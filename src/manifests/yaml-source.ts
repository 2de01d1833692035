/**
 * YAML with positions: splits a file into documents and answers "where is this path?" so that every
 * error can name a line and column. The data given to zod is plain JS (`toJS`); the YAML nodes are
 * kept only to locate things.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ManifestError, PathSegment } from './manifest-error.ts';

export interface Position {
  line: number;
  col: number;
}

export interface SourceDoc {
  file: string;
  /** 0-based index of the document in its file (`---` separated). */
  index: number;
  data: unknown;
  /**
   * Position of the node at `path`; with `key`, of the map key naming it (unknown keys are reported
   * there). A path that does not exist resolves to its deepest existing ancestor.
   */
  locate(path: readonly PathSegment[], target?: 'value' | 'key'): Position;
  /**
   * Maps a 1-based line/col inside a block scalar's content (`inputs: |`) to the file position, so
   * errors in pasted Run-YAML point into the manifest. Non-block strings map to the string's start.
   */
  locateInBlock(path: readonly PathSegment[], line: number, col: number): Position;
  /**
   * Position of the character at `offset` in the string at `path`, for errors about part of a
   * string (a `{{ }}` tag). Exact for single-line plain or quoted strings without escapes and for
   * block scalars; otherwise the string's start.
   */
  locateInString(path: readonly PathSegment[], offset: number): Position;
}

export interface ParsedFile {
  docs: SourceDoc[];
  errors: ManifestError[];
}

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const docs: SourceDoc[] = [];
  const errors: ManifestError[] = [];
  const pos = (offset: number): Position => lineCounter.linePos(offset);
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  // An EmptyStream (no documents at all) is not an array; nothing to load, nothing wrong.
  if (!Array.isArray(parsed)) return { docs, errors };

  parsed.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        errors.push({
          file,
          ...pos(e.pos[0]),
          path: '',
          message: `YAML syntax error: ${firstLine(e.message)}`,
        });
      }
      return;
    }
    if (doc.contents === null) return; // empty document (`---` with nothing, or only comments)
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const start = doc.contents.range?.[0] ?? 0;
      errors.push({ file, ...pos(start), path: '', message: `YAML error: ${(e as Error).message}` });
      return;
    }
    if (data === null || data === undefined) return;
    docs.push(makeSourceDoc(file, index, doc, data, text, pos));
  });
  return { docs, errors };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function makeSourceDoc(
  file: string,
  index: number,
  doc: Document.Parsed,
  data: unknown,
  text: string,
  pos: (offset: number) => Position,
): SourceDoc {
  const start = (
    n: { range?: [number, number, number] | null } | null | undefined,
    fallback: number,
  ): number => n?.range?.[0] ?? fallback;
  const docStart = start(doc.contents, 0);

  /** Walks as far as the path exists; returns the last node reached and the key node of the last step. */
  const walk = (path: readonly PathSegment[]) => {
    let node: unknown = doc.contents;
    let keyNode: unknown = null;
    let depth = 0;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown = undefined;
      let nextKey: unknown = null;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        );
        if (pair) {
          next = pair.value ?? pair.key;
          nextKey = pair.key;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined || next === null) break;
      node = next;
      keyNode = nextKey;
      depth++;
    }
    return { node: node as Node | null, keyNode: keyNode as Node | null, complete: depth === path.length };
  };

  const locateInBlock = (path: readonly PathSegment[], line: number, col: number): Position => {
    const { node, complete } = walk(path);
    const at = start(node, docStart);
    if (!complete || !isScalar(node) || (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED')) {
      return pos(at);
    }
    // Block content starts on the line after the `|` header and is indented by a fixed amount.
    const header = pos(at);
    const afterHeader = text.indexOf('\n', at);
    const rest = afterHeader < 0 ? '' : text.slice(afterHeader + 1);
    const firstContent = rest.split('\n').find((l) => l.trim() !== '') ?? '';
    const indent = firstContent.length - firstContent.trimStart().length;
    return { line: header.line + line, col: indent + col };
  };

  return {
    file,
    index,
    data,
    locateInBlock,
    locate(path, target = 'value') {
      const { node, keyNode, complete } = walk(path);
      const chosen = complete && target === 'key' && keyNode ? keyNode : node;
      return pos(start(chosen, docStart));
    },
    locateInString(path, offset) {
      const { node, complete } = walk(path);
      const at = start(node, docStart);
      if (!complete || !isScalar(node) || typeof node.value !== 'string') return pos(at);
      if (node.type === 'BLOCK_LITERAL') {
        const before = node.value.slice(0, offset).split('\n');
        return locateInBlock(path, before.length, (before[before.length - 1] ?? '').length + 1);
      }
      const source = text.slice(at, node.range?.[1] ?? at);
      // Only when the source text is the value itself (plus quotes) do offsets carry over.
      const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
      if (
        node.type === 'BLOCK_FOLDED' ||
        source.includes('\n') ||
        source.slice(quote, source.length - quote) !== node.value
      )
        return pos(at);
      return pos(at + quote + offset);
    },
  };
}
