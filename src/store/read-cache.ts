/**
 * A read cache for rows that are read on every Slack request and written rarely (incidents: every
 * `/runbook` and Run click looks its incident up before the ack; profiling the ack benchmark put
 * that lookup at ~0.03 ms of CPU per request, about a tenth of Bolt's whole ack path).
 *
 * Correctness comes before hits:
 * - Writes through this connection call `invalidate()` (the repository does, on insert/update).
 * - Writes by another connection (another process on the same file, `runbook-bot` CLI commands)
 *   change SQLite's `PRAGMA data_version`, which is checked on every read: a change empties the
 *   cache. (data_version does not move for this connection's own commits, hence `invalidate()`.)
 * - Inside a transaction nothing is read from or put into the cache: the transaction may see its
 *   own uncommitted writes, and a rollback would leave them cached.
 * - Cached values are frozen (deeply), so a caller that changes one fails loudly instead of
 *   changing what the next request sees.
 * One cache per connection and name, shared by every repository on that connection.
 */
import type { DB } from './db.ts';

export interface ReadCache<T> {
  /** The cached value for `key`, or `load()` (cached when outside a transaction; `undefined` too). */
  get(key: string, load: () => T | undefined): T | undefined;
  /** Forgets everything (call after every write through this connection). */
  invalidate(): void;
  size(): number;
}

const caches = new WeakMap<DB, Map<string, ReadCache<unknown>>>();

export function readCache<T>(db: DB, name: string, maxEntries = 2000): ReadCache<T> {
  let byName = caches.get(db);
  if (!byName) caches.set(db, (byName = new Map()));
  const existing = byName.get(name);
  if (existing) return existing as ReadCache<T>;

  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const entries = new Map<string, { value: T | undefined }>();
  let seenVersion: unknown;

  const cache: ReadCache<T> = {
    get(key, load) {
      if (db.inTransaction) return load();
      const version = dataVersion.get();
      if (version !== seenVersion) {
        entries.clear();
        seenVersion = version;
      }
      const hit = entries.get(key);
      if (hit) return hit.value;
      const value = load();
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, { value: deepFreeze(value) });
      return value;
    },
    invalidate: () => entries.clear(),
    size: () => entries.size,
  };
  byName.set(name, cache as ReadCache<unknown>);
  return cache;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
