/**
 * conversations.create/invite/info, pins.add, users.info, usergroups.users.list and auth.test for
 * the Slack fake. Channel-name rules follow conversations.create's docs ("only lowercase letters,
 * numbers, hyphens, and underscores, and must be 80 characters or less").
 */
import { bool, fail, isResult, needScope, str, visibleChannel } from './slack-fake-common.ts';
import type { Ctx, Handler, Result } from './slack-fake-common.ts';
import { BOT_ID, BOT_NAME, BOT_USER_ID, TEAM_ID, TEAM_NAME, TEAM_URL } from './slack-fake-ids.ts';
import type { FakeChannel, Json } from './slack-fake-state.ts';

/** The conversation object (fields of the conversations.create example response). */
export function channelObject(ch: FakeChannel): Json {
  if (ch.is_im) {
    return {
      id: ch.id,
      created: ch.created,
      is_im: true,
      is_org_shared: false,
      user: ch.user,
      is_user_deleted: false,
      priority: 0,
    };
  }
  const empty = { value: '', creator: '', last_set: 0 };
  return {
    id: ch.id,
    name: ch.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: ch.is_private,
    created: ch.created,
    creator: ch.creator,
    is_archived: ch.is_archived,
    is_general: ch.name === 'general',
    unlinked: 0,
    name_normalized: ch.name,
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    pending_shared: [],
    is_pending_ext_shared: false,
    is_member: ch.members.includes(BOT_USER_ID),
    topic: empty,
    purpose: empty,
    previous_names: [],
    priority: 0,
  };
}

/** The error conversations.create gives for a bad name, or null. */
export function channelNameError(name: string): string | null {
  if (name.length === 0) return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (/[^a-z0-9_-]/.test(name)) return 'invalid_name_specials';
  if (/^[-_]+$/.test(name)) return 'invalid_name_punctuation';
  return null;
}

const create: Handler = (args, ctx) => {
  const isPrivate = bool(args.is_private);
  const denied = isPrivate ? needScope(ctx, 'groups:write') : needScope(ctx, 'channels:manage');
  if (denied) return denied;
  const name = str(args.name) ?? '';
  const bad = channelNameError(name);
  if (bad) return fail(bad);
  if ([...ctx.state.channels.values()].some((c) => !c.is_im && c.name === name)) return fail('name_taken');
  const ch = ctx.state.addChannel({ name, is_private: isPrivate, members: [BOT_USER_ID] });
  return { ok: true, channel: channelObject(ch) };
};

function inviteScope(ctx: Ctx, ch: FakeChannel): Result | null {
  return ch.is_private
    ? needScope(ctx, 'groups:write', 'groups:write.invites')
    : needScope(ctx, 'channels:manage', 'channels:write.invites');
}

/**
 * All or nothing unless `force`: one bad user fails the call with `errors` per user (the fake's
 * reading of the docs' "Partially failed calls"); with `force` the valid users are added.
 */
const invite: Handler = (args, ctx) => {
  const ch = visibleChannel(ctx, args.channel);
  if (isResult(ch)) return ch;
  const denied = inviteScope(ctx, ch);
  if (denied) return denied;
  if (!ch.members.includes(BOT_USER_ID)) return fail('not_in_channel');
  if (ch.is_archived) return fail('is_archived');
  const raw = Array.isArray(args.users) ? args.users.map(String).join(',') : (str(args.users) ?? '');
  const users = raw
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (users.length === 0) return fail('no_user');
  const errors: Json[] = [];
  const valid: string[] = [];
  for (const user of users) {
    const error =
      user === BOT_USER_ID
        ? 'cant_invite_self'
        : !ctx.state.users.has(user)
          ? 'user_not_found'
          : ch.members.includes(user)
            ? 'already_in_channel'
            : null;
    if (error) errors.push({ user, ok: false, error });
    else valid.push(user);
  }
  const force = bool(args.force);
  if (errors.length > 0 && !force) return fail(String(errors[0]?.error), { errors });
  for (const u of valid) if (!ch.members.includes(u)) ch.members.push(u);
  return { ok: true, channel: channelObject(ch), ...(errors.length > 0 ? { errors } : {}) };
};

const info: Handler = (args, ctx) => {
  const ch = visibleChannel(ctx, args.channel);
  if (isResult(ch)) return ch;
  const denied = ch.is_im
    ? needScope(ctx, 'im:read')
    : ch.is_private
      ? needScope(ctx, 'groups:read')
      : needScope(ctx, 'channels:read');
  if (denied) return denied;
  const channel = channelObject(ch);
  if (bool(args.include_num_members)) channel.num_members = ch.members.length;
  return { ok: true, channel };
};

const pinsAdd: Handler = (args, ctx) => {
  const denied = needScope(ctx, 'pins:write');
  if (denied) return denied;
  const ch = visibleChannel(ctx, args.channel);
  if (isResult(ch)) return ch;
  if (!ch.members.includes(BOT_USER_ID)) return fail('not_in_channel');
  const ts = str(args.timestamp);
  if (!ts) return fail('no_item_specified');
  if (!ctx.state.findMessage(ch.id, ts)) return fail('message_not_found');
  if (ctx.state.pins.some((p) => p.channel === ch.id && p.ts === ts)) return fail('already_pinned');
  ctx.state.pins.push({ channel: ch.id, ts, at: ctx.state.now() });
  return { ok: true };
};

const usersInfo: Handler = (args, ctx) => {
  const denied = needScope(ctx, 'users:read');
  if (denied) return denied;
  const id = str(args.user);
  const u = id === undefined ? undefined : ctx.state.users.get(id);
  if (!u) return fail('user_not_found');
  return {
    ok: true,
    user: {
      id: u.id,
      team_id: TEAM_ID,
      name: u.name,
      deleted: u.deleted,
      real_name: u.real_name,
      tz: u.tz,
      tz_label: u.tz,
      tz_offset: 0,
      is_bot: u.is_bot,
      is_admin: false,
      is_owner: false,
      is_app_user: false,
      profile: {
        real_name: u.real_name,
        real_name_normalized: u.real_name,
        display_name: u.name,
        display_name_normalized: u.name,
        ...(u.email !== undefined ? { email: u.email } : {}),
        ...(u.is_bot ? { bot_id: BOT_ID } : {}),
        team: TEAM_ID,
      },
    },
  };
};

const usergroupUsers: Handler = (args, ctx) => {
  const denied = needScope(ctx, 'usergroups:read');
  if (denied) return denied;
  const id = str(args.usergroup);
  const members = id === undefined ? undefined : ctx.state.usergroups.get(id);
  if (!members) return fail('no_such_subteam');
  return { ok: true, users: [...members] };
};

const authTest: Handler = () => ({
  ok: true,
  url: TEAM_URL,
  team: TEAM_NAME,
  user: BOT_NAME,
  team_id: TEAM_ID,
  user_id: BOT_USER_ID,
  bot_id: BOT_ID,
  is_enterprise_install: false,
});

export const conversationMethods: Record<string, Handler> = {
  'auth.test': authTest,
  'conversations.create': create,
  'conversations.invite': invite,
  'conversations.info': info,
  'pins.add': pinsAdd,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
};
