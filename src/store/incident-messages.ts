/** The pinned summary message of each incident, so every change edits it instead of posting anew. */
import type { DB } from './db.ts';

export interface IncidentMessage {
  incidentId: string;
  channel: string;
  ts: string;
}

interface Row {
  incident_id: string;
  channel: string;
  ts: string;
}

export function createIncidentMessageRepo(db: DB) {
  const byIncident = db.prepare<[string], Row>('SELECT * FROM incident_messages WHERE incident_id = ?');
  const upsert = db.prepare<
    [string, string, string]
  >(`INSERT INTO incident_messages (incident_id, channel, ts)
    VALUES (?, ?, ?) ON CONFLICT(incident_id) DO UPDATE SET channel = excluded.channel, ts = excluded.ts`);

  return {
    get(incidentId: string): IncidentMessage | undefined {
      const r = byIncident.get(incidentId);
      return r && { incidentId: r.incident_id, channel: r.channel, ts: r.ts };
    },
    set(incidentId: string, channel: string, ts: string): void {
      upsert.run(incidentId, channel, ts);
    },
  };
}
export type IncidentMessageRepo = ReturnType<typeof createIncidentMessageRepo>;
