/**
 * Wires the running bot: config → store → manifests → Harness client → engine → scheduler → HTTP.
 * Used by `npm start` and by tests that start the whole thing in a child process.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createStore, type Store } from './store/index.ts';
import { loadManifests, formatManifestError } from './manifests/load.ts';
import { createHarnessClient } from './harness/client.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { startScheduler, type Scheduler } from './engine/scheduler.ts';
import { systemClock, type Clock, type HarnessApi } from './engine/ports.ts';
import { createHttpServer, listen } from './http/server.ts';
import { AppError } from './errors.ts';
import type { Catalog } from './manifests/schema.ts';

export interface App {
  config: Config;
  store: Store;
  engine: Engine;
  scheduler: Scheduler;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

export function harnessFromConfig(config: Config): HarnessApi | undefined {
  if (!config.HARNESS_API_KEY || !config.HARNESS_ACCOUNT_ID) return undefined;
  return createHarnessClient({
    baseUrl: config.HARNESS_BASE_URL,
    uiUrl: config.HARNESS_UI_URL,
    apiKey: config.HARNESS_API_KEY,
    accountId: config.HARNESS_ACCOUNT_ID,
  });
}

export async function startApp(config: Config, log: Logger, clock: Clock = systemClock): Promise<App> {
  const loaded = loadManifests(config.MANIFESTS_DIR);
  if (loaded.errors.length) {
    throw new AppError(
      'MANIFEST_INVALID',
      `Manifests in ${config.MANIFESTS_DIR} have ${loaded.errors.length} error(s):\n${loaded.errors.map(formatManifestError).join('\n')}`,
    );
  }
  const catalog: Catalog = loaded.catalog;
  const store = createStore(config.DATABASE_PATH);
  if (store.applied.length) log.info({ migrations: store.applied }, 'database migrated');
  const harness = harnessFromConfig(config);
  if (!harness)
    log.warn(
      'Harness is not configured (HARNESS_API_KEY, HARNESS_ACCOUNT_ID): pipeline steps will fail until it is.',
    );
  const engine = createEngine({
    store,
    catalog: () => catalog,
    clock,
    log,
    ...(harness ? { harness } : {}),
    poll: { minMs: config.POLL_INTERVAL_MS, maxMs: Math.max(config.POLL_INTERVAL_MS, 30_000) },
  });
  const recovered = engine.recover();
  log.info({ ...recovered, runbooks: catalog.runbooks.size }, 'engine recovered unfinished runs');
  const scheduler = startScheduler(engine, log);
  scheduler.kick();
  const server = createHttpServer({
    ready: () => {
      let db = 'ok';
      try {
        store.db.prepare('SELECT 1').get();
      } catch (e) {
        db = (e as Error).message;
      }
      return { ok: db === 'ok', checks: { database: db, manifests: `${catalog.runbooks.size} runbooks` } };
    },
  });
  const port = await listen(server, config.PORT, config.HOST);
  log.info({ port, host: config.HOST }, 'runbook-bot listening');
  return {
    config,
    store,
    engine,
    scheduler,
    server,
    port,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      await scheduler.stop();
      store.close();
    },
  };
}
