/**
 * Batched watching of Harness executions. Asking "what is execution X doing?" once per run costs
 * one request per run per poll, which breaks Harness's 1,000 requests/minute/key with a few
 * hundred runs. Instead the watched executions of one org/project are read together: one
 * execution-list call (`POST …/execution/summary`) whose filter body names up to a page of them
 * (`planExecutionIds`), so Harness calls grow with projects and runs/page, not with runs.
 *
 * The list rows are whole `PipelineExecutionSummary` objects — status, start/end, stages
 * (`layoutNodeMap`), failure message — the same object the detail call returns, so a terminal
 * status seen in a list is recorded without a detail call. The detail call is left for an
 * execution the list did not return (deleted, or a Harness that ignores the id filter) and for a
 * terminal row without stages.
 *
 * Reads never wait for the budget when a row is known: a stale row answers at once and asks for a
 * refresh in the background (the row's id rides in the next list call of its project, which is
 * filled up with the project's stalest rows). Only a run never seen (first read after a start or
 * restart) waits for its row. Push notifications call `confirm()`: the id goes first into its
 * project's next list call (debounced, so a burst of events in a project costs one call), and the
 * caller makes the step due once the row is in. Calls are paced by `listBudgetPerMin`
 * (list-pacer.ts), pushes first.
 *
 * The batcher wraps the Harness client and is found again with `watcherOf()`, so the engine's
 * ports stay as they are and an engine without it polls one execution at a time as before.
 */
import type { ExecutionRef, ExecutionSummary, HarnessClient } from '../harness/types.ts';
import { createListPacer, type PacedJob } from '../harness/list-pacer.ts';
import type { Store } from '../store/index.ts';
import type { HarnessApi } from './ports.ts';

export type WatchRead =
  /**
   * The status is the one read last time: its summary (stages included) is enough. `notBefore`:
   * the row will not be refreshed before then, so reading again sooner would see the same row (a
   * push still makes the step due at once).
   */
  | { changed: false; summary: ExecutionSummary; notBefore?: number }
  /** The status changed: a complete summary (from the list, or the detail call). */
  | { changed: true; summary: ExecutionSummary };

export interface Watcher {
  read(ref: ExecutionRef & { lastStatus: string | null }): Promise<WatchRead>;
  /**
   * A push said this execution moved: read it with its project's next (debounced) list call.
   * Resolves true once a fresh row is in (the next `read()` uses it without another call), false
   * when the execution is not being watched here or the call failed.
   */
  confirm(executionId: string): Promise<boolean>;
  /** Fire-and-forget `confirm()`. */
  hint(executionId: string): void;
  /** Registers executions before their first read (after a restart), so they share list calls. */
  expect(refs: ExecutionRef[]): void;
  stats(): WatchStats;
}

export interface WatchStats {
  listCalls: number;
  detailCalls: number;
  /** Reads answered from a list row with the same status as last time. */
  unchanged: number;
  /** Changed reads answered from a list row (no detail call). */
  fromList: number;
  hinted: number;
  /** Executions currently watched. */
  watched: number;
}

export interface WatchBatchingOptions {
  /** A row is reused for at least this long (the poll interval). */
  freshMs: number;
  /**
   * List calls per minute for all projects together (default: unlimited). Rows are then reused
   * longer so that a full round over every watched execution fits in half of it, and pushes go
   * first.
   */
  listBudgetPerMin?: number;
  /** Page size of the list call (Harness's `size`). Default 100. */
  pageSize?: number;
  /** Executions named per list call. Default: the page size. */
  idsPerCall?: number;
  /** How long a push waits for other pushes of its project before the list call. Default 100. */
  confirmDelayMs?: number;
  /** How long a first read waits for other reads of its project. Default 20. */
  coalesceMs?: number;
  now?: () => number;
}

interface Row {
  summary: ExecutionSummary;
  at: number;
}

type Waiter = (row: Row | undefined, error?: unknown) => void;

interface Project extends PacedJob {
  org: string;
  project: string;
  /** Watched id → when it was last read (or expected). */
  ids: Map<string, number>;
  rows: Map<string, Row>;
  /** Pushed ids: first in the next call. */
  pushed: Set<string>;
  /** Ids whose reader waits, or whose row is stale. */
  wanted: Set<string>;
  waiters: Map<string, Waiter[]>;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
  sweptAt: number;
}

const WATCH = Symbol('runbook-bot.watcher');
/** Share of the list budget the safety-net polling plans for; pushes (served first) use the rest. */
const POLL_SHARE = 0.5;
type Watched = HarnessClient & { [WATCH]: Watcher };

/** `RUNNING` (execute's engine enum) and `Running` (display value) are the same status. */
export function sameStatus(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/_/g, '').toLowerCase();
  return a != null && b != null && norm(a) === norm(b);
}

export function watcherOf(h: HarnessApi | undefined): Watcher | undefined {
  return h && WATCH in h ? (h as Watched)[WATCH] : undefined;
}

