import type { DB } from './db.ts';
import type { Statement } from 'better-sqlite3';

const statements = new WeakMap<DB, Statement<[string], { value: number }>>();

/** Monotonic per-name sequence (INC-1, RUN-1 …). Must run inside the caller's transaction. */
export function nextCounter(db: DB, name: string): number {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare<[string], { value: number }>(
      'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value',
    );
    statements.set(db, stmt);
  }
  return stmt.get(name)!.value;
}
