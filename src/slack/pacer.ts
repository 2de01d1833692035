/**
 * Spaces calls per key (channel): Slack allows about one chat.postMessage per second per channel.
 * Two ways to use it: `nextAt`/`reserve` for a scheduler that picks another channel's work meanwhile
 * (the live-message publisher), or `wait` for callers that simply queue (arrival order is kept).
 */
export class Pacer {
  private next = new Map<string, number>();
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** When the next call for `key` may go (≤ now: right away). */
  nextAt(key: string): number {
    return this.next.get(key) ?? 0;
  }

  /** Books a call for `key` now; the next one waits `intervalMs`. */
  reserve(key: string, now = this.now()): void {
    this.next.set(key, Math.max(now, this.nextAt(key)) + this.intervalMs);
    // Forget channels whose turn has long passed, so thousands of incident channels do not pile up.
    if (this.next.size > 10_000) {
      for (const [k, at] of this.next) if (at < now) this.next.delete(k);
    }
  }

  async wait(key: string): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + this.intervalMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}
