/**
 * Work that follows a Slack ack (opening a modal, calling the engine, an ephemeral answer) runs on
 * the same event loop as the next request's ack. Run straight after `ack()` it sits in the
 * microtask queue ahead of every request already waiting in the poll phase, so under load each ack
 * waits for the work of the requests before it. This queue runs that work from `setImmediate`
 * instead: the loop first reads and acks what has arrived, then starts queued jobs for at most
 * `sliceMs` per turn (so one turn never holds acks back for long) with at most `concurrency` jobs
 * in flight (a job's await on Slack or the engine does not count against the slice). Under a flood
 * of requests that could starve the jobs, so a job that has waited `urgentMs` starts whatever the
 * slice says: a modal must open while its trigger_id is still good.
 *
 * Order: `modal` jobs first — a trigger_id expires 3 s after the click, so `views.open` must not wait
 * behind slower work — then `reply`, then `background`; first in, first out within each.
 */
import type { Logger } from 'pino';

export const PRIORITIES = ['modal', 'reply', 'background'] as const;
export type AfterAckPriority = (typeof PRIORITIES)[number];

export interface AfterAckQueue {
  /** Queues `job`; `what` names it in logs. After `drain()` began, jobs are refused (logged). */
  push(priority: AfterAckPriority, what: string, job: () => Promise<unknown> | unknown): void;
  /** Jobs waiting to start (not the ones in flight). */
  depth(): number;
  /** Jobs started and not finished yet. */
  running(): number;
  /** Stops taking jobs and waits for queued and running ones, up to `ms`; true when all finished. */
  drain(ms: number): Promise<boolean>;
}

export interface AfterAckOptions {
  log: Logger;
  /** Jobs in flight at once (awaiting Slack, the engine…). */
  concurrency?: number;
  /** CPU budget per event-loop turn for starting jobs, in ms. */
  sliceMs?: number;
  /** A job queued this long (ms) starts in the next turn regardless of the slice. */
  urgentMs?: number;
  now?: () => number;
  /** Called when a job starts, with how long it waited in the queue (ms). */
  onStart?: (priority: AfterAckPriority, waitedMs: number) => void;
  /** Called when a job is queued, with the number now waiting. */
  onPush?: (depth: number) => void;
}

interface Job {
  priority: AfterAckPriority;
  what: string;
  run: () => Promise<unknown> | unknown;
  queuedAt: number;
}

export function createAfterAckQueue(opts: AfterAckOptions): AfterAckQueue {
  // In-flight jobs mostly wait on Slack (~100-300 ms per views.open from a real workspace), so the
  // bound is about memory and Slack's load, not CPU.
  const concurrency = opts.concurrency ?? 64;
  const sliceMs = opts.sliceMs ?? 2;
  const urgentMs = opts.urgentMs ?? 500;
  const now = opts.now ?? (() => performance.now());
  const queues: Record<AfterAckPriority, Job[]> = { modal: [], reply: [], background: [] };
  // Index of the next job per queue: shift() on a long array is O(n).
  const heads: Record<AfterAckPriority, number> = { modal: 0, reply: 0, background: 0 };
  let waiting = 0;
  let inFlight = 0;
  let scheduled = false;
  let draining = false;
  const idleWaiters: (() => void)[] = [];

  /** The oldest waiting job's queue time per priority order, i.e. the job next() would return. */
  const peek = (): Job | undefined => {
    for (const p of PRIORITIES) if (heads[p] < queues[p].length) return queues[p][heads[p]];
    return undefined;
  };

  const next = (): Job | undefined => {
    for (const p of PRIORITIES) {
      const q = queues[p];
      if (heads[p] < q.length) {
        const job = q[heads[p]]!;
        // Let go of the job now: until the splice below, a finished job held by the array keeps
        // its request alive (Bolt's args: payload, body, context), thousands of them at a time
        // under load, which V8 then promoted to the old space (measured: ~110 MB per 10 s in the
        // ack benchmark, and a 20-60 ms mark-compact pause every ~10 s).
        q[heads[p]] = undefined as unknown as Job;
        heads[p] += 1;
        if (heads[p] > 1024 && heads[p] * 2 > q.length) {
          q.splice(0, heads[p]);
          heads[p] = 0;
        }
        return job;
      }
    }
    return undefined;
  };

  const settleIdle = () => {
    if (waiting || inFlight) return;
    for (const w of idleWaiters.splice(0)) w();
  };

  const finish = (job: Job) => (e?: unknown) => {
    inFlight -= 1;
    if (e !== undefined)
      opts.log.error({ err: (e as Error)?.message ?? String(e), job: job.what }, 'slack listener failed');
    if (waiting) schedule();
    else settleIdle();
  };

  const start = (job: Job) => {
    waiting -= 1;
    inFlight += 1;
    opts.onStart?.(job.priority, now() - job.queuedAt);
    let result: Promise<unknown> | unknown;
    try {
      result = job.run();
    } catch (e) {
      finish(job)(e ?? new Error('job threw'));
      return;
    }
    Promise.resolve(result).then(
      () => finish(job)(),
      (e: unknown) => finish(job)(e ?? new Error('job rejected')),
    );
  };

  const turn = () => {
    scheduled = false;
    const t0 = now();
    while (waiting && inFlight < concurrency) {
      const job = next();
      if (!job) break;
      start(job);
      const t = now();
      if (t - t0 < sliceMs) continue;
      // Out of slice: go on only while the next job has waited too long already.
      const head = peek();
      if (!head || t - head.queuedAt < urgentMs) break;
    }
    // Whatever is left starts on a later turn, after the loop has polled for I/O again.
    if (waiting && inFlight < concurrency) schedule();
  };

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(turn);
  }

  return {
    push(priority, what, run) {
      if (draining) {
        opts.log.warn({ job: what }, 'shutting down: Slack follow-up work dropped');
        return;
      }
      queues[priority].push({ priority, what, run, queuedAt: now() });
      waiting += 1;
      opts.onPush?.(waiting);
      schedule();
    },
    depth: () => waiting,
    running: () => inFlight,
    async drain(ms) {
      draining = true;
      if (!waiting && !inFlight) return true;
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<boolean>((r) => idleWaiters.push(() => r(true)));
      const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
      const done = await Promise.race([idle, timeout]);
      clearTimeout(timer);
      return done;
    },
  };
}