/** A terminal row is complete when it carries the stages the run message shows. */
function isComplete(s: ExecutionSummary): boolean {
  return s.phase !== 'terminal' || s.stages.list.length > 0;
}

export function withWatchBatching(client: HarnessClient, opts: WatchBatchingOptions): Watched {
  const now = opts.now ?? (() => Date.now());
  const pageSize = opts.pageSize ?? 100;
  const idsPerCall = opts.idsPerCall ?? pageSize;
  const confirmDelayMs = opts.confirmDelayMs ?? 100;
  const coalesceMs = opts.coalesceMs ?? 20;
  const pacer = createListPacer({ perMinute: opts.listBudgetPerMin });
  const projects = new Map<string, Project>();
  /** Execution id → its project: a push names only the execution. */
  const where = new Map<string, Project>();
  const stats = { listCalls: 0, detailCalls: 0, unchanged: 0, fromList: 0, hinted: 0 };

  /**
   * Rows are fresh for freshMs, or as long as a full round over every watched id takes at half
   * the list budget: polling never asks for more than that half, so pushes always find room.
   */
  function freshFor(): number {
    if (!opts.listBudgetPerMin) return opts.freshMs;
    let calls = 0;
    for (const p of projects.values()) calls += Math.ceil(p.ids.size / idsPerCall);
    return Math.max(opts.freshMs, (calls * 60_000) / (opts.listBudgetPerMin * POLL_SHARE));
  }

  function projectOf(org: string, project: string): Project {
    const key = `${org}\u0000${project}`;
    let p = projects.get(key);
    if (p) return p;
    const created: Project = {
      org,
      project,
      ids: new Map(),
      rows: new Map(),
      pushed: new Set(),
      wanted: new Set(),
      waiters: new Map(),
      timer: undefined,
      busy: false,
      sweptAt: now(),
      urgent: () => created.pushed.size > 0,
      run: () => listCall(created),
    };
    projects.set(key, created);
    return created;
  }

  function watch(p: Project, id: string): void {
    const before = where.get(id);
    if (before && before !== p) forget(before, id); // expect() guessed another project
    p.ids.set(id, now());
    where.set(id, p);
  }

  function forget(p: Project, id: string): void {
    p.ids.delete(id);
    p.rows.delete(id);
    p.wanted.delete(id);
    where.delete(id);
  }

  /** Asks for a list call of `p` after `delayMs` (calls already asked for or running absorb it). */
  function schedule(p: Project, delayMs: number): void {
    if (p.timer !== undefined || p.busy) return;
    p.timer = setTimeout(() => {
      p.timer = undefined;
      pacer.enqueue(p);
    }, delayMs);
    p.timer.unref?.();
  }

  /** Ids for one call: pushes, then reads that wait, then stale reads, then the stalest rows. */
  function pickIds(p: Project): string[] {
    const picked = new Set<string>();
    for (const set of [p.pushed, p.waiters.keys(), p.wanted])
      for (const id of set) {
        if (picked.size >= idsPerCall) break;
        picked.add(id);
      }
    if (picked.size < idsPerCall) {
      const rest = [...p.ids.keys()]
        .filter((id) => !picked.has(id))
        .map((id) => ({ id, at: p.rows.get(id)?.at ?? -Infinity }))
        .sort((a, b) => a.at - b.at);
      for (const r of rest) {
        if (picked.size >= idsPerCall) break;
        picked.add(r.id);
      }
    }
    return [...picked];
  }

  /** Executions not read for a long time (their step ended or was cancelled) are let go. */
  function sweep(p: Project, at: number): void {
    if (at - p.sweptAt < 60_000) return;
    p.sweptAt = at;
    const cutoff = at - Math.max(600_000, 20 * freshFor());
    for (const [id, readAt] of p.ids) if (readAt < cutoff && !p.waiters.has(id)) forget(p, id);
  }

  async function listCall(p: Project): Promise<void> {
    p.busy = true;
    const at = now();
    sweep(p, at);
    const ids = pickIds(p);
    let error: unknown;
    try {
      if (ids.length > 0) await listIds(p, ids, at);
    } catch (e) {
      error = e;
    }
    for (const id of ids) {
      p.pushed.delete(id);
      p.wanted.delete(id);
      const waiters = p.waiters.get(id);
      if (!waiters) continue;
      p.waiters.delete(id);
      const row = p.rows.get(id);
      for (const w of waiters) w(error === undefined && row && row.at >= at ? row : undefined, error);
    }
    p.busy = false;
    // Whatever arrived meanwhile was coalesced: one more call picks it all up.
    if (p.pushed.size > 0 || p.wanted.size > 0) pacer.enqueue(p);
  }

  async function listIds(p: Project, ids: string[], at: number): Promise<void> {
    const wanted = new Set(ids);
    // Pages beyond what the ids can fill mean Harness ignored the filter: stop there.
    for (let page = 0; ; page++) {
      stats.listCalls++;
      const res = await client.listExecutions({
        org: p.org,
        project: p.project,
        executionIds: ids,
        page,
        size: pageSize,
      });
      for (const ex of res.items)
        if (wanted.has(ex.executionId) || p.ids.has(ex.executionId))
          p.rows.set(ex.executionId, { summary: ex, at });
      if (res.last || res.items.length === 0 || page + 1 >= Math.ceil(ids.length / res.size)) return;
    }
  }

  /** Waits for the execution's row from its project's next list call. */
  function rowFromList(p: Project, id: string, delayMs: number): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      const list = p.waiters.get(id) ?? [];
      list.push((row, error) => (error === undefined ? resolve(row) : reject(error)));
      p.waiters.set(id, list);
      p.wanted.add(id);
      schedule(p, delayMs);
    });
  }

  async function detail(ref: ExecutionRef): Promise<WatchRead> {
    stats.detailCalls++;
    return { changed: true, summary: await client.getExecution(ref) };
  }

  async function answer(
    p: Project,
    ref: ExecutionRef & { lastStatus: string | null },
    row: Row,
  ): Promise<WatchRead> {
    const s = row.summary;
    if (s.phase === 'terminal') forget(p, ref.executionId); // the step ends with this read
    if (sameStatus(s.status, ref.lastStatus)) {
      stats.unchanged++;
      return { changed: false, summary: s, notBefore: row.at + freshFor() };
    }
    if (!isComplete(s)) return detail(ref);
    stats.fromList++;
    return { changed: true, summary: s };
  }

  const watcher: Watcher = {
    async read(ref) {
      const p = projectOf(ref.org, ref.project);
      const id = ref.executionId;
      watch(p, id);
      const row = p.rows.get(id);
      if (row && !p.pushed.has(id)) {
        // Stale: answer now, refresh in the background (it rides in the project's next call).
        if (now() - row.at >= freshFor() && !p.wanted.has(id)) {
          p.wanted.add(id);
          schedule(p, coalesceMs);
        }
        return answer(p, ref, row);
      }
      const fresh = await rowFromList(p, id, p.pushed.has(id) ? confirmDelayMs : coalesceMs);
      return fresh ? answer(p, ref, fresh) : detail(ref);
    },
    async confirm(executionId) {
      stats.hinted++;
      const p = where.get(executionId);
      if (!p) return false;
      p.pushed.add(executionId);
      try {
        return (await rowFromList(p, executionId, confirmDelayMs)) !== undefined;
      } catch {
        return false;
      }
    },
    hint(executionId) {
      void watcher.confirm(executionId);
    },
    expect(refs) {
      const before = where.size;
      for (const ref of refs) {
        const p = projectOf(ref.org, ref.project);
        if (p.ids.has(ref.executionId)) continue;
        watch(p, ref.executionId);
        p.wanted.add(ref.executionId);
        schedule(p, coalesceMs);
      }
      // Their first read is owed (a restart), not polling: it does not wait for the list budget.
      pacer.grant(Math.ceil((where.size - before) / idsPerCall) + projects.size);
    },
    stats: () => ({ ...stats, watched: where.size }),
  };

  // Every client method passes through untouched (methods added later included); an execution
  // started here is watched from its start, so a push for it is confirmed in a shared list call.
  return {
    ...client,
    async execute(req) {
      const res = await client.execute(req);
      watch(projectOf(req.org, req.project), res.executionId);
      return res;
    },
    [WATCH]: watcher,
  };
}

