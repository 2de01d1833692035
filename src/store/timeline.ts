/**
 * The incident timeline. Engine-written events carry a dedupe key so that redoing a transition after
 * a crash never writes the same event twice (and never loses one: it is written in the same
 * transaction as the state change it describes).
 */
import type { DB } from './db.ts';
import { parseJson, toJson } from './json.ts';

export interface TimelineEvent {
  id: number;
  incidentId: string | null;
  runId: string | null;
  at: number;
  kind: string;
  text: string;
  key: boolean;
  actor: string | null;
  data: Record<string, unknown> | null;
}

export interface NewTimelineEvent {
  incidentId?: string | null;
  runId?: string | null;
  at: number;
  kind: string;
  text: string;
  key?: boolean;
  actor?: string | null;
  data?: Record<string, unknown>;
  dedupeKey?: string;
}

interface Row {
  id: number;
  incident_id: string | null;
  run_id: string | null;
  at: number;
  kind: string;
  text: string;
  key_event: number;
  actor: string | null;
  data_json: string | null;
}

const fromRow = (r: Row): TimelineEvent => ({
  id: r.id,
  incidentId: r.incident_id,
  runId: r.run_id,
  at: r.at,
  kind: r.kind,
  text: r.text,
  key: r.key_event === 1,
  actor: r.actor,
  data: parseJson(r.data_json, null),
});

export function createTimelineRepo(db: DB) {
  const insert = db.prepare(`INSERT INTO timeline_events
    (incident_id, run_id, at, kind, text, key_event, actor, data_json, dedupe_key)
    VALUES (@incidentId, @runId, @at, @kind, @text, @key, @actor, @data, @dedupeKey)
    ON CONFLICT(dedupe_key) DO NOTHING`);
  const byIncident = db.prepare<[string], Row>(
    'SELECT * FROM timeline_events WHERE incident_id = ? ORDER BY at, id',
  );
  const byRun = db.prepare<[string], Row>('SELECT * FROM timeline_events WHERE run_id = ? ORDER BY at, id');

  return {
    /** Returns false when an event with the same dedupe key was already written. */
    add(e: NewTimelineEvent): boolean {
      const res = insert.run({
        incidentId: e.incidentId ?? null,
        runId: e.runId ?? null,
        at: e.at,
        kind: e.kind,
        text: e.text,
        key: e.key ? 1 : 0,
        actor: e.actor ?? null,
        data: toJson(e.data),
        dedupeKey: e.dedupeKey ?? null,
      });
      return res.changes === 1;
    },
    forIncident(incidentId: string): TimelineEvent[] {
      return byIncident.all(incidentId).map(fromRow);
    },
    forRun(runId: string): TimelineEvent[] {
      return byRun.all(runId).map(fromRow);
    },
  };
}
export type TimelineRepo = ReturnType<typeof createTimelineRepo>;
