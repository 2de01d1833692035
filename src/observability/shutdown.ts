/**
 * SIGTERM/SIGINT: stop taking requests, let the in-flight engine pass finish its writes, flush the
 * Slack messages briefly, close the database, exit 0 — all within SHUTDOWN_BUDGET_MS, under the
 * 10 s that orchestrators (Kubernetes' default grace period is 30 s, many set 10 s) wait before
 * SIGKILL. If something hangs (a Harness call that will not answer), the database is closed anyway:
 * better-sqlite3 is synchronous, so no write is half done when the timer fires, and every run's
 * state is already durable — the next start resumes from it.
 */
import type { Logger } from 'pino';

export const SHUTDOWN_BUDGET_MS = 8_000;

export async function gracefulShutdown(
  app: { stop(): Promise<void>; store: { close(): void } },
  log: Logger,
  signal: string,
  exit: (code: number) => void = (c) => process.exit(c),
  budgetMs = SHUTDOWN_BUDGET_MS,
): Promise<void> {
  const started = Date.now();
  log.info({ signal }, 'shutting down');
  const timer = setTimeout(() => {
    log.warn(
      { signal, ms: Date.now() - started },
      'shutdown took too long; closing the database and exiting',
    );
    app.store.close();
    exit(0);
  }, budgetMs);
  try {
    await app.stop();
    log.info({ signal, ms: Date.now() - started }, 'stopped');
    exit(0);
  } catch (e) {
    log.error({ signal, err: (e as Error).message }, 'shutdown failed; closing the database');
    app.store.close();
    exit(1);
  } finally {
    clearTimeout(timer);
  }
}