/**
 * After a (re)start: registers every waiting pipeline step with the watcher, so the first reads
 * of thousands of runs share full list calls instead of each waiting for its own. One query; the
 * org/project come from the run's manifest snapshot (its `staging:` target for a test incident,
 * as actions/test-incident.ts decides). A wrong guess only costs a row the read will not use.
 */
export function expectWaitingSteps(watcher: Watcher, db: Store['db']): number {
  const rows = db
    .prepare(
      `SELECT s.external_id AS executionId,
              CASE WHEN i.is_test = 1
                   THEN coalesce(json_extract(r.runbook_json, '$.steps[' || s.idx || '].with.staging.org'),
                                 json_extract(r.runbook_json, '$.steps[' || s.idx || '].with.org'))
                   ELSE json_extract(r.runbook_json, '$.steps[' || s.idx || '].with.org') END AS org,
              CASE WHEN i.is_test = 1
                   THEN coalesce(json_extract(r.runbook_json, '$.steps[' || s.idx || '].with.staging.project'),
                                 json_extract(r.runbook_json, '$.steps[' || s.idx || '].with.project'))
                   ELSE json_extract(r.runbook_json, '$.steps[' || s.idx || '].with.project') END AS project
         FROM run_steps s JOIN runs r ON r.id = s.run_id LEFT JOIN incidents i ON i.id = r.incident_id
        WHERE s.status = 'running' AND s.uses = 'harness.pipeline' AND s.external_id IS NOT NULL`,
    )
    .all() as { executionId: string; org: unknown; project: unknown }[];
  const refs = rows.flatMap((r) =>
    typeof r.org === 'string' && typeof r.project === 'string'
      ? [{ org: r.org, project: r.project, executionId: r.executionId }]
      : [],
  );
  watcher.expect(refs);
  return refs.length;
}
