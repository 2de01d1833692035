/**
 * Idempotency keys: Slack redelivers requests (X-Slack-Retry-Num) and people double-click Submit.
 * The first caller to claim a key does the work; later callers see it was claimed (and, once set,
 * what it produced). The claim is an INSERT OR IGNORE, so it holds across processes on one file.
 */
import type { DB } from './db.ts';

export interface IdempotencyEntry {
  key: string;
  createdAt: number;
  result: string | null;
}

interface Row {
  key: string;
  created_at: number;
  result: string | null;
}

export function createIdempotencyRepo(db: DB) {
  const insert = db.prepare<[string, number]>(
    'INSERT OR IGNORE INTO idempotency_keys (key, created_at) VALUES (?, ?)',
  );
  const byKey = db.prepare<[string], Row>('SELECT * FROM idempotency_keys WHERE key = ?');
  const setResult = db.prepare<[string | null, string]>(
    'UPDATE idempotency_keys SET result = ? WHERE key = ?',
  );
  const prune = db.prepare<[number]>('DELETE FROM idempotency_keys WHERE created_at < ?');

  return {
    /** true for the first caller only. */
    claim(key: string, now: number): boolean {
      return insert.run(key, now).changes === 1;
    },
    get(key: string): IdempotencyEntry | undefined {
      const r = byKey.get(key);
      return r && { key: r.key, createdAt: r.created_at, result: r.result };
    },
    /** Returns false when the key was never claimed. */
    setResult(key: string, result: string | null): boolean {
      return setResult.run(result, key).changes === 1;
    },
    /** Deletes keys claimed before `olderThan`; returns how many. */
    prune(olderThan: number): number {
      return prune.run(olderThan).changes;
    },
  };
}
export type IdempotencyRepo = ReturnType<typeof createIdempotencyRepo>;
