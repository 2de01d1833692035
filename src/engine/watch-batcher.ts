/**
 * Batched watching of Harness executions. Asking "what is execution X doing?" once per run costs
 * one request per run per poll, which breaks Harness's 1,000 requests/minute/key with a few
 * hundred runs. Instead, the unfinished executions of one org/project are read with ONE list call
 * (a few pages at most) that every waiting step of that project shares; the detail call (stages,
 * failure message) is made only for an execution whose status changed or that left the list.
 *
 * Push notifications (POST /api/harness/events) call `hint()`: the next read of that execution
 * skips the shared list and asks for its detail, so a finished pipeline shows at once.
 *
 * The batcher wraps the Harness client and is found again with `watcherOf()`, so the engine's
 * ports stay as they are and an engine without it polls one execution at a time as before.
 */
import type { ExecutionRef, ExecutionSummary, HarnessClient } from '../harness/types.ts';
import type { HarnessApi } from './ports.ts';

/** Every non-terminal display status (reference §2c): the list asks only for these. */
export const UNFINISHED_STATUSES = [
  'Running',
  'AsyncWaiting',
  'TaskWaiting',
  'TimedWaiting',
  'WaitStepRunning',
  'NotStarted',
  'Queued',
  'QueuedLicenseLimitReached',
  'QueuedExecutionConcurrencyReached',
  'ResourceWaiting',
  'ApprovalWaiting',
  'InterventionWaiting',
  'InputWaiting',
  'Paused',
  'Pausing',
  'Discontinuing',
];

export type WatchRead =
  /** The shared list shows the same status as last time: its summary (stages included) is enough. */
  | { changed: false; summary: ExecutionSummary }
  /** The status changed (or could not be seen in the list): the full detail. */
  | { changed: true; summary: ExecutionSummary };

export interface Watcher {
  read(ref: ExecutionRef & { lastStatus: string | null }): Promise<WatchRead>;
  /** A push said this execution moved: its next read goes straight to the detail. */
  hint(executionId: string): void;
  stats(): WatchStats;
}

export interface WatchStats {
  listCalls: number;
  detailCalls: number;
  unchanged: number;
  hinted: number;
}

export interface WatchBatchingOptions {
  /** A project's list is reused for at least this long by every step that comes due meanwhile. */
  freshMs: number;
  /**
   * List calls per minute for all projects together (default: unlimited). With many projects the
   * lists are reused longer so that polling keeps within this share of the Harness budget and
   * leaves the rest to executes and detail reads.
   */
  listBudgetPerMin?: number;
  /** Page size of the list call. Default 100. */
  pageSize?: number;
  /** Pages read per list; beyond them, executions not seen get detail calls. Default 20. */
  maxPages?: number;
  now?: () => number;
}

interface Snapshot {
  at: number;
  pages: number;
  byId: Map<string, ExecutionSummary>;
}

const WATCH = Symbol('runbook-bot.watcher');
type Watched = HarnessClient & { [WATCH]: Watcher };

/** `RUNNING` (execute's engine enum) and `Running` (display value) are the same status. */
export function sameStatus(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/_/g, '').toLowerCase();
  return a != null && b != null && norm(a) === norm(b);
}

export function watcherOf(h: HarnessApi | undefined): Watcher | undefined {
  return h && WATCH in h ? (h as Watched)[WATCH] : undefined;
}

export function withWatchBatching(client: HarnessClient, opts: WatchBatchingOptions): Watched {
  const now = opts.now ?? (() => Date.now());
  const pageSize = opts.pageSize ?? 100;
  const maxPages = opts.maxPages ?? 20;
  const snapshots = new Map<string, Snapshot>();
  const inFlight = new Map<string, Promise<Snapshot>>();
  const hinted = new Set<string>();
  const stats: WatchStats = { listCalls: 0, detailCalls: 0, unchanged: 0, hinted: 0 };

  async function fetchSnapshot(org: string, project: string): Promise<Snapshot> {
    const at = now();
    const byId = new Map<string, ExecutionSummary>();
    let pages = 0;
    for (let page = 0; page < maxPages; page++) {
      pages++;
      stats.listCalls++;
      const res = await client.listExecutions({
        org,
        project,
        statuses: UNFINISHED_STATUSES,
        page,
        size: pageSize,
      });
      for (const ex of res.items) byId.set(ex.executionId, ex);
      if (res.last || res.items.length === 0) break;
    }
    return { at, pages, byId };
  }

  /** How long a list stays fresh: freshMs, or longer when the lists would exceed their budget. */
  function freshFor(): number {
    if (!opts.listBudgetPerMin) return opts.freshMs;
    const cutoff = now() - 120_000;
    let pages = 0;
    for (const s of snapshots.values()) if (s.at >= cutoff) pages += s.pages;
    return Math.max(opts.freshMs, (pages * 60_000) / opts.listBudgetPerMin);
  }

  /** The project's list, shared: a fresh one is reused, one being fetched is awaited. */
  function snapshot(org: string, project: string): Promise<Snapshot> {
    const key = `${org}\u0000${project}`;
    const cached = snapshots.get(key);
    if (cached && now() - cached.at < freshFor()) return Promise.resolve(cached);
    const running = inFlight.get(key);
    if (running) return running;
    const p = fetchSnapshot(org, project)
      .then((s) => (snapshots.set(key, s), s))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  }

  async function detail(ref: ExecutionRef): Promise<WatchRead> {
    stats.detailCalls++;
    return { changed: true, summary: await client.getExecution(ref) };
  }

  const watcher: Watcher = {
    async read(ref) {
      if (hinted.delete(ref.executionId)) return detail(ref);
      const snap = await snapshot(ref.org, ref.project);
      if (hinted.delete(ref.executionId)) return detail(ref);
      const listed = snap.byId.get(ref.executionId);
      // Absent from the unfinished list: it finished (or is newer than the list) — ask.
      if (listed === undefined || !sameStatus(listed.status, ref.lastStatus)) return detail(ref);
      stats.unchanged++;
      return { changed: false, summary: listed };
    },
    hint(executionId) {
      stats.hinted++;
      // Hints for executions never read again (their step ended meanwhile) must not pile up.
      if (hinted.size >= 50_000) hinted.clear();
      hinted.add(executionId);
    },
    stats: () => ({ ...stats }),
  };

  // Every client method passes through untouched (methods added later included).
  return { ...client, [WATCH]: watcher };
}
