/**
 * Parsing of single incident values from what people type (Slack commands, modals, the API) into
 * what is stored. Pure. Every failure is a sentence naming the field, the bad value and what is
 * allowed, because it is shown as-is to the person who typed it.
 */
import type { CustomField } from '../manifests/schema.ts';
import type { FieldValue } from '../domain/types.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

// Slack user ids: U… or W… (Enterprise Grid). Mentions arrive as <@U123> or <@U123|name>.
const USER_ID = /^[UW][A-Z0-9]+$/;
const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;
export const USER_ALLOWED = 'a mention like @alice or a Slack user id like U012ABCDEF';

const TRUE_WORDS = new Set(['true', 'yes']);
const FALSE_WORDS = new Set(['false', 'no']);
export const BOOLEAN_ALLOWED = 'true, false, yes, no';

/** Quotes a value for an error message, short enough to read and safe whatever its type. */
export function quote(raw: unknown): string {
  if (typeof raw === 'string') {
    const s = raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
    return JSON.stringify(s);
  }
  if (raw === null || raw === undefined) return String(raw);
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return `a ${Array.isArray(raw) ? 'list' : typeof raw}`;
}

/** Empty means "unset": undefined, null, or only whitespace. */
export function isEmpty(raw: unknown): boolean {
  return (
    raw === undefined ||
    raw === null ||
    (typeof raw === 'string' && raw.trim() === '') ||
    (Array.isArray(raw) && raw.length === 0)
  );
}

export function parseUser(label: string, raw: unknown): Parsed<string> {
  const s = typeof raw === 'string' ? raw.trim() : '';
  const id = USER_ID.test(s) ? s : USER_MENTION.exec(s)?.[1];
  return id ? ok(id) : fail(`${label} ${quote(raw)} is not a Slack user; allowed: ${USER_ALLOWED}`);
}

/** Free text: trimmed, between min and max characters. */
export function parseText(label: string, raw: unknown, max: number): Parsed<string> {
  if (typeof raw !== 'string' && typeof raw !== 'number')
    return fail(`${label} must be text, not ${quote(raw)}; allowed: 1 to ${max} characters`);
  const s = String(raw).trim();
  if (s.length === 0) return fail(`${label} is empty; allowed: 1 to ${max} characters`);
  if (s.length > max) return fail(`${label} is ${s.length} characters long; allowed: 1 to ${max} characters`);
  return ok(s);
}

function optionsText(field: CustomField): string {
  return (field.options ?? []).join(', ');
}

/** Finds an option ignoring case, returning the option as the manifest spells it. */
function matchOption(field: CustomField, raw: string): string | undefined {
  const want = raw.trim().toLowerCase();
  return (field.options ?? []).find((o) => o.toLowerCase() === want);
}

const MAX_TEXT = 500;

/** One custom field value; the caller has already handled "empty" (unset). */
export function parseFieldValue(field: CustomField, raw: unknown): Parsed<FieldValue> {
  const name = field.name;
  switch (field.type) {
    case 'select': {
      if (!field.options?.length) return parseText(name, raw, MAX_TEXT);
      const hit =
        typeof raw === 'string' || typeof raw === 'number' ? matchOption(field, String(raw)) : undefined;
      return hit !== undefined
        ? ok(hit)
        : fail(`${name} ${quote(raw)} is not an option; allowed: ${optionsText(field)}`);
    }
    case 'multiselect': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
      if (!items)
        return fail(`${name} ${quote(raw)} is not a list of options; allowed: ${optionsText(field)}`);
      const words = items.map((i) => (typeof i === 'string' ? i.trim() : i)).filter((i) => !isEmpty(i));
      const chosen = new Set<string>();
      for (const w of words) {
        const hit = typeof w === 'string' && field.options?.length ? matchOption(field, w) : undefined;
        const value = field.options?.length ? hit : typeof w === 'string' ? w : undefined;
        if (value === undefined)
          return fail(
            `${name} ${quote(w)} is not an option; allowed: ${optionsText(field)} (several separated by commas)`,
          );
        chosen.add(value);
      }
      // Stored in the manifest's option order so that the same choice always compares equal.
      const order = field.options ?? [...chosen];
      return ok(order.filter((o) => chosen.has(o)));
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      const w = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (TRUE_WORDS.has(w)) return ok(true);
      if (FALSE_WORDS.has(w)) return ok(false);
      return fail(`${name} ${quote(raw)} is not a yes/no value; allowed: ${BOOLEAN_ALLOWED}`);
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
      return Number.isFinite(n)
        ? ok(n)
        : fail(`${name} ${quote(raw)} is not a number; allowed: a number such as 3 or 2.5`);
    }
    case 'user':
      return parseUser(name, raw);
    case 'text':
      return parseText(name, raw, MAX_TEXT);
  }
}

/** What a custom field accepts, for "is required" messages. */
export function allowedText(field: CustomField): string {
  switch (field.type) {
    case 'select':
      return field.options?.length ? optionsText(field) : `text up to ${MAX_TEXT} characters`;
    case 'multiselect':
      return `${optionsText(field)} (several separated by commas)`;
    case 'boolean':
      return BOOLEAN_ALLOWED;
    case 'number':
      return 'a number';
    case 'user':
      return USER_ALLOWED;
    case 'text':
      return `text up to ${MAX_TEXT} characters`;
  }
}
