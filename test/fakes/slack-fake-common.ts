/**
 * Pieces every Slack fake method handler uses: the handler signature, Slack-style error answers,
 * scope checks, channel access rules and Block Kit checks that Slack itself enforces.
 */
import { BOT_USER_ID } from './slack-fake-ids.ts';
import type { FakeChannel, Json, SlackState } from './slack-fake-state.ts';

export type Result = Json & { ok: boolean };

export interface Ctx {
  state: SlackState;
  scopes: ReadonlySet<string>;
}

export type Handler = (args: Json, ctx: Ctx) => Result;

export const fail = (error: string, extra: Json = {}): Result => ({ ok: false, error, ...extra });

/** Slack explains argument errors in response_metadata.messages, e.g. `[ERROR] … [json-pointer:/view]`. */
export const invalid = (error: string, messages: string[]): Result =>
  fail(error, { response_metadata: { messages } });

/** `missing_scope` (with `needed`/`provided`) unless the token has one of `anyOf`. */
export function needScope(ctx: Ctx, ...anyOf: string[]): Result | null {
  if (anyOf.some((s) => ctx.scopes.has(s))) return null;
  return fail('missing_scope', { needed: anyOf.join(','), provided: [...ctx.scopes].join(',') });
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Form bodies carry booleans as "true"/"1"; JSON bodies as booleans. */
export function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The channel as the bot sees it: unknown ids and private channels the bot is not in are both
 * `channel_not_found` (Slack does not reveal private channels).
 */
export function visibleChannel(ctx: Ctx, ref: unknown): FakeChannel | Result {
  const id = str(ref);
  const ch = id === undefined || id === '' ? undefined : ctx.state.findChannel(id);
  if (!ch) return fail('channel_not_found');
  if (ch.is_private && !ch.members.includes(BOT_USER_ID)) return fail('channel_not_found');
  return ch;
}

export const isResult = (v: FakeChannel | Result): v is Result => 'ok' in v;

/**
 * Checks Slack rejects before showing anything: an array of objects with a `type`, at most `max`
 * blocks (50 in messages, 100 in modals and Home tabs), unique block_ids of at most 255 characters.
 */
export function blockProblems(blocks: unknown, max: number, pointer: string): string[] {
  if (!Array.isArray(blocks)) return [`[ERROR] must be an array [json-pointer:${pointer}]`];
  const problems: string[] = [];
  if (blocks.length > max)
    problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${pointer}]`);
  const seen = new Set<string>();
  blocks.forEach((b, i) => {
    if (!isObject(b) || typeof b.type !== 'string') {
      problems.push(`[ERROR] missing required field: type [json-pointer:${pointer}/${i}]`);
      return;
    }
    if (b.block_id === undefined) return;
    const id = str(b.block_id) ?? '';
    if (id.length === 0 || id.length > 255) {
      problems.push(`[ERROR] block_id must be 1-255 characters [json-pointer:${pointer}/${i}/block_id]`);
    } else if (seen.has(id)) {
      problems.push(`[ERROR] duplicate block_id ${id} [json-pointer:${pointer}/${i}/block_id]`);
    }
    seen.add(id);
  });
  return problems;
}

/** Message content: Slack needs text, blocks or attachments (`no_text`), and valid blocks. */
export function messageContentError(args: Json): Result | null {
  const text = str(args.text);
  const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (!text && !hasBlocks && !hasAttachments) return fail('no_text');
  if (args.blocks !== undefined) {
    const problems = blockProblems(args.blocks, 50, '/blocks');
    if (problems.length > 0) return invalid('invalid_blocks', problems);
  }
  return null;
}
