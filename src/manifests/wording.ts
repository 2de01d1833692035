/** Wording shared by all manifest messages: how values are shown, typo hints, unknown keys. */
import type { PathSegment } from './manifest-error.ts';

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return `unknown key "${key}"`;
  return `unknown key "${key}" (allowed: ${allowed.join(', ')})${didYouMean(key, allowed)}`;
}

/** `; did you mean "timeout"?` when one allowed word is a small typo away, else ''. */
export function didYouMean(word: string, allowed: readonly string[]): string {
  const w = word.toLowerCase();
  const close = allowed.find(
    (a) => editDistance(a.toLowerCase(), w) <= Math.min(2, Math.floor(a.length / 3) + 1),
  );
  return close === undefined ? '' : `; did you mean "${close}"?`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}
