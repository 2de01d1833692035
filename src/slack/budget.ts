/**
 * A workspace-wide call budget for one class of Slack methods (chat.update, chat.postMessage).
 * Slack counts per method, per workspace, per app over a minute, so this is a sliding window: at
 * most `limit` calls start in any `windowMs` (a minute in production; tests shrink it), and at most
 * `burst` of them in any `windowMs / 60` (a second), so a burst cannot spend the minute at once.
 * A 429 pauses the whole class for its Retry-After: every message of that class waits, not just the
 * one that was refused (Slack's limit is on the method, so the next message would be refused too).
 * Pure bookkeeping: the caller passes the time and decides when to come back.
 */
export interface BudgetOptions {
  /** Calls allowed per window. */
  limit: number;
  /** Window length; 60,000 ms (Slack's minute) unless a test shortens it. */
  windowMs?: number;
  /** Calls allowed per 1/60 of the window; defaults to a tenth of `limit` (at least 1). */
  burst?: number;
}

export class CallBudget {
  /** Start times of the most recent calls, oldest first (never more than `limit` kept). */
  private readonly starts: number[] = [];
  private pausedUntilMs = 0;
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;

  constructor(o: BudgetOptions) {
    if (!Number.isInteger(o.limit) || o.limit < 1) {
      throw new Error(`CallBudget: limit must be a whole number of calls ≥ 1, got ${String(o.limit)}`);
    }
    this.limit = o.limit;
    this.windowMs = o.windowMs ?? 60_000;
    this.burst = Math.max(1, Math.min(this.limit, o.burst ?? Math.ceil(this.limit / 10)));
  }

  /** The earliest time (≥ now) a call may start. */
  nextAt(now: number): number {
    let at = Math.max(now, this.pausedUntilMs);
    const n = this.starts.length;
    // 1% slack on the window: Slack counts arrivals, and requests do not all take equally long.
    if (n >= this.limit) at = Math.max(at, this.starts[n - this.limit]! + this.windowMs * 1.01);
    if (n >= this.burst) at = Math.max(at, this.starts[n - this.burst]! + this.windowMs / 60);
    return at;
  }

  /** Records a call starting now. Callers check `nextAt(now) <= now` first. */
  take(now: number): void {
    this.starts.push(now);
    if (this.starts.length > this.limit) this.starts.splice(0, this.starts.length - this.limit);
  }

  /** Slack said 429: nothing of this class goes out before `until`. */
  pauseUntil(until: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, until);
  }

  get pausedUntil(): number {
    return this.pausedUntilMs;
  }
}
