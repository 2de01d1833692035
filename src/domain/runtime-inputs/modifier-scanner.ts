/**
 * Reads one YAML scalar value and decides whether it is a Harness runtime input.
 *
 * Grammar (harness-schema): `^<\+input>((\.)((executionInput\(\))|(allowedValues|selectOneFrom|
 * selectManyFrom|default|regex)\(.+?\)))*$`. A single regex cannot get the arguments right:
 * `.default(new york)` has a space, `.default(https://x.example.com)` has a colon, and `.regex(…)`
 * has parentheses of its own. So this is a small hand-written scanner that balances parentheses
 * (ignoring them inside `\'…\'` / `\"…\"`, and inside regex escapes and character classes).
 *
 * Harness treats every string that *starts* with `<+input>` as a runtime input, so a value like
 * `<+input>.foo(x)` or `<+input> and text` is reported as malformed rather than passed through:
 * sending it would make Harness ask for (or reject) it at run time.
 */
import type { InputModifiers } from './types.ts';
import { isDynamicItem, splitListArg, unquoteEscaped } from './arg-lists.ts';

export const MODIFIER_NAMES = [
  'default',
  'allowedValues',
  'selectOneFrom',
  'selectManyFrom',
  'regex',
  'executionInput',
] as const;
type ModifierName = (typeof MODIFIER_NAMES)[number];

const MODIFIER_HELP =
  '.default(x), .allowedValues(a,b), .selectOneFrom(a,b), .selectManyFrom(a,b), .regex(re), .executionInput()';
const BARE = '<+input>';
const NAMED = /^<\+input\.([A-Za-z_][\w-]*)>/;

export type ScanResult =
  | { kind: 'none' }
  | { kind: 'placeholder'; named: boolean; name?: string; modifiers: InputModifiers }
  | { kind: 'error'; named: boolean; name?: string; message: string };

/** Is this scalar a runtime input (bare, with modifiers, or `<+input.name>`), and what does it say? */
export function scanPlaceholder(value: string): ScanResult {
  if (value.startsWith(BARE)) return scanModifiers(value, BARE.length, false);
  if (!value.startsWith('<+input.')) return { kind: 'none' };
  const m = NAMED.exec(value);
  if (!m || m[1] === undefined) {
    return {
      kind: 'error',
      named: true,
      message: `"${clip(value)}" is not a runtime input: a named input is <+input.name> (letters, digits, _ or -), e.g. <+input.service>`,
    };
  }
  return scanModifiers(value, m[0].length, true, m[1]);
}

function scanModifiers(value: string, from: number, named: boolean, name?: string): ScanResult {
  const modifiers: InputModifiers = { executionInput: false };
  const seen = new Set<ModifierName>();
  const fail = (message: string): ScanResult => ({
    kind: 'error',
    named,
    ...(name === undefined ? {} : { name }),
    message,
  });
  let pos = from;
  while (pos < value.length) {
    if (value[pos] !== '.') {
      return fail(
        `unexpected "${clip(value.slice(pos))}" after "${clip(value.slice(0, pos))}" in runtime input "${clip(value)}"; modifiers are ${MODIFIER_HELP}`,
      );
    }
    const nameMatch = /^[A-Za-z]*/.exec(value.slice(pos + 1));
    const mod = nameMatch?.[0] ?? '';
    if (!isModifierName(mod)) {
      return fail(
        `unknown modifier ".${clip(mod || value.slice(pos + 1))}" in runtime input "${clip(value)}"; allowed: ${MODIFIER_HELP}`,
      );
    }
    if (seen.has(mod)) return fail(`modifier .${mod}() appears twice in runtime input "${clip(value)}"`);
    seen.add(mod);
    const open = pos + 1 + mod.length;
    if (value[open] !== '(') return fail(`.${mod} must be followed by "(" in runtime input "${clip(value)}"`);
    const arg = scanArgument(value, open + 1, mod === 'regex');
    if (arg === null)
      return fail(`unclosed "(" after .${mod} in runtime input "${clip(value)}": add the matching ")"`);
    const problem = applyModifier(modifiers, mod, arg.text);
    if (problem) return fail(`${problem} in runtime input "${clip(value)}"`);
    pos = arg.end;
  }
  return { kind: 'placeholder', named, ...(name === undefined ? {} : { name }), modifiers };
}

function applyModifier(m: InputModifiers, mod: ModifierName, arg: string): string | null {
  if (mod === 'executionInput') {
    if (arg !== '') return `.executionInput() takes no argument, got "${clip(arg)}"`;
    m.executionInput = true;
    return null;
  }
  if (arg.trim() === '')
    return `.${mod}() needs a value, e.g. .${mod}(${mod === 'regex' ? '^v[0-9]+$' : mod === 'default' ? 'prod' : 'dev,prod'})`;
  if (mod === 'default') {
    m.default = unquoteEscaped(arg);
    return null;
  }
  if (mod === 'regex') {
    try {
      new RegExp(anchored(arg));
    } catch (e) {
      return `.regex(${clip(arg)}) is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`;
    }
    m.regex = arg;
    return null;
  }
  // `jexl(...)` is one dynamic list that Harness evaluates; never split it on its commas.
  const items = arg.trim().startsWith('jexl(') ? [arg.trim()] : splitListArg(arg).filter((s) => s !== '');
  if (items.length === 0) return `.${mod}() needs at least one value`;
  m[mod] = items;
  return null;
}

/**
 * Scans from just after "(" to its matching ")". Returns the text between them and the index
 * after ")", or null when unclosed. In regex mode a backslash escapes the next character and
 * `[...]` is a character class (parentheses inside count for nothing); elsewhere `\'…\'` and
 * `\"…\"` are Harness's escaped quotes and protect their content.
 */
export function scanArgument(
  s: string,
  start: number,
  regexMode: boolean,
): { text: string; end: number } | null {
  let depth = 1;
  let quote: string | null = null;
  let inClass = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (regexMode) {
      if (c === '\\') {
        i++;
        continue;
      }
      if (inClass) {
        if (c === ']') inClass = false;
        continue;
      }
      if (c === '[') {
        inClass = true;
        if (s[i + 1] === '^') i++;
        if (s[i + 1] === ']') i++; // a leading ] is a literal member of the class
        continue;
      }
    } else if (c === '\\' && (s[i + 1] === "'" || s[i + 1] === '"')) {
      const q = s[i + 1] as string;
      if (quote === null) quote = q;
      else if (quote === q) quote = null;
      i++;
      continue;
    }
    if (quote !== null) continue;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { text: s.slice(start, i), end: i + 1 };
  }
  return null;
}

/** Harness (Java `matches()`) checks the whole value, so the pattern is anchored at both ends. */
export function anchored(regex: string): string {
  return `^(?:${regex})$`;
}

export function listIsDynamic(items: readonly string[]): boolean {
  return items.some(isDynamicItem);
}

function isModifierName(s: string): s is ModifierName {
  return (MODIFIER_NAMES as readonly string[]).includes(s);
}

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
