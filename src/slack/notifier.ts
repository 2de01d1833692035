/**
 * One live message per run. The engine notifies every change; this publisher keeps Slack within its
 * limits however many runs are live, by design rather than by 429s:
 * - two lanes (publish-lane.ts), one per method class, each with a workspace-wide budget
 *   (SLACK_UPDATES_PER_MIN for chat.update, tier 3; SLACK_POSTS_PER_MIN for chat.postMessage,
 *   plus about one post per second per channel);
 * - one pending entry per run and lane: a change replaces what was queued (the latest state is read
 *   when the entry is served); terminal states and approval prompts go before progress;
 * - a message is rewritten only when a reader would notice (elapsed time counts once a minute), and
 *   at most once a second;
 * - timeline events waiting for their thread reply go out as one reply, one line each;
 * - a 429 pauses the whole class for Retry-After; runs never see a Slack failure.
 * What was posted (message ts, last event, content hash) is in SQLite, so a restart neither re-posts
 * the root message nor repeats thread replies. (Dying between the root post and saving its ts is the
 * one window left: see README "Slack rate limits".)
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store, RunRecord, StepRecord, IncidentRecord } from '../store/index.ts';
import type { Notifier } from '../engine/ports.ts';
import { runMessage } from './blocks/index.ts';
import { Pacer } from './pacer.ts';
import { CallBudget } from './budget.ts';
import { PublishLane, type Send } from './publish-lane.ts';
import type { Pending, Priority } from './publish-queue.ts';
import { nextReplyBatch } from './thread-batch.ts';
import { isTerminalRun } from '../domain/run-state.ts';

export interface ChatApi {
  chat: {
    postMessage(args: {
      channel: string;
      text: string;
      blocks?: unknown[];
      thread_ts?: string;
      unfurl_links?: boolean;
    }): Promise<{ ts?: string }>;
    update(args: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<unknown>;
  };
  /** WebClient's `rate_limited` event: 429s seen by other users of the client pause us too. */
  on?(event: string, listener: (retryAfterSec: number, req: { url?: string }) => void): unknown;
}

/** Budgets and pacing; the defaults are Slack's published limits (README "Slack rate limits"). */
export interface PublisherLimits {
  /** chat.update calls per window, workspace-wide (Slack tier 3: 50+/minute). */
  updatesPerMin?: number;
  /** chat.postMessage calls per window, workspace-wide (Slack: "several hundred per minute"). */
  postsPerMin?: number;
  /** The budgets' window; 60,000 ms unless a test shortens the minute. */
  windowMs?: number;
  /** Calls of one class in flight at once. */
  maxInFlight?: number;
}

export const DEFAULT_UPDATES_PER_MIN = 50;
export const DEFAULT_POSTS_PER_MIN = 300;

/**
 * A run's terminal state and an approval prompt (the root message, or its rewrite) matter more than
 * progress and than thread replies.
 */
const priorityOf = (run: RunRecord): Priority =>
  isTerminalRun(run.state) || run.state === 'awaiting_approval' ? 1 : 0;

export interface PublisherStats {
  method: 'chat.update' | 'chat.postMessage';
  depth: number;
  oldestAgeMs: number;
}

export class RunMessagePublisher implements Notifier {
  private readonly pacer: Pacer;
  private readonly updates: PublishLane;
  private readonly posts: PublishLane;
  /** When each message was last rewritten (at most one chat.update per message per interval). */
  private readonly lastUpdate = new Map<string, number>();

  constructor(
    private readonly deps: {
      client: ChatApi;
      store: Store;
      log: Logger;
      now?: () => number;
      minIntervalMs?: number;
      limits?: PublisherLimits;
    },
  ) {
    const l = deps.limits ?? {};
    const now = () => this.now();
    this.pacer = new Pacer(this.interval, now);
    const lane = (name: string, limit: number) => ({
      name,
      budget: new CallBudget({ limit, ...(l.windowMs ? { windowMs: l.windowMs } : {}) }),
      maxInFlight: l.maxInFlight ?? 4,
      now,
      log: deps.log,
    });
    this.updates = new PublishLane({
      ...lane('chat.update', l.updatesPerMin ?? DEFAULT_UPDATES_PER_MIN),
      prepare: (e, t) => this.prepareUpdate(e, t),
    });
    this.posts = new PublishLane({
      ...lane('chat.postMessage', l.postsPerMin ?? DEFAULT_POSTS_PER_MIN),
      prepare: (e, t) => this.preparePost(e, t),
      readyAt: (e) => (e.channel ? this.pacer.nextAt(e.channel) : 0),
      onStart: (e, t) => e.channel && this.pacer.reserve(e.channel, t),
    });
    deps.client.on?.('rate_limited', (retryAfterSec, req) => {
      const method = String(req?.url ?? '')
        .split('/')
        .pop();
      if (method === 'chat.update') this.updates.pause(retryAfterSec * 1000);
      if (method === 'chat.postMessage') this.posts.pause(retryAfterSec * 1000);
    });
  }

  private get interval() {
    return this.deps.minIntervalMs ?? 1000;
  }
  private now() {
    return (this.deps.now ?? Date.now)();
  }

  /** Remembers where a run's message goes when the run has no incident channel. */
  attach(runId: string, channel: string): void {
    this.deps.store.runMessages.claim(runId, channel, this.now());
  }

  runChanged(run: RunRecord, steps?: StepRecord[]): void {
    try {
      this.markChanged(run, steps);
    } catch (e) {
      // Whatever goes wrong here is the message's problem, never the run's.
      this.deps.log.warn({ run: run.id, err: (e as Error).message }, 'slack live message not queued');
    }
  }

