/**
 * Spaces calls per key (channel): Slack allows about one chat.postMessage per second per channel.
 * Callers await their turn; the order of arrival is kept.
 */
export class Pacer {
  private next = new Map<string, number>();
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async wait(key: string): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + this.intervalMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}
