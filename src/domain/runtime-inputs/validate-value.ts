/**
 * Checks a value against a placeholder's modifiers before anything is sent to Harness, with
 * Harness's own semantics: `.allowedValues` / `.selectOneFrom` membership, `.selectManyFrom` for
 * every element, `.regex` as a full match (Java `matches()`), and a required value present.
 */
import type { Placeholder } from './types.ts';
import { anchored, listIsDynamic } from './modifier-scanner.ts';

/** Returns the error text, or null when the value is acceptable. */
export function validateValue(p: Placeholder, value: string | string[] | null | undefined): string | null {
  const name = `runtime input "${p.key}"`;
  const m = p.modifiers;
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return `${name} needs a value${describeRules(p)}`;
  }
  if (Array.isArray(value) && m.selectManyFrom === undefined) {
    return `${name} takes one value, got a list of ${value.length}; only .selectManyFrom() inputs take several${describeRules(p)}`;
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return `${name} needs at least one value${describeRules(p)}`;
  if (items.some((v) => typeof v !== 'string' || v.trim() === ''))
    return `${name} has an empty value in its list${describeRules(p)}`;

  // An expression (`<+pipeline.variables.x>`) is resolved by Harness later; it validates it then.
  const concrete = items.filter((v) => !v.includes('<+'));
  for (const [label, list] of lists(p)) {
    if (listIsDynamic(list)) continue;
    const bad = concrete.filter((v) => !list.includes(v));
    if (bad.length === 0) continue;
    const allowed = list.join(', ');
    return items.length > 1 || label === 'selectManyFrom'
      ? `every value of ${name} must be one of: ${allowed} (not allowed: ${bad.map(q).join(', ')})`
      : `${name} must be one of: ${allowed} (got ${q(bad[0] ?? '')})`;
  }
  if (m.regex !== undefined) {
    const re = new RegExp(anchored(m.regex));
    const bad = concrete.filter((v) => !re.test(v));
    if (bad.length > 0) return `${name} must match the regex ${m.regex} (got ${bad.map(q).join(', ')})`;
  }
  return null;
}

function lists(p: Placeholder): [string, string[]][] {
  const m = p.modifiers;
  const out: [string, string[]][] = [];
  if (m.allowedValues) out.push(['allowedValues', m.allowedValues]);
  if (m.selectOneFrom) out.push(['selectOneFrom', m.selectOneFrom]);
  if (m.selectManyFrom) out.push(['selectManyFrom', m.selectManyFrom]);
  return out;
}

/** "; allowed: a, b" / "; it must match ^v\d+$" — so a missing-value error says what would do. */
export function describeRules(p: Placeholder): string {
  const parts: string[] = [];
  for (const [label, list] of lists(p))
    parts.push(`${label === 'selectManyFrom' ? 'one or more of' : 'allowed'}: ${list.join(', ')}`);
  if (p.modifiers.regex !== undefined) parts.push(`it must match the regex ${p.modifiers.regex}`);
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

function q(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
