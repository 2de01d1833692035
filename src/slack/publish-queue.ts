/**
 * Pending Slack work of one method class, one entry per run message: marking a run that is already
 * pending merges into its entry (the latest state is read when the entry is served), so an update
 * is replaced, never duplicated. When the budget is the bottleneck, entries are served by priority
 * (terminal states and approval prompts first), then oldest first. Pure: time is passed in.
 */

/** 1: a run's terminal state or an approval prompt; 0: progress. */
export type Priority = 0 | 1;

export interface Pending {
  runId: string;
  /** Where the message lives (for per-channel pacing); undefined until known. */
  channel: string | undefined;
  priority: Priority;
  /** When this entry first became pending (its age is what waits). */
  since: number;
  /** Not before this time (per-message spacing, or backoff after an error). */
  notBefore: number;
  /** Consecutive failures (not 429s) of this entry. */
  failures: number;
}

export class PublishQueue {
  private readonly items = new Map<string, Pending>();

  /** Adds a run or merges into its entry: higher priority wins, the first `since` stays. */
  mark(runId: string, o: { priority: Priority; now: number; notBefore?: number; channel?: string }): void {
    const cur = this.items.get(runId);
    if (cur) {
      if (o.priority > cur.priority) cur.priority = o.priority;
      if (o.channel !== undefined) cur.channel = o.channel;
      return;
    }
    this.items.set(runId, {
      runId,
      channel: o.channel,
      priority: o.priority,
      since: o.now,
      notBefore: o.notBefore ?? o.now,
      failures: 0,
    });
  }

  /** Puts back an entry that was taken (429, error, more to send), merged with any newer mark. */
  putBack(e: Pending): void {
    const cur = this.items.get(e.runId);
    if (!cur) {
      this.items.set(e.runId, e);
      return;
    }
    cur.priority = Math.max(cur.priority, e.priority) as Priority;
    cur.since = Math.min(cur.since, e.since);
    cur.notBefore = Math.max(cur.notBefore, e.notBefore);
    cur.failures = e.failures;
    cur.channel ??= e.channel;
  }

  take(runId: string): Pending | undefined {
    const e = this.items.get(runId);
    this.items.delete(runId);
    return e;
  }

  has(runId: string): boolean {
    return this.items.has(runId);
  }

  /**
   * Entries that may go now, best first (priority, then age); `readyAt` adds the caller's own
   * constraints (channel pacing; Infinity while the run is in flight). `wakeAt` is the earliest
   * time one of the others could go.
   */
  ready(now: number, readyAt: (e: Pending) => number): { ready: Pending[]; wakeAt: number } {
    const ready: Pending[] = [];
    let wakeAt = Infinity;
    for (const e of this.items.values()) {
      const at = Math.max(e.notBefore, readyAt(e));
      if (at <= now) ready.push(e);
      else wakeAt = Math.min(wakeAt, at);
    }
    ready.sort((a, b) => b.priority - a.priority || a.since - b.since || (a.runId < b.runId ? -1 : 1));
    return { ready, wakeAt };
  }

  get depth(): number {
    return this.items.size;
  }

  /** Age of the oldest pending entry (0 when empty). */
  oldestAgeMs(now: number): number {
    let oldest = Infinity;
    for (const e of this.items.values()) oldest = Math.min(oldest, e.since);
    return oldest === Infinity ? 0 : Math.max(0, now - oldest);
  }
}
