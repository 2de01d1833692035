/**
 * One request budget shared by every Harness call of the process (execute, status, list, abort).
 * Harness allows 1,000 requests per API key per minute and answers 429 beyond it without a
 * Retry-After (reference §4), so we stay well under on our own and, after a 429, everyone pauses —
 * not only the call that was refused, since the budget is per key, not per call.
 *
 * A token bucket: `perMinute` tokens refill evenly; `burst` is how many can be spent at once.
 */

export interface RateLimiter {
  /** Resolves when one request may be sent (FIFO, so no caller starves). */
  acquire(): Promise<void>;
  /** Harness answered 429: pause every caller, longer after each 429 in a row. */
  throttled(): void;
  /** A request got a non-429 answer: the 429 streak is over. */
  succeeded(): void;
  stats(): { granted: number; throttled: number; waiting: number };
}

export interface RateLimiterOptions {
  /** Requests per minute for the whole process. */
  perMinute: number;
  /** Tokens that may be spent at once after a quiet period. Default: perMinute / 20 (3 s worth), ≥ 1. */
  burst?: number;
  /** First pause after a 429; doubles per 429 in a row up to `maxPauseMs`. Default 1000. */
  pauseMs?: number;
  maxPauseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  if (!Number.isFinite(opts.perMinute) || opts.perMinute <= 0) {
    throw new Error(`rate limit must be a positive number of requests per minute, got ${opts.perMinute}`);
  }
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.()));
  const perMs = opts.perMinute / 60_000;
  const burst = Math.max(1, opts.burst ?? Math.floor(opts.perMinute / 20));
  const pauseBase = opts.pauseMs ?? 1000;
  const pauseMax = opts.maxPauseMs ?? 30_000;
  let tokens = burst;
  let last = now();
  let pausedUntil = 0;
  let streak = 0;
  let granted = 0;
  let throttledCount = 0;
  // Callers queue behind one another so the order is fair and the bucket math is sequential.
  let tail: Promise<void> = Promise.resolve();
  let waiting = 0;

  const refill = (): void => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) * perMs);
    last = t;
  };

  async function takeOne(): Promise<void> {
    for (;;) {
      const t = now();
      if (t < pausedUntil) {
        await sleep(pausedUntil - t);
        continue;
      }
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        granted++;
        return;
      }
      await sleep(Math.max(1, Math.ceil((1 - tokens) / perMs)));
    }
  }

  return {
    acquire() {
      waiting++;
      const turn = tail.then(takeOne).finally(() => waiting--);
      tail = turn.catch(() => undefined);
      return turn;
    },
    throttled() {
      throttledCount++;
      streak++;
      const pause = Math.min(pauseMax, pauseBase * 2 ** (streak - 1));
      pausedUntil = Math.max(pausedUntil, now() + pause);
      tokens = 0; // the budget is evidently spent: start from an empty bucket after the pause
    },
    succeeded() {
      streak = 0;
    },
    stats: () => ({ granted, throttled: throttledCount, waiting }),
  };
}
