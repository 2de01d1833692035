/**
 * The workspace the Slack fake pretends to be: users, channels with members, messages (updates
 * applied, thread replies under their root), ephemeral messages, views, pins and user groups.
 * Plain data so tests can read it directly; the method handlers (slack-fake-*.ts) change it.
 */
import { BOT_ID, BOT_NAME, BOT_USER_ID, DEFAULT_CHANNELS, DEFAULT_USERS, TEAM_ID } from './slack-fake-ids.ts';

export type Json = Record<string, unknown>;

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
  deleted: boolean;
  tz: string;
  email?: string;
}

export interface FakeChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_im: boolean;
  /** The other party of a DM. */
  user?: string;
  created: number;
  creator: string;
  is_archived: boolean;
  members: string[];
}

export interface MessageVersion {
  text: string;
  blocks?: Json[];
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set on replies (the root's ts) and on roots that have replies. */
  thread_ts?: string;
  text: string;
  blocks?: Json[];
  attachments?: Json[];
  metadata?: Json;
  user: string;
  bot_id: string;
  /** Replies in posting order (roots only). */
  replies: FakeMessage[];
  /** Every version, first post included: `history.length - 1` is the number of chat.update calls. */
  history: MessageVersion[];
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  text: string;
  blocks?: Json[];
  thread_ts?: string;
}

export interface FakeView {
  id: string;
  type: string;
  /** The view as the app last sent it (title, blocks, callback_id, private_metadata, …). */
  view: Json;
  hash: string;
  external_id: string;
  root_view_id: string;
  previous_view_id: string | null;
  /** What the user typed: block_id → action_id → value object (set with fake.setViewState). */
  values: Record<string, Record<string, Json>>;
  /** Home tab owner (views.publish). */
  user_id?: string;
  closed: boolean;
  /** Every version the app sent, the first included. */
  versions: Json[];
}

export interface FakePin {
  channel: string;
  ts: string;
  at: number;
}

export interface SeedUser {
  id: string;
  name?: string;
  real_name?: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  email?: string;
}

export interface SeedChannel {
  id?: string;
  name: string;
  is_private?: boolean;
  /** Defaults to every user; the bot is added unless `botMember: false`. */
  members?: string[];
  botMember?: boolean;
}

export class SlackState {
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly usergroups = new Map<string, string[]>();
  readonly messages = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly views = new Map<string, FakeView>();
  readonly pins: FakePin[] = [];
  /** trigger_ids already exchanged: Slack accepts each one once. */
  readonly usedTriggers = new Set<string>();
  private lastTsMicros = 0;
  private seq = 0;

  constructor(
    readonly now: () => number,
    seed: { users?: SeedUser[]; channels?: SeedChannel[]; usergroups?: Record<string, string[]> },
  ) {
    for (const u of seed.users ?? DEFAULT_USERS) this.addUser(u);
    this.addUser({ id: BOT_USER_ID, name: BOT_NAME, real_name: 'Runbook Bot', is_bot: true });
    for (const c of seed.channels ?? DEFAULT_CHANNELS) this.addChannel(c);
    for (const [id, members] of Object.entries(seed.usergroups ?? {})) this.usergroups.set(id, [...members]);
  }

  addUser(u: SeedUser): FakeUser {
    const user: FakeUser = {
      id: u.id,
      name: u.name ?? u.id.toLowerCase(),
      real_name: u.real_name ?? u.name ?? u.id,
      is_bot: u.is_bot ?? false,
      deleted: u.deleted ?? false,
      tz: u.tz ?? 'Europe/London',
      ...(u.email !== undefined ? { email: u.email } : {}),
    };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(c: SeedChannel, creator = BOT_USER_ID): FakeChannel {
    const humans = [...this.users.values()].filter((u) => !u.is_bot).map((u) => u.id);
    const members = [...(c.members ?? humans)];
    if (c.botMember !== false && !members.includes(BOT_USER_ID)) members.push(BOT_USER_ID);
    const ch: FakeChannel = {
      id: c.id ?? this.nextId('C'),
      name: c.name,
      is_private: c.is_private ?? false,
      is_im: false,
      created: Math.floor(this.now() / 1000),
      creator,
      is_archived: false,
      members,
    };
    this.channels.set(ch.id, ch);
    this.messages.set(ch.id, []);
    return ch;
  }

  /** The DM between the bot and a user (chat.postMessage with channel=<user id> opens it). */
  dmWith(userId: string): FakeChannel {
    const found = [...this.channels.values()].find((c) => c.is_im && c.user === userId);
    if (found) return found;
    const ch: FakeChannel = {
      id: this.nextId('D'),
      name: userId,
      is_private: true,
      is_im: true,
      user: userId,
      created: Math.floor(this.now() / 1000),
      creator: BOT_USER_ID,
      is_archived: false,
      members: [userId, BOT_USER_ID],
    };
    this.channels.set(ch.id, ch);
    this.messages.set(ch.id, []);
    return ch;
  }

  /** By id, or by name (`#name` or `name`), as chat.postMessage accepts both. */
  findChannel(ref: string): FakeChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    return [...this.channels.values()].find((c) => !c.is_im && c.name === name);
  }

  /** A root message or a thread reply. */
  findMessage(channel: string, ts: string): FakeMessage | undefined {
    for (const m of this.messages.get(channel) ?? []) {
      if (m.ts === ts) return m;
      const reply = m.replies.find((r) => r.ts === ts);
      if (reply) return reply;
    }
    return undefined;
  }

  /** Message timestamps are unique and increase, like Slack's `seconds.micros`. */
  nextTs(): string {
    this.lastTsMicros = Math.max(this.now() * 1000, this.lastTsMicros + 1);
    const s = Math.floor(this.lastTsMicros / 1e6);
    const us = this.lastTsMicros % 1e6;
    return `${s}.${String(us).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}0F${String(this.seq).padStart(7, '0')}`;
  }

  nextHash(): string {
    this.seq += 1;
    return `${Math.floor(this.now() / 1000)}.${this.seq.toString(36).padStart(8, 'x')}`;
  }
}

export const BOT_IDENTITY = { user: BOT_USER_ID, bot_id: BOT_ID, team: TEAM_ID } as const;
