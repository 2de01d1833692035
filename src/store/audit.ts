/** Append-only audit log: who did what to which run or incident. */
import type { DB } from './db.ts';
import { parseJson, toJson } from './json.ts';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string | null;
  action: string;
  subject: string | null;
  detail: Record<string, unknown> | null;
}

export function createAuditRepo(db: DB) {
  const insert = db.prepare(
    'INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES (@at, @actor, @action, @subject, @detail)',
  );
  const recent = db.prepare<
    [number],
    {
      id: number;
      at: number;
      actor: string | null;
      action: string;
      subject: string | null;
      detail_json: string | null;
    }
  >('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  return {
    add(e: {
      at: number;
      actor?: string | null;
      action: string;
      subject?: string | null;
      detail?: Record<string, unknown>;
    }) {
      insert.run({
        at: e.at,
        actor: e.actor ?? null,
        action: e.action,
        subject: e.subject ?? null,
        detail: toJson(e.detail),
      });
    },
    recent(limit = 100): AuditEntry[] {
      return recent.all(limit).map((r) => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        action: r.action,
        subject: r.subject,
        detail: parseJson(r.detail_json, null),
      }));
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