  private markChanged(run: RunRecord, steps?: StepRecord[]): void {
    const { store } = this.deps;
    const row = store.runMessages.get(run.id);
    const incident = this.incidentOf(run);
    const channel = row?.channel ?? incident?.channel ?? undefined;
    if (!channel) return;
    const priority = priorityOf(run);
    if (!row?.ts) {
      this.posts.mark(run.id, { priority, channel }); // the root post shows the latest state
      return;
    }
    // Thread replies are the run's history: the state itself (root message, rewrite) goes first.
    if (this.freshEvents(run.id, row.lastEventId).length > 0)
      this.posts.mark(run.id, { priority: 0, channel });
    const { hash } = this.render(run, steps ?? store.runs.steps(run.id), incident);
    if (hash === row.lastHash) return;
    this.updates.mark(run.id, {
      priority,
      channel,
      notBefore: (this.lastUpdate.get(run.id) ?? 0) + this.interval,
    });
  }

  /** Pending work and the age of the oldest, per method class (metrics). */
  /**
   * Counts a chat.update / chat.postMessage made by someone else with the same token against this
   * publisher's budgets (and a post against its channel's pacing), so both together stay within
   * Slack's per-minute allowance. See `budgetedChat` for the wrapper that calls this.
   */
  countOutside(method: 'chat.update' | 'chat.postMessage', channel?: string): void {
    if (method === 'chat.update') return this.updates.countOutside();
    this.posts.countOutside();
    if (channel) this.pacer.reserve(channel, this.now());
  }

  stats(): PublisherStats[] {
    const now = this.now();
    return [
      { method: 'chat.update', ...this.updates.stats(now) },
      { method: 'chat.postMessage', ...this.posts.stats(now) },
    ];
  }

  /** Waits until nothing is pending or being posted (tests, shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.updates.busy || this.posts.busy) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.updates.stop();
    this.posts.stop();
  }

  private incidentOf(run: RunRecord): IncidentRecord | null {
    return run.incidentId ? (this.deps.store.incidents.get(run.incidentId) ?? null) : null;
  }

  private freshEvents(runId: string, lastEventId: number) {
    return this.deps.store.timeline.forRun(runId).filter((e) => e.id > lastEventId);
  }

  private render(run: RunRecord, steps: StepRecord[], incident: IncidentRecord | null) {
    const now = this.now();
    const msg = runMessage({ run, steps, incident, now });
    // Compare what a reader would notice: the elapsed time alone changes on every poll, so it only
    // counts once a minute. Without this every waiting run's message is rewritten on each poll.
    const visible = runMessage({ run, steps, incident, now: now - (now % 60_000) });
    return { msg, hash: createHash('sha1').update(JSON.stringify(visible)).digest('hex') };
  }

  /** chat.update with the latest state, if the message exists and a reader would see a change. */
  private prepareUpdate(e: Pending, now: number): Send | undefined {
    const { store, client } = this.deps;
    const run = store.runs.get(e.runId);
    const row = store.runMessages.get(e.runId);
    if (!run || !row?.ts) return undefined; // the root post carries the state
    const { msg, hash } = this.render(run, store.runs.steps(run.id), this.incidentOf(run));
    if (hash === row.lastHash) return undefined;
    const { channel, ts } = row;
    return async () => {
      this.lastUpdate.set(e.runId, now);
      await client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks });
      store.runMessages.setPosted(e.runId, { lastHash: hash }, this.now());
      this.forgetOldUpdates(now);
    };
  }

  /** The root message if it is not posted yet, else the waiting timeline events as one reply. */
  private preparePost(e: Pending, now: number): Send | undefined {
    const { store, client } = this.deps;
    const run = store.runs.get(e.runId);
    if (!run) return undefined;
    let row = store.runMessages.get(run.id);
    const incident = this.incidentOf(run);
    const channel = row?.channel ?? incident?.channel ?? undefined;
    if (!channel) return undefined;
    if (channel !== e.channel) {
      // Learned late (attach, a channel created after the run): wait for that channel's turn.
      this.posts.mark(run.id, { priority: e.priority, channel });
      return undefined;
    }
    if (!row) {
      store.runMessages.claim(run.id, channel, now);
      row = store.runMessages.get(run.id)!;
    }
    const again = () => this.posts.mark(run.id, { priority: 0, channel });
    if (!row.ts) {
      const { msg, hash } = this.render(run, store.runs.steps(run.id), incident);
      return async () => {
        const r = await client.chat.postMessage({
          channel,
          text: msg.text,
          blocks: msg.blocks,
          unfurl_links: false,
        });
        store.runMessages.setTs(run.id, String(r.ts));
        store.runMessages.setPosted(run.id, { lastHash: hash }, this.now());
        // Replies for the events so far, and any change while the root was on its way.
        const latest = store.runs.get(run.id);
        if (latest) this.runChanged(latest);
      };
    }
    const fresh = this.freshEvents(run.id, row.lastEventId);
    const batch = nextReplyBatch(fresh);
    if (!batch) return undefined;
    const ts = row.ts;
    return async () => {
      await client.chat.postMessage({ channel, thread_ts: ts, text: batch.text, unfurl_links: false });
      store.runMessages.setPosted(run.id, { lastEventId: batch.lastEventId }, this.now());
      if (fresh.length > batch.count) again();
    };
  }

  private forgetOldUpdates(now: number): void {
    if (this.lastUpdate.size < 20_000) return;
    for (const [id, at] of this.lastUpdate) if (now - at > this.interval) this.lastUpdate.delete(id);
  }
}
