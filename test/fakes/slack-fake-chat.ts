/**
 * chat.postMessage, chat.update and chat.postEphemeral for the Slack fake. Answers follow the Web
 * API docs: postMessage → `{ok, channel, ts, message}`, update → `{ok, channel, ts, text, message}`,
 * postEphemeral → `{ok, message_ts}`.
 */
import {
  fail,
  isObject,
  isResult,
  messageContentError,
  needScope,
  str,
  visibleChannel,
} from './slack-fake-common.ts';
import type { Handler, Result } from './slack-fake-common.ts';
import { APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID } from './slack-fake-ids.ts';
import type { FakeMessage, Json } from './slack-fake-state.ts';

/** The message object Slack returns (and shows in conversations.history). */
export function slackMessage(m: FakeMessage): Json {
  const root = m.thread_ts === undefined || m.thread_ts === m.ts;
  return {
    type: 'message',
    text: m.text,
    user: m.user,
    bot_id: m.bot_id,
    app_id: APP_ID,
    team: TEAM_ID,
    ts: m.ts,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.attachments ? { attachments: m.attachments } : {}),
    ...(m.thread_ts !== undefined ? { thread_ts: m.thread_ts } : {}),
    ...(!root ? { parent_user_id: BOT_USER_ID } : {}),
    ...(root && m.replies.length > 0 ? { reply_count: m.replies.length } : {}),
  };
}

const blocksOf = (v: unknown): Json[] | undefined => (Array.isArray(v) ? (v as Json[]) : undefined);

const postMessage: Handler = (args, ctx) => {
  const denied = needScope(ctx, 'chat:write');
  if (denied) return denied;
  const ref = str(args.channel) ?? '';
  // A user id as channel posts in the bot's DM with that user.
  const found = ctx.state.users.has(ref) ? ctx.state.dmWith(ref) : visibleChannel(ctx, ref);
  if (isResult(found)) return found;
  if (!found.members.includes(BOT_USER_ID)) {
    const noPublic = needScope(ctx, 'chat:write.public');
    if (noPublic) return fail('not_in_channel');
  }
  if (found.is_archived) return fail('is_archived');
  const bad = messageContentError(args);
  if (bad) return bad;

  const threadTs = str(args.thread_ts);
  const roots = ctx.state.messages.get(found.id) ?? [];
  const root = threadTs === undefined ? undefined : roots.find((m) => m.ts === threadTs);
  // Slack may quietly accept an unknown thread_ts; the fake refuses so a test notices a reply
  // aimed at the wrong root message.
  if (threadTs !== undefined && !root) return fail('thread_not_found');

  const ts = ctx.state.nextTs();
  const text = str(args.text) ?? '';
  const blocks = blocksOf(args.blocks);
  const msg: FakeMessage = {
    channel: found.id,
    ts,
    text,
    ...(blocks ? { blocks } : {}),
    ...(Array.isArray(args.attachments) ? { attachments: args.attachments as Json[] } : {}),
    ...(isObject(args.metadata) ? { metadata: args.metadata } : {}),
    user: BOT_USER_ID,
    bot_id: BOT_ID,
    replies: [],
    history: [{ text, ...(blocks ? { blocks } : {}), at: ctx.state.now() }],
  };
  if (root) {
    msg.thread_ts = root.ts;
    root.thread_ts = root.ts;
    root.replies.push(msg);
  } else {
    roots.push(msg);
  }
  return { ok: true, channel: found.id, ts, message: slackMessage(msg) };
};

const update: Handler = (args, ctx) => {
  const denied = needScope(ctx, 'chat:write');
  if (denied) return denied;
  const ch = visibleChannel(ctx, args.channel);
  if (isResult(ch)) return ch;
  const ts = str(args.ts);
  const msg = ts === undefined ? undefined : ctx.state.findMessage(ch.id, ts);
  if (!msg) return fail('message_not_found');
  if (msg.user !== BOT_USER_ID) return fail('cant_update_message');
  const bad = messageContentError(args);
  if (bad) return bad;
  // Fields left out keep their old value; `blocks: []` removes the blocks.
  if (args.text !== undefined) msg.text = str(args.text) ?? '';
  if (args.blocks !== undefined) {
    const blocks = blocksOf(args.blocks) ?? [];
    if (blocks.length > 0) msg.blocks = blocks;
    else delete msg.blocks;
  }
  if (Array.isArray(args.attachments)) msg.attachments = args.attachments as Json[];
  msg.history.push({ text: msg.text, ...(msg.blocks ? { blocks: msg.blocks } : {}), at: ctx.state.now() });
  return { ok: true, channel: ch.id, ts: msg.ts, text: msg.text, message: slackMessage(msg) };
};

const postEphemeral: Handler = (args, ctx): Result => {
  const denied = needScope(ctx, 'chat:write');
  if (denied) return denied;
  const ch = visibleChannel(ctx, args.channel);
  if (isResult(ch)) return ch;
  const user = str(args.user);
  if (user === undefined || !ctx.state.users.has(user)) return fail('user_not_found');
  if (!ch.members.includes(user)) return fail('user_not_in_channel');
  const bad = messageContentError(args);
  if (bad) return bad;
  const message_ts = ctx.state.nextTs();
  const blocks = blocksOf(args.blocks);
  const threadTs = str(args.thread_ts);
  ctx.state.ephemerals.push({
    channel: ch.id,
    user,
    message_ts,
    text: str(args.text) ?? '',
    ...(blocks ? { blocks } : {}),
    ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
  });
  return { ok: true, message_ts };
};

export const chatMethods: Record<string, Handler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
};
