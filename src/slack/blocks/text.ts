/**
 * Text helpers for Block Kit: everything a user or a manifest author typed goes through these
 * before it lands in a payload, so it can neither break the layout (length limits, blank text)
 * nor ping a channel (`<!channel>` in an incident summary).
 */

/** Slack counts characters; JS counts UTF-16 units, which is never fewer, so limits stay safe. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates (invalid UTF-16, which JSON would send as garbage) with U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * At most `max` characters; a cut string ends with "…". Never splits a surrogate pair, so an emoji
 * at the cut disappears whole instead of becoming a broken character.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return '…';
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Slack mrkdwn control characters are only & < >; escaping them also defuses <!channel> and <@U…>.
 * Broken UTF-16 is repaired on the way, since everything escaped is about to be sent.
 */
export function escapeMrkdwn(s: string): string {
  return wellFormed(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Truncates mrkdwn that we assembled (escaped user text plus our own `<url|label>` links) without
 * leaving half an entity (`&am…`) or half a link (`<https://…`) behind.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = truncate(text, max).slice(0, -1);
  const amp = head.lastIndexOf('&');
  if (amp >= 0 && !head.slice(amp).includes(';')) head = head.slice(0, amp);
  const open = head.lastIndexOf('<');
  if (open >= 0 && !head.slice(open).includes('>')) head = head.slice(0, open);
  return `${head}…`;
}

/** User text for mrkdwn: well-formed, escaped, truncated, never blank. */
export function md(s: unknown, max: number, fallback = '—'): string {
  return truncateMrkdwn(escapeMrkdwn(nonBlank(s, fallback)), max);
}

/** User text for plain_text: well-formed, truncated, never blank. */
export function plain(s: unknown, max: number, fallback = '—'): string {
  return truncate(nonBlank(s, fallback), max);
}

/** For one-line places (options, buttons, titles, headers): whitespace runs become one space. */
export function oneLine(s: unknown): string {
  return textOf(s).replace(/\s+/g, ' ').trim();
}

/** Slack rejects empty (and whitespace-only) text objects: fall back to something visible. */
export function nonBlank(s: unknown, fallback = '—'): string {
  const t = textOf(s);
  return t.trim() === '' ? fallback : t;
}

/** Any value as display text (lists joined, objects as JSON), always a well-formed string. */
export function textOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return wellFormed(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(textOf).join(', ');
  try {
    return wellFormed(JSON.stringify(v) ?? '');
  } catch {
    return '[unprintable]';
  }
}

/** A Slack user mention for ids that look like one; anything else is shown escaped. */
export function userMention(id: string | null | undefined): string {
  if (!id) return 'someone';
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : escapeMrkdwn(truncate(oneLine(id), 80));
}

/** A link in mrkdwn; only http(s) urls without `|<>` in them, else the label alone. */
export function link(url: string | null | undefined, label: string): string {
  if (!url || !isSafeUrl(url)) return label;
  return `<${url}|${label}>`;
}

export function isSafeUrl(url: string): boolean {
  // Printable ASCII only: Harness links are, and anything else is more likely an injection.
  return url.length <= 3000 && /^https?:\/\/[\x21-\x7e]+$/.test(url) && !/[<>|]/.test(url);
}

/**
 * Joins lines into one mrkdwn text of at most `max` characters; lines that do not fit are replaced
 * by a "+N more" line, so the reader knows something is missing.
 */
export function joinLines(lines: string[], max: number, noun = 'more'): string {
  const more = (n: number): string => `_+${n} ${noun}_`;
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sep = out.length > 0 ? 1 : 0;
    const last = i === lines.length - 1;
    // Keep room for the "+N more" line that would replace everything after this one.
    const room = max - used - sep - (last ? 0 : more(lines.length - i - 1).length + 1);
    if (line.length <= room || room >= 40) {
      const kept = line.length <= room ? line : truncateMrkdwn(line, room);
      out.push(kept);
      used += sep + kept.length;
      continue;
    }
    out.push(more(lines.length - i));
    break;
  }
  return truncateMrkdwn(out.join('\n'), max);
}

/**
 * First letter up for a message shown under a field ("summary is empty" → "Summary is empty"),
 * but never for an identifier (`customer_facing`, `replicas2`), which must stay as written.
 */
export function sentence(s: string): string {
  const first = /^\S+/.exec(s)?.[0] ?? '';
  return /^[a-z]+$/.test(first) ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}
