/**
 * Paces execution-list calls of the batched watcher: a token bucket of `perMinute` calls (none when
 * unset) with a priority queue of projects waiting for a call. Projects with a push to confirm go
 * first, so a finished pipeline is confirmed quickly even while the safety-net polling of thousands
 * of runs uses the rest of the list budget. Every call still waits for the client's global limiter
 * too; this only decides *which* project's list goes next. Timers are unref'd: pacing never keeps
 * the process alive.
 */

export interface PacedJob {
  /** Pushes to confirm: these jobs go before polling refreshes. */
  urgent(): boolean;
  run(): Promise<void>;
}

export interface ListPacer {
  /** Queues the job (once: a job already queued stays where it is). */
  enqueue(job: PacedJob): void;
  /**
   * Adds `n` calls on top of the steady budget, once (the first read of every run after a
   * restart is owed, not polling). The client's global limiter still holds every call.
   */
  grant(n: number): void;
  stats(): { started: number; queued: number };
}

export function createListPacer(opts: { perMinute?: number | undefined; now?: () => number }): ListPacer {
  const now = opts.now ?? (() => performance.now());
  const perMs = opts.perMinute ? opts.perMinute / 60_000 : Infinity;
  const burst = opts.perMinute ? Math.max(1, Math.floor(opts.perMinute / 20)) : Infinity;
  let tokens = burst;
  let last = now();
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  const queue: PacedJob[] = [];
  const queued = new Set<PacedJob>();

  const refill = (): void => {
    if (perMs === Infinity) return;
    const t = now();
    // Granted tokens above the burst are kept until spent; refills only top up to the burst.
    if (tokens < burst) tokens = Math.min(burst, tokens + Math.max(0, t - last) * perMs);
    last = t;
  };

  function next(): PacedJob | undefined {
    // Urgent first; among equals, first come first served. The queue holds one job per project.
    let i = queue.findIndex((j) => j.urgent());
    if (i < 0) i = 0;
    const [job] = queue.splice(i, 1);
    if (job) queued.delete(job);
    return job;
  }

  function pump(): void {
    timer = undefined;
    while (queue.length > 0) {
      refill();
      if (tokens < 1) {
        const wait = Math.max(1, Math.ceil((1 - tokens) / perMs));
        timer = setTimeout(pump, wait);
        timer.unref?.();
        return;
      }
      const job = next();
      if (!job) return;
      tokens -= 1;
      started++;
      // A job reports its own failures to its waiters; nothing may escape into the pacer.
      job.run().catch(() => undefined);
    }
  }

  return {
    enqueue(job) {
      if (queued.has(job)) return;
      queued.add(job);
      queue.push(job);
      if (timer === undefined) pump();
    },
    grant(n) {
      if (perMs === Infinity || !(n > 0)) return;
      refill();
      tokens += n;
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      pump();
    },
    stats: () => ({ started, queued: queue.length }),
  };
}
