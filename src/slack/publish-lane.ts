/**
 * One Slack method class of the live-message publisher (chat.update, or chat.postMessage): its
 * pending work (publish-queue.ts), its workspace-wide budget (budget.ts) and the loop that serves
 * the best ready entry whenever the budget allows. The content is read when an entry is served, so
 * whatever waited sends the latest state. A 429 pauses the whole class for Retry-After and puts the
 * entry back (nothing was posted); other errors back off per entry. Errors never leave the lane:
 * runs do not notice Slack.
 */
import type { Logger } from 'pino';
import type { CallBudget } from './budget.ts';
import { PublishQueue, type Pending, type Priority } from './publish-queue.ts';
import { retryAfterSeconds, slackErrorCode } from './client.ts';

/** The Slack call to make, prepared from the latest state; resolves once the result is stored. */
export type Send = () => Promise<void>;

/** Errors that trying again cannot fix: drop this change (a later change of the run tries anew). */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'thread_not_found',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_blocks_format',
  'missing_scope',
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'restricted_action',
]);
const MAX_FAILURES = 10;

export interface LaneOptions {
  /** The method class, for logs: `chat.update`, `chat.postMessage`. */
  name: string;
  budget: CallBudget;
  maxInFlight: number;
  now: () => number;
  log: Logger;
  /**
   * Synchronous: reads the latest state and returns the call to make, or undefined when nothing is
   * left to send (the entry is then dropped without spending budget).
   */
  prepare(e: Pending, now: number): Send | undefined;
  /** When this entry may go by the caller's own rule (per-channel pacing); 0 for now. */
  readyAt?(e: Pending): number;
  /** A call is starting for `e` (book the channel). */
  onStart?(e: Pending, now: number): void;
}

export class PublishLane {
  private readonly queue = new PublishQueue();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private soon = false;
  private stopped = false;
  /** After a 429, one call at a time until one succeeds: the end of a pause is not a free-for-all. */
  private probing = false;

  constructor(private readonly o: LaneOptions) {}

  mark(runId: string, m: { priority: Priority; channel?: string; notBefore?: number }): void {
    if (this.stopped) return;
    this.queue.mark(runId, { ...m, now: this.o.now() });
    this.pumpSoon();
  }

  /** Slack said 429 (to us or to another caller of the client): the whole class waits. */
  pause(retryAfterMs: number): void {
    const now = this.o.now();
    const until = now + retryAfterMs;
    if (this.o.budget.pausedUntil <= now) {
      this.o.log.warn(
        { method: this.o.name, retryAfterMs },
        'slack rate limited: pausing live messages of this kind',
      );
    }
    this.o.budget.pauseUntil(until);
    this.wake(until);
  }

  /**
   * A call of this class made outside the lane (a `slack.message` follow-up, a gate notice, the
   * pinned incident summary) spends the same workspace budget: recorded, so the lane leaves that
   * much of Slack's per-minute allowance to it. Not waited for — those callers are few and handle
   * a 429 themselves (which pauses the lane too, through the client's rate_limited event).
   */
  countOutside(): void {
    this.o.budget.take(this.o.now());
  }

  /** Something is pending or being sent. */
  get busy(): boolean {
    return this.queue.depth > 0 || this.inFlight.size > 0;
  }

  stats(now: number): { depth: number; oldestAgeMs: number } {
    return { depth: this.queue.depth, oldestAgeMs: this.queue.oldestAgeMs(now) };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pumpSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = true;
    // Many runs change in one engine tick: one pass over the queue serves them all.
    setImmediate(() => {
      this.soon = false;
      this.pump();
    });
  }

  private wake(at: number): void {
    if (this.stopped || (this.timer && this.timerAt <= at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, Math.ceil(at - this.o.now())),
    );
    this.timer.unref();
  }

  private pump(): void {
    if (this.stopped || this.queue.depth === 0) return;
    const now = this.o.now();
    const budgetAt = this.o.budget.nextAt(now);
    if (budgetAt > now) return this.wake(budgetAt);
    const maxInFlight = this.probing ? 1 : this.o.maxInFlight;
    if (this.inFlight.size >= maxInFlight) return; // a finishing call pumps again
    const { ready, wakeAt } = this.queue.ready(now, (e) =>
      this.inFlight.has(e.runId) ? Infinity : (this.o.readyAt?.(e) ?? 0),
    );
    let next = wakeAt;
    for (const e of ready) {
      if (this.inFlight.size >= maxInFlight) break;
      const t = this.o.now();
      const b = this.o.budget.nextAt(t);
      if (b > t) {
        next = Math.min(next, b);
        break;
      }
      const own = this.o.readyAt?.(e) ?? 0; // its channel may have been booked a moment ago
      if (own > t) {
        next = Math.min(next, own);
        continue;
      }
      this.queue.take(e.runId);
      this.serve(e, t);
    }
    if (next < Infinity && this.queue.depth > 0) this.wake(next);
  }

  private serve(e: Pending, now: number): void {
    let send: Send | undefined;
    try {
      send = this.o.prepare(e, now);
    } catch (err) {
      this.o.log.warn(
        { run: e.runId, method: this.o.name, err: (err as Error).message },
        'slack live message skipped',
      );
      return;
    }
    if (!send) return;
    this.o.budget.take(now);
    this.o.onStart?.(e, now);
    this.inFlight.add(e.runId);
    send()
      .then(
        () => {
          this.probing = false;
        },
        (err: unknown) => this.failed(e, err),
      )
      .catch(() => undefined)
      .finally(() => {
        this.inFlight.delete(e.runId);
        this.pumpSoon();
      });
  }

  private failed(e: Pending, err: unknown): void {
    const now = this.o.now();
    const retryAfter = retryAfterSeconds(err);
    const code = slackErrorCode(err);
    if (retryAfter !== undefined || code === 'ratelimited' || code === 'rate_limited') {
      // Nothing was posted: the entry goes back, unchanged in age and priority.
      this.probing = true;
      this.pause((retryAfter ?? 1) * 1000);
      this.queue.putBack({ ...e, notBefore: now });
      return;
    }
    const failures = e.failures + 1;
    const giveUp = (code !== undefined && PERMANENT.has(code)) || failures > MAX_FAILURES;
    this.o.log.warn(
      { run: e.runId, method: this.o.name, err: (err as Error).message, failures, giveUp },
      'slack live message failed',
    );
    if (giveUp) return;
    this.queue.putBack({ ...e, failures, notBefore: now + Math.min(30_000, 500 * 2 ** failures) });
  }
}
