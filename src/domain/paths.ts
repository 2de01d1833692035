/**
 * Dotted field paths with optional list indexes: `severity`, `fields.region`, `steps.rollback.status`,
 * `incident.fields.tags[0]`. Shared by conditions and templates so both accept exactly the same
 * grammar as condition-schema.ts's FIELD_PATH (a path that validates there parses here).
 */
import { AppError } from '../errors.ts';

export type PathSegment = string | number;

const NAME = /^[A-Za-z_][\w-]*/;
const INDEX = /^\[(\d+)\]/;
const EXAMPLES = 'e.g. severity, fields.region, steps.rollback.status, fields.tags[0]';

// Paths come from manifests and are looked up on every evaluation; parse each distinct one once.
const cache = new Map<string, readonly PathSegment[]>();
const CACHE_LIMIT = 1000;

function invalid(path: string, why: string): AppError {
  return new AppError('INPUT_INVALID', `"${path}" is not a field path: ${why} (${EXAMPLES})`, {
    details: { path },
  });
}

/** Splits a path into names and list indexes. Throws AppError INPUT_INVALID when malformed. */
export function parsePath(path: string): PathSegment[] {
  if (typeof path !== 'string') throw invalid(String(path), 'expected text');
  const hit = cache.get(path);
  if (hit) return [...hit];

  const segments: PathSegment[] = [];
  let rest = path;
  let pos = 0;
  if (rest.length === 0) throw invalid(path, 'it is empty');
  while (rest.length > 0) {
    const expectName = segments.length === 0 || rest.startsWith('.');
    if (expectName) {
      if (segments.length > 0) {
        rest = rest.slice(1);
        pos += 1;
      }
      const m = NAME.exec(rest);
      if (!m) {
        const what =
          rest.length === 0 ? 'it ends with "."' : `unexpected "${rest[0]}" at position ${pos + 1}`;
        throw invalid(path, `${what}; each part starts with a letter or _`);
      }
      segments.push(m[0]);
      rest = rest.slice(m[0].length);
      pos += m[0].length;
      continue;
    }
    const idx = INDEX.exec(rest);
    if (!idx) throw invalid(path, `unexpected "${rest[0]}" at position ${pos + 1}; expected "." or [number]`);
    const n = Number(idx[1]);
    if (!Number.isSafeInteger(n)) throw invalid(path, `index ${idx[1]} is too large`);
    segments.push(n);
    rest = rest.slice(idx[0].length);
    pos += idx[0].length;
  }

  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(path, segments);
  return [...segments];
}

/** True when `path` parses; never throws. */
export function isValidPath(path: string): boolean {
  try {
    parsePath(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks a path up. `found` is false when any step is missing, when a name is used on a non-object or
 * an index on a non-list, or when a malformed path is given (lookups never throw). Only own properties
 * count, so `constructor` or `__proto__` never reach Object.prototype. A key holding `undefined` counts
 * as absent: YAML and JSON data have no undefined, so it can only mean "not set".
 */
export function getPath(obj: unknown, path: string): { found: boolean; value: unknown } {
  let segments: PathSegment[];
  try {
    segments = parsePath(path);
  } catch {
    return { found: false, value: undefined };
  }
  let cur: unknown = obj;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || seg >= cur.length) return { found: false, value: undefined };
      cur = cur[seg];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) {
        return { found: false, value: undefined };
      }
      cur = (cur as Record<string, unknown>)[seg];
    }
    if (cur === undefined) return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}
