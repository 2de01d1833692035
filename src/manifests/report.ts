/** Small helpers shared by the cross-checks to turn "this path in this document" into a ManifestError. */
import { formatPath } from './manifest-error.ts';
import type { ManifestError, PathSegment } from './manifest-error.ts';
import type { Position, SourceDoc } from './yaml-source.ts';

/** `at`: the node at `path` (default), its key, or a position found otherwise (inside a string). */
export type Report = (
  doc: SourceDoc,
  path: readonly PathSegment[],
  message: string,
  at?: 'value' | 'key' | Position,
) => void;

export function reporter(errors: ManifestError[]): Report {
  return (doc, path, message, at = 'value') => {
    const pos = typeof at === 'string' ? doc.locate(path, at) : at;
    errors.push({ file: doc.file, line: pos.line, col: pos.col, path: formatPath(path), message });
  };
}

/** `manifests/a.yaml:3:5`, to name the other place in duplicate errors. */
export function where(
  doc: SourceDoc,
  path: readonly PathSegment[],
  target: 'value' | 'key' = 'value',
): string {
  const p = doc.locate(path, target);
  return `${doc.file}:${p.line}:${p.col}`;
}
