/**
 * Wires the running bot: config → Slack credentials check → store → manifests → Harness client →
 * incident service, access, engine (with the Slack live-message notifier) → scheduler → Bolt →
 * one HTTP listener. Used by `npm start` and by tests that start the real thing.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createStore, type Store } from './store/index.ts';
import { loadManifests, formatManifestError } from './manifests/load.ts';
import { createHarnessClient } from './harness/client.ts';
import { createRateLimiter, type RateLimiter } from './harness/rate-limit.ts';
import { expectWaitingSteps, watcherOf, withWatchBatching } from './engine/watch-batcher.ts';
import { createHarnessEventsHandler } from './http/harness-events.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { defaultActions } from './engine/actions/index.ts';
import { startScheduler, type Scheduler } from './engine/scheduler.ts';
import { systemClock, type Clock, type HarnessApi } from './engine/ports.ts';
import { createHttpServer, listen } from './http/server.ts';
import { AppError } from './errors.ts';
import type { Catalog } from './manifests/schema.ts';
import { createIncidentService } from './incidents/service.ts';
import { createAccess } from './access/access.ts';
import { assertSlackConfig, verifySlackToken } from './slack/startup.ts';
import { RunMessagePublisher } from './slack/notifier.ts';
import { createSlackApp, type SlackApp } from './slack/app.ts';
import { summaryPublisher, createIncidentChannel, inviteUsers } from './slack/incident-channel.ts';
import { countedClient } from './slack/counted-client.ts';
import { createTriggerService } from './triggers/service.ts';
import { createApiHandler } from './http/api/handler.ts';
import { startGates } from './gates/wire.ts';
import { inputTemplateReaderFromConfig } from './harness/input-template.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { countHarnessRequest } from './observability/harness-requests.ts';
import { createCountedWebClient } from './observability/slack-requests.ts';
import { observingNotifier } from './observability/step-observer.ts';
import { guardReplays } from './observability/replay-guard.ts';
import { readiness, trackSocket } from './observability/readiness.ts';
import { liveCatalog, type LiveCatalog } from './manifests/watch.ts';
import type { RequestInfo } from './harness/types.ts';

export interface App {
  config: Config;
  store: Store;
  engine: Engine;
  scheduler: Scheduler;
  server: Server;
  slack: SlackApp;
  publisher: RunMessagePublisher;
  port: number;
  metrics: Metrics;
  /** The one Harness request budget: the pipeline and the freeze clients both spend it. */
  harnessLimiter: RateLimiter;
  /** The live manifest set: `reload()` on SIGHUP; files are watched too. */
  manifests: LiveCatalog;
  stop(): Promise<void>;
}

export function harnessFromConfig(
  config: Config,
  onRequest?: (info: RequestInfo) => void,
  limiter: RateLimiter = createRateLimiter({ perMinute: config.HARNESS_RATE_LIMIT_PER_MIN }),
): HarnessApi | undefined {
  if (!config.HARNESS_API_KEY || !config.HARNESS_ACCOUNT_ID) return undefined;
  const client = createHarnessClient({
    baseUrl: config.HARNESS_BASE_URL,
    uiUrl: config.HARNESS_UI_URL,
    apiKey: config.HARNESS_API_KEY,
    accountId: config.HARNESS_ACCOUNT_ID,
    ...(onRequest ? { onRequest } : {}),
    limiter,
  });
  // Waiting steps share one execution-list call per project (engine/watch-batcher.ts).
  if (config.HARNESS_WATCH_MODE === 'single') return client;
  // With many projects, HARNESS_LIST_BUDGET_PER_MIN keeps lists to a share of the budget.
  return withWatchBatching(client, {
    freshMs: config.POLL_INTERVAL_MS,
    ...(config.HARNESS_LIST_BUDGET_PER_MIN ? { listBudgetPerMin: config.HARNESS_LIST_BUDGET_PER_MIN } : {}),
  });
}

