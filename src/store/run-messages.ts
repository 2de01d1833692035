/**
 * The one Slack message each run owns. `claim` inserts a placeholder row once, so that of two
 * workers (or a restart racing a late update) only one posts the root message; the others update it.
 */
import type { DB } from './db.ts';

export interface RunMessage {
  runId: string;
  channel: string;
  /** null until the root message is posted. */
  ts: string | null;
  /** Timeline events with an id up to this one already have their thread reply. */
  lastEventId: number;
  /** Hash of the last content sent, so an unchanged run is not re-sent. */
  lastHash: string | null;
  updatedAt: number;
}

interface Row {
  run_id: string;
  channel: string;
  ts: string | null;
  last_event_id: number;
  last_hash: string | null;
  updated_at: number;
}

const fromRow = (r: Row): RunMessage => ({
  runId: r.run_id,
  channel: r.channel,
  ts: r.ts,
  lastEventId: r.last_event_id,
  lastHash: r.last_hash,
  updatedAt: r.updated_at,
});

export function createRunMessageRepo(db: DB) {
  const byRun = db.prepare<[string], Row>('SELECT * FROM run_messages WHERE run_id = ?');
  const insert = db.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO run_messages (run_id, channel, updated_at) VALUES (?, ?, ?)',
  );
  const setTs = db.prepare<[string, string]>('UPDATE run_messages SET ts = ? WHERE run_id = ?');
  // last_event_id only moves forward: a late writer with an older view must not make replies repeat.
  const setPosted = db.prepare(`UPDATE run_messages SET
      last_event_id = MAX(last_event_id, COALESCE(@lastEventId, last_event_id)),
      last_hash = COALESCE(@lastHash, last_hash),
      updated_at = @now
    WHERE run_id = @runId`);

  return {
    get(runId: string): RunMessage | undefined {
      const r = byRun.get(runId);
      return r && fromRow(r);
    },
    /** true for the first caller only (the one that posts the root message). */
    claim(runId: string, channel: string, now: number): boolean {
      return insert.run(runId, channel, now).changes === 1;
    },
    setTs(runId: string, ts: string): boolean {
      return setTs.run(ts, runId).changes === 1;
    },
    setPosted(runId: string, posted: { lastEventId?: number; lastHash?: string }, now: number): boolean {
      return (
        setPosted.run({
          runId,
          lastEventId: posted.lastEventId ?? null,
          lastHash: posted.lastHash ?? null,
          now,
        }).changes === 1
      );
    },
  };
}
export type RunMessageRepo = ReturnType<typeof createRunMessageRepo>;
