/**
 * The error every manifest problem becomes: where (file, 1-based line and column of the offending YAML
 * node, and the path inside the document) and what, in words a runbook author understands.
 */
export interface ManifestError {
  file: string;
  line: number;
  col: number;
  /** `steps[0].with.bind.service`; empty when the whole document or file is meant. */
  path: string;
  message: string;
}

export type PathSegment = string | number;

// Keys that read unambiguously after a dot; anything else (condition keys like `fields.region`) is quoted.
const PLAIN_KEY = /^[A-Za-z_][\w-]*$/;

/** `['steps', 0, 'with', 'bind', 'service']` -> `steps[0].with.bind.service`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** `manifests/rollback.yaml:12:7 steps[0].with.bind.service: <message>` */
export function formatManifestError(e: ManifestError): string {
  const where = `${e.file}:${e.line}:${e.col}`;
  return e.path === '' ? `${where} ${e.message}` : `${where} ${e.path}: ${e.message}`;
}

/** Stable order for reports: by file, then position. */
export function compareManifestErrors(a: ManifestError, b: ManifestError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}
