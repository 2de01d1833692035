/**
 * `/readyz`: ready means the bot can do its job right now — the database takes writes, a valid
 * manifest set is loaded, and (Socket Mode) the WebSocket to Slack is up. Each check says what it
 * found, so a failing probe explains itself.
 */
import type { DB } from '../store/db.ts';

export interface SocketState {
  connected(): boolean;
}

/**
 * Takes and releases the write lock (BEGIN IMMEDIATE … ROLLBACK): fails on a read-only file, a full
 * or vanished disk, or a lock held for longer than `waitMs`. The busy timeout is shortened for the
 * probe so a stuck writer cannot hold the event loop for the normal 5 s.
 */
export function checkDbWritable(db: DB, waitMs = 250): string {
  if (!db.open) return 'closed';
  if (db.readonly) return 'read-only';
  if (db.inTransaction) return 'ok'; // a write is under way on this connection: it is writable
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma(`busy_timeout = ${waitMs}`);
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return 'ok';
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    return `not writable: ${(e as Error).message}`;
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}

/** Tracks the Socket Mode client's connection from its events. */
export function trackSocket(client: { on(event: string, fn: () => void): unknown }): SocketState {
  let up = false;
  client.on('connected', () => (up = true));
  for (const ev of ['disconnecting', 'disconnected', 'reconnecting']) client.on(ev, () => (up = false));
  return { connected: () => up };
}

export function readiness(opts: {
  db: () => DB;
  manifests: () => { runbooks: number; error?: string | undefined };
  slackMode: 'http' | 'socket';
  socket?: SocketState | undefined;
}): () => { ok: boolean; checks: Record<string, string> } {
  return () => {
    const database = checkDbWritable(opts.db());
    const m = opts.manifests();
    const manifests = `${m.runbooks} runbooks${m.error ? ` (last reload refused: ${m.error})` : ''}`;
    const checks: Record<string, string> = { database, manifests, slack: opts.slackMode };
    // Socket Mode: no WebSocket means no slash command or click reaches the bot.
    if (opts.slackMode === 'socket') checks.socket = opts.socket?.connected() ? 'connected' : 'not connected';
    const ok = database === 'ok' && (opts.slackMode === 'http' || checks.socket === 'connected');
    return { ok, checks };
  };
}
