/** Incident rows. Mutations go through the incident service (one place that emits events). */
import type { DB } from './db.ts';
import type { FieldValue, Incident, IncidentStatus, Severity } from '../domain/types.ts';
import { parseJson } from './json.ts';
import { nextCounter } from './counters.ts';
import { readCache } from './read-cache.ts';

interface IncidentRow {
  id: string;
  summary: string;
  severity: string;
  status: string;
  service: string | null;
  environment: string | null;
  type: string;
  commander: string | null;
  channel: string | null;
  fields_json: string;
  created_at: number;
  updated_at: number;
  version: number;
  external_id: string | null;
  is_test: number;
}

export interface IncidentRecord extends Incident {
  updatedAt: number;
  version: number;
  /** The id an alerting tool gave it (API `externalId`, Alertmanager `am:<groupKey>`); optional so literals in tests stay valid. */
  externalId?: string | null;
}

function fromRow(r: IncidentRow): IncidentRecord {
  return {
    id: r.id,
    summary: r.summary,
    severity: r.severity as Severity,
    status: r.status as IncidentStatus,
    service: r.service,
    environment: r.environment,
    type: r.type,
    commander: r.commander,
    channel: r.channel,
    createdAt: new Date(r.created_at).toISOString(),
    fields: parseJson<Record<string, FieldValue>>(r.fields_json, {}),
    updatedAt: r.updated_at,
    version: r.version,
    externalId: r.external_id ?? null,
    test: r.is_test === 1,
  };
}

export type NewIncident = Omit<Incident, 'id' | 'createdAt'> & { externalId?: string | null };

export function createIncidentRepo(db: DB) {
  const byId = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
  const byChannel = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE channel = ?');
  const byExternalId = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE external_id = ?');
  const insert = db.prepare(`INSERT INTO incidents
    (id, seq, summary, severity, status, service, environment, type, commander, channel, fields_json, external_id, is_test, created_at, updated_at)
    VALUES (@id, @seq, @summary, @severity, @status, @service, @environment, @type, @commander, @channel, @fields_json, @external_id, @is_test, @now, @now)`);
  const update = db.prepare(`UPDATE incidents SET summary=@summary, severity=@severity, status=@status,
    service=@service, environment=@environment, type=@type, commander=@commander, channel=@channel,
    fields_json=@fields_json, updated_at=@now,
    resolved_at=CASE WHEN @status = 'resolved' THEN COALESCE(resolved_at, @now) ELSE NULL END, version=version+1
    WHERE id=@id AND version=@version`);
  const list = db.prepare<[number], IncidentRow>('SELECT * FROM incidents ORDER BY seq DESC LIMIT ?');
  const open = db.prepare<[], IncidentRow>("SELECT * FROM incidents WHERE status <> 'resolved' ORDER BY seq");

  // get/byChannel answer every /runbook and Run click before its ack; see read-cache.ts for
  // why this is safe with other processes and transactions. The records it returns are frozen.
  const cache = readCache<IncidentRecord>(db, 'incidents');

  return {
    get(id: string): IncidentRecord | undefined {
      const key = id.toUpperCase();
      return cache.get(`id:${key}`, () => {
        const r = byId.get(key);
        return r && fromRow(r);
      });
    },
    byChannel(channel: string): IncidentRecord | undefined {
      return cache.get(`channel:${channel}`, () => {
        const r = byChannel.get(channel);
        return r && fromRow(r);
      });
    },
    byExternalId(externalId: string): IncidentRecord | undefined {
      const r = byExternalId.get(externalId);
      return r && fromRow(r);
    },
    list(limit = 50): IncidentRecord[] {
      return list.all(limit).map(fromRow);
    },
    listOpen(): IncidentRecord[] {
      return open.all().map(fromRow);
    },
    /** Caller wraps this in a transaction with the timeline/event writes. */
    insert(data: NewIncident, now: number): IncidentRecord {
      cache.invalidate();
      const seq = nextCounter(db, 'incident');
      const id = `INC-${seq}`;
      const { externalId, test, ...rest } = data;
      insert.run({
        ...rest,
        id,
        seq,
        fields_json: JSON.stringify(data.fields ?? {}),
        external_id: externalId ?? null,
        is_test: test ? 1 : 0,
        now,
      });
      return fromRow(byId.get(id)!);
    },
    /** Optimistic update: returns undefined when someone else changed the row first. */
    update(next: IncidentRecord, now: number): IncidentRecord | undefined {
      cache.invalidate();
      const res = update.run({
        ...next,
        fields_json: JSON.stringify(next.fields),
        now,
      });
      if (res.changes !== 1) return undefined;
      return fromRow(byId.get(next.id)!);
    },
  };
}
export type IncidentRepo = ReturnType<typeof createIncidentRepo>;
