/** The store: one SQLite file, one repository per table family, and a transaction helper. */
import { openDatabase, migrate, type DB } from './db.ts';
import { createIncidentRepo } from './incidents.ts';
import { createRunRepo } from './runs.ts';
import { createTimelineRepo } from './timeline.ts';
import { createAuditRepo } from './audit.ts';
import { createIdempotencyRepo } from './idempotency.ts';
import { createRunMessageRepo } from './run-messages.ts';
import { createIncidentMessageRepo } from './incident-messages.ts';
import { createTriggerStateRepo } from './trigger-state.ts';

export function createStore(path: string) {
  const db = openDatabase(path);
  const applied = migrate(db);
  return storeOn(db, applied);
}

export function storeOn(db: DB, applied: string[] = []) {
  return {
    db,
    applied,
    incidents: createIncidentRepo(db),
    runs: createRunRepo(db),
    timeline: createTimelineRepo(db),
    audit: createAuditRepo(db),
    idempotency: createIdempotencyRepo(db),
    runMessages: createRunMessageRepo(db),
    incidentMessages: createIncidentMessageRepo(db),
    triggerState: createTriggerStateRepo(db),
    /** Runs fn in one SQLite transaction (nested calls become savepoints). */
    tx<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    close() {
      if (db.open) db.close();
    },
  };
}
export type Store = ReturnType<typeof storeOn>;
export type { RunRecord, StepRecord } from './runs.ts';
export type { IncidentRecord } from './incidents.ts';
export type { TimelineEvent } from './timeline.ts';
export type { IdempotencyEntry } from './idempotency.ts';
export type { RunMessage } from './run-messages.ts';
export type { IncidentMessage } from './incident-messages.ts';
export type { TriggerStateRow, TriggerKey } from './trigger-state.ts';
