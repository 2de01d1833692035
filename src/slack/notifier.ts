/**
 * One live message per run. The engine notifies every change; this publisher coalesces them (at most
 * one chat.update per message per second, the latest state wins), posts one thread reply per new
 * timeline event, waits out 429s (`Retry-After`) and never lets a Slack failure touch the run.
 * What was posted (message ts, last event, content hash) is in SQLite, so a restart neither
 * re-posts the root message nor repeats thread replies.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store, RunRecord, StepRecord } from '../store/index.ts';
import type { Notifier } from '../engine/ports.ts';
import { runMessage, runThreadReply } from './blocks/index.ts';
import { retryAfterSeconds } from './client.ts';
import { Pacer } from './pacer.ts';
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
}

interface RunState {
  timer?: NodeJS.Timeout;
  lastAt: number;
  running: boolean;
  again: boolean;
  failures: number;
}

export class RunMessagePublisher implements Notifier {
  private readonly states = new Map<string, RunState>();
  private readonly pacer: Pacer;
  private stopped = false;

  constructor(
    private readonly deps: {
      client: ChatApi;
      store: Store;
      log: Logger;
      now?: () => number;
      minIntervalMs?: number;
    },
  ) {
    this.pacer = new Pacer(deps.minIntervalMs ?? 1000);
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

  runChanged(run: RunRecord): void {
    this.schedule(run.id);
  }

  /** Waits until nothing is scheduled or being posted (tests, shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ([...this.states.values()].some((s) => s.timer || s.running) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.states.values()) if (s.timer) clearTimeout(s.timer);
  }

  private schedule(runId: string, delayMs?: number): void {
    if (this.stopped) return;
    let s = this.states.get(runId);
    if (!s) this.states.set(runId, (s = { lastAt: 0, running: false, again: false, failures: 0 }));
    if (s.running) {
      s.again = true;
      return;
    }
    if (s.timer) return;
    const wait = delayMs ?? Math.max(0, s.lastAt + this.interval - this.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.flush(runId, s);
    }, wait);
  }

  private async flush(runId: string, s: RunState): Promise<void> {
    s.running = true;
    s.lastAt = this.now();
    let retryIn: number | undefined;
    try {
      await this.publish(runId);
      s.failures = 0;
    } catch (e) {
      s.failures++;
      const ra = retryAfterSeconds(e);
      retryIn = ra !== undefined ? ra * 1000 : Math.min(30_000, 1000 * 2 ** s.failures);
      this.deps.log.warn(
        { run: runId, err: (e as Error).message, retryIn, failures: s.failures },
        'slack run message update failed',
      );
      if (s.failures > 8) retryIn = undefined; // give up on this change; the next one tries again
    } finally {
      s.running = false;
    }
    if (retryIn !== undefined) return this.schedule(runId, retryIn);
    if (s.again) {
      s.again = false;
      return this.schedule(runId);
    }
    const run = this.deps.store.runs.get(runId);
    if (!run || isTerminalRun(run.state)) this.states.delete(runId);
  }

  private async publish(runId: string): Promise<void> {
    const { store, client } = this.deps;
    const run = store.runs.get(runId);
    if (!run) return;
    const steps: StepRecord[] = store.runs.steps(runId);
    const incident = run.incidentId ? (store.incidents.get(run.incidentId) ?? null) : null;
    let row = store.runMessages.get(runId);
    const channel = row?.channel ?? incident?.channel;
    if (!channel) return;
    if (!row) {
      store.runMessages.claim(runId, channel, this.now());
      row = store.runMessages.get(runId)!;
    }
    const now = this.now();
    const msg = runMessage({ run, steps, incident, now });
    // Compare what a reader would notice: the elapsed time alone changes on every poll, so it only
    // counts once a minute. Without this every waiting run's message is rewritten on each poll and
    // a busy workspace runs into chat.update's tier limit (see bench/README.md).
    const visible = runMessage({ run, steps, incident, now: now - (now % 60_000) });
    const hash = createHash('sha1').update(JSON.stringify(visible)).digest('hex');
    let ts = row.ts;
    if (!ts) {
      await this.pacer.wait(channel);
      const r = await client.chat.postMessage({
        channel,
        text: msg.text,
        blocks: msg.blocks,
        unfurl_links: false,
      });
      ts = String(r.ts);
      store.runMessages.setTs(runId, ts);
      store.runMessages.setPosted(runId, { lastHash: hash }, this.now());
    } else if (hash !== row.lastHash) {
      await client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks });
      store.runMessages.setPosted(runId, { lastHash: hash }, this.now());
    }
    const fresh = store.timeline.forRun(runId).filter((e) => e.id > (row!.lastEventId ?? 0));
    for (const ev of fresh) {
      await this.pacer.wait(channel);
      await client.chat.postMessage({
        channel,
        thread_ts: ts,
        text: runThreadReply(ev).text,
        unfurl_links: false,
      });
      store.runMessages.setPosted(runId, { lastEventId: ev.id }, this.now());
    }
  }
}