function loadCatalog(config: Config): Catalog {
  const loaded = loadManifests(config.MANIFESTS_DIR);
  if (loaded.errors.length) {
    throw new AppError(
      'MANIFEST_INVALID',
      `Manifests in ${config.MANIFESTS_DIR} have ${loaded.errors.length} error(s):\n${loaded.errors.map(formatManifestError).join('\n')}`,
    );
  }
  return loaded.catalog;
}

export async function startApp(config: Config, log: Logger, clock: Clock = systemClock): Promise<App> {
  assertSlackConfig(config);
  const catalog = loadCatalog(config);
  const identity = await verifySlackToken(config);
  const store = createStore(config.DATABASE_PATH);
  if (store.applied.length) log.info({ migrations: store.applied }, 'database migrated');
  const metrics = createMetrics({ db: () => store.db, now: clock.now });
  // Harness budgets per API key: every client of this process spends one limiter (rate-limit.ts).
  const harnessLimiter = createRateLimiter({ perMinute: config.HARNESS_RATE_LIMIT_PER_MIN });
  const harness = harnessFromConfig(config, countHarnessRequest(metrics), harnessLimiter);
  if (!harness)
    log.warn(
      'Harness is not configured (HARNESS_API_KEY, HARNESS_ACCOUNT_ID): pipeline steps will fail until it is.',
    );

  const client = createCountedWebClient(config.SLACK_BOT_TOKEN!, config.SLACK_API_URL, metrics);
  const manifests = liveCatalog(config.MANIFESTS_DIR, catalog, log, (r) =>
    metrics.manifestReloads.inc({ result: r.ok ? 'ok' : 'invalid' }),
  );
  const getCatalog = manifests.get;
  const unwatch = manifests.watch();
  const incidents = createIncidentService({ store, catalog: getCatalog, clock, log });
  const access = createAccess({
    catalog: getCatalog,
    clock,
    usergroupMembers: async (usergroup) =>
      ((await client.usergroups.users.list({ usergroup })).users ?? []) as string[],
  });
  const publisher = new RunMessagePublisher({
    client: client as never,
    store,
    log,
    now: clock.now,
    // Workspace-wide Slack budgets per method class (README "Slack rate limits").
    limits: { updatesPerMin: config.SLACK_UPDATES_PER_MIN, postsPerMin: config.SLACK_POSTS_PER_MIN },
  });
  metrics.observeSlackPublisher(() => publisher.stats());
  // Everyone else who posts or rewrites messages spends the publisher's budgets too.
  const countedSlack = countedClient(client, publisher);
  const gates = startGates({
    config,
    store,
    catalog: getCatalog,
    clock,
    log,
    post: (channel, text) => countedSlack.chat.postMessage({ channel, text }),
    limiter: harnessLimiter,
    onHarnessRequest: countHarnessRequest(metrics),
  });
  incidents.on(() => gates.onIncidentChange());
  const engine = createEngine({
    store,
    catalog: getCatalog,
    clock,
    log,
    notifier: observingNotifier(publisher, metrics, clock.now()),
    actions: defaultActions({
      slack: countedSlack as never,
      // `slack.message` with `channel: thread` replies under the run's live message.
      slackThread: (runId) => {
        const row = store.runMessages.get(runId);
        return row?.ts ? { channel: row.channel, ts: row.ts } : undefined;
      },
    }),
    ...(harness ? { harness } : {}),
    // Closed deployment gates refuse `deploys: true` runbooks (or make them wait for an override).
    gates: gates.service,
    poll: { minMs: config.POLL_INTERVAL_MS, maxMs: Math.max(config.POLL_INTERVAL_MS, 30_000) },
  });
  const publishIncidentSummary = summaryPublisher({
    client: countedSlack,
    store,
    catalog: getCatalog,
    now: clock.now,
    log,
    gateLines: (id) => gates.service.describeFor(id),
  });
  incidents.on((ev) => void publishIncidentSummary(ev.incident.id));
  // Runs that started before their incident had a channel (a trigger on incident.created) get
  // their message as soon as the channel exists.
  incidents.on((ev) => {
    if (ev.changes.some((c) => c.field === 'channel') && ev.incident.channel) {
      for (const run of store.runs.forIncident(ev.incident.id)) publisher.runChanged(run);
    }
  });
  const triggers = createTriggerService({ store, engine, catalog: getCatalog, clock, log });
  incidents.on((ev) => {
    if (triggers.handle(ev).length) scheduler.kick();
  });

  const recovered = engine.recover();
  log.info({ ...recovered, runbooks: catalog.runbooks.size }, 'engine recovered unfinished runs');
  // Waiting pipelines are read again in full list calls, not one first read at a time.
  const watcher = watcherOf(harness);
  if (watcher) expectWaitingSteps(watcher, store.db);
  const scheduler = startScheduler(engine, log);
  scheduler.kick();

  const slack = createSlackApp(config, identity, {
    store,
    engine,
    incidents,
    access,
    catalog: getCatalog,
    clock,
    log,
    publisher,
    kick: () => scheduler.kick(),
    gates: gates.service,
    manifestErrors: () => manifests.lastErrors(),
    // `/runbook validate` asks Harness for each pipeline's runtime inputs.
    ...(harness ? { readInputTemplate: inputTemplateReaderFromConfig(config, harnessLimiter) } : {}),
    metrics,
  });
  const api = createApiHandler({
    incidents,
    store,
    apiToken: config.API_TOKEN,
    clock,
    log,
    // Incidents opened by alerting tools get a channel like /incident declare's, with the commander in it.
    setupChannel: async (incident) => {
      if (incident.channel) return null;
      const channel = await createIncidentChannel(client, incident, log);
      if (incident.commander) await inviteUsers(client, channel, [incident.commander]).catch(() => undefined);
      return channel;
    },
  });
  const server = createHttpServer({
    api,
    gates: gates.api,
    harnessEvents: createHarnessEventsHandler({
      secret: config.HARNESS_WEBHOOK_SECRET,
      store,
      clock,
      kick: () => scheduler.kick(),
      // A confirmed push is recorded at once, not behind thousands of routine polls.
      advance: (runIds) => void engine.advanceNow(runIds),
      watcher: watcherOf(harness),
      log,
    }),
    slack:
      slack.handle &&
      guardReplays(slack.handle, {
        onReplay: (req) => log.warn({ path: req.url }, 'replayed Slack request refused'),
      }),
    metrics: () => metrics.render(),
    health: {
      ready: readiness({
        db: () => store.db,
        manifests: () => ({
          runbooks: getCatalog().runbooks.size,
          error: manifests.lastErrors().length ? `${manifests.lastErrors().length} error(s)` : undefined,
        }),
        slackMode: slack.mode,
        socket: slack.socketClient && trackSocket(slack.socketClient),
      }),
    },
  });
  const port = await listen(server, config.PORT, config.HOST);
  try {
    await slack.start();
  } catch (e) {
    // A refused Socket Mode token fails start-up: let go of everything so the process can exit.
    unwatch();
    await new Promise<void>((r) => server.close(() => r()));
    await scheduler.stop();
    await gates.stop();
    publisher.stop();
    store.close();
    throw e;
  }
  log.info({ port, host: config.HOST, slack: slack.mode, team: identity.team }, 'runbook-bot listening');
  return {
    config,
    store,
    engine,
    scheduler,
    server,
    slack,
    publisher,
    port,
    metrics,
    harnessLimiter,
    manifests,
    async stop() {
      unwatch();
      // Stop taking requests; idle keep-alive sockets would otherwise hold close() open.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await closed;
      await slack.stop();
      await scheduler.stop();
      await gates.stop();
      // A message Slack keeps refusing must not eat the 10 s shutdown budget.
      await publisher.idle(3000);
      publisher.stop();
      store.close();
    },
  };
}
