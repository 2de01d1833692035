/**
 * Pure: turns Slack messages (text + Block Kit, as the loopback Slack stand-in stored them) into the
 * plain-text lines a person would read in the channel. Used by `npm run demo` to print the channel,
 * and by the README's example. Buttons can be numbered so the interactive demo can "click" them.
 */
type Json = Record<string, unknown>;

export interface RenderedVersion {
  text: string;
  blocks?: Json[];
  at: number;
}

export interface RenderedMessage {
  ts: string;
  text: string;
  blocks?: Json[];
  user: string;
  history: RenderedVersion[];
  replies: RenderedMessage[];
}

export interface RenderOptions {
  /** Slack user id → display name, so `<@U111>` reads as `@alice`. */
  users?: Record<string, string>;
  /** Called for each button; its return (e.g. a number) is shown in front of the label. */
  button?: (button: Json) => string | undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const textOf = (t: unknown): string => (t && typeof t === 'object' ? str((t as Json).text) : str(t));

/** Slack's mrkdwn escapes and links as a reader sees them. */
export function plainMrkdwn(s: string, users: Record<string, string> = {}): string {
  return s
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${users[id] ?? id}`)
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, (_m, name: string) => `#${name}`)
    .replace(/<#([A-Z0-9]+)>/g, (_m, id: string) => `#${id}`)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, (_m, fallback: string) => fallback)
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => `${label} (${url})`)
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function buttonLabel(el: Json, opts: RenderOptions): string {
  const n = opts.button?.(el);
  return `[${n ? `${n} ` : ''}${textOf(el.text)}]`;
}

/** One block → its lines (empty for blocks a reader does not see). */
function blockLines(b: Json, opts: RenderOptions): string[] {
  const md = (s: string) => plainMrkdwn(s, opts.users);
  switch (b.type) {
    case 'header':
      return [`▌ ${textOf(b.text)}`];
    case 'section': {
      const out = md(textOf(b.text)).split('\n');
      for (const f of (b.fields as Json[] | undefined) ?? []) out.push(...md(textOf(f)).split('\n'));
      const acc = b.accessory as Json | undefined;
      if (acc?.type === 'button') out.push(buttonLabel(acc, opts));
      return out.filter((l) => l.length > 0);
    }
    case 'context':
      return [
        ((b.elements as Json[] | undefined) ?? [])
          .map((e) => (e.type === 'image' ? '' : md(textOf(e))))
          .filter(Boolean)
          .join(' · '),
      ];
    case 'actions':
      return [
        ((b.elements as Json[] | undefined) ?? [])
          .map((e) => (e.type === 'button' ? buttonLabel(e, opts) : `[${textOf(e.placeholder) || e.type}]`))
          .join(' '),
      ];
    case 'divider':
      return ['────────'];
    case 'rich_text':
      return [
        md(
          JSON.stringify(b.elements ?? '')
            .replace(/"[^"]*":|[{}[\]"]/g, ' ')
            .trim(),
        ),
      ];
    default:
      return [];
  }
}

/** The lines of one message version: its blocks when it has any, else its text. */
export function messageLines(v: { text: string; blocks?: Json[] }, opts: RenderOptions = {}): string[] {
  const blocks = v.blocks ?? [];
  const lines = blocks.length ? blocks.flatMap((b) => blockLines(b, opts)) : [];
  return lines.length ? lines : plainMrkdwn(v.text, opts.users).split('\n');
}

/** `HH:MM:SS` (UTC) of a Slack ts or of epoch milliseconds. */
export function clockTime(tsOrMs: string | number): string {
  const ms = typeof tsOrMs === 'string' ? Math.round(Number(tsOrMs) * 1000) : tsOrMs;
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * A whole channel: each root message as first posted, then each in-place update as the lines that
 * changed (a reader sees the message change under their eyes), then the final version when it was
 * updated, then its thread.
 */
export function renderChannel(
  title: string,
  messages: RenderedMessage[],
  opts: RenderOptions = {},
): string[] {
  const out = [`━━━ ${title} ━━━`];
  const indent = (pad: string, lines: string[]) => lines.map((l) => `${pad}${l}`);
  for (const m of messages) {
    const name = opts.users?.[m.user] ?? m.user;
    const [first, ...updates] = m.history.length ? m.history : [{ text: m.text, blocks: m.blocks, at: 0 }];
    out.push('', `[${clockTime(m.ts)}] ${name}`);
    // Buttons are numbered only on the version on screen now: older versions cannot be clicked.
    const seen: RenderOptions = { ...(opts.users ? { users: opts.users } : {}) };
    let prev = messageLines(first!, updates.length ? seen : opts);
    out.push(...indent('  │ ', prev));
    for (const [i, u] of updates.entries()) {
      const last = i === updates.length - 1;
      const lines = messageLines(u, last ? opts : seen);
      const changed = lines.filter((l) => !prev.includes(l));
      if (last) {
        out.push(`  ✎ ${clockTime(u.at)} edited — now reads:`, ...indent('  │ ', lines));
      } else if (changed.length) {
        out.push(`  ✎ ${clockTime(u.at)} edited: ${changed.join(' ¦ ')}`);
      }
      prev = lines;
    }
    if (m.replies.length)
      out.push(`  ↳ thread (${m.replies.length} ${m.replies.length === 1 ? 'reply' : 'replies'})`);
    for (const r of m.replies) {
      const lines = messageLines(r, opts);
      out.push(`    [${clockTime(r.ts)}] ${lines[0] ?? ''}`, ...indent('               ', lines.slice(1)));
    }
  }
  return out;
}
