/**
 * The Bolt app. HTTP mode: Bolt's HTTPReceiver verifies signatures and parses requests; our one
 * HTTP listener hands it `/slack/events` (health and the API share the port). Socket Mode when
 * SLACK_APP_TOKEN is set. Listeners are registered from listeners/.
 *
 * The path to an ack is kept as short as a bare Bolt app's (bench/ack.ts measures both): Bolt sees
 * no listener at all (router.ts: one global middleware dispatches by id), no conversation store (nothing here reads
 * `context.conversation`), and what follows an ack runs from the after-ack queue (after-ack.ts),
 * with modals opened through the lean Web API caller (lean-api.ts).
 */
import { App, HTTPReceiver, SocketModeReceiver, LogLevel } from '@slack/bolt';
import type { App as BoltApp } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config.ts';
import type { SlackDeps, SlackDepsInput } from './deps.ts';
import { slackOutcome } from '../observability/slack-requests.ts';
import { createAfterAckQueue } from './after-ack.ts';
import { createLeanSlackApi } from './lean-api.ts';
import { createListenerRouter } from './router.ts';
import type { SlackIdentity } from './startup.ts';
import { slackMode } from './startup.ts';
import { webClientOptions } from './client.ts';
import { AppError } from '../errors.ts';
import { registerRunbookCommand } from './listeners/runbook-command.ts';
import { registerIncidentCommand } from './listeners/incident-command.ts';
import { registerRunActions } from './listeners/run-actions.ts';
import { registerIncidentViews } from './listeners/incident-views.ts';
import { registerHome } from './listeners/home.ts';
import { registerApprovals } from './listeners/approvals.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bolt's Logger interface on top of pino, so all logs share one format and redaction. */
function boltLogger(log: PinoLogger) {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  const fmt = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(' ');
  return {
    debug: (...m: unknown[]) => child.debug(fmt(m)),
    info: (...m: unknown[]) => child.info(fmt(m)),
    warn: (...m: unknown[]) => child.warn(fmt(m)),
    error: (...m: unknown[]) => child.error(fmt(m)),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

export interface SlackApp {
  app: BoltApp;
  mode: 'http' | 'socket';
  /** HTTP mode: the request handler for /slack/events. */
  handle?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Socket Mode: the WebSocket client (its connected/disconnected events feed /readyz). */
  socketClient?: SocketModeReceiver['client'];
  /** Follow-up work of acked requests (drained by stop()). */
  afterAck: SlackDeps['afterAck'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How long stop() waits for queued follow-up work (views.open, engine calls) to finish. */
export const AFTER_ACK_DRAIN_MS = 2000;

export function createSlackApp(config: Config, identity: SlackIdentity, input: SlackDepsInput): SlackApp {
  const mode = slackMode(config);
  const metrics = input.metrics;
  // Metric children are bound once per label set: prom-client hashes the labels on every call
  // otherwise, which is not free on a path that runs once per Slack request.
  const waitFor = new Map<string, { observe(v: number): void }>();
  const countFor = new Map<string, { inc(): void }>();
  const afterAck = createAfterAckQueue({
    log: input.log,
    ...(metrics
      ? {
          onStart: (priority: string, waitedMs: number) => {
            let h = waitFor.get(priority);
            if (!h) waitFor.set(priority, (h = metrics.slackAfterAckWait.labels({ priority })));
            h.observe(waitedMs / 1000);
          },
        }
      : {}),
  });
  metrics?.observeAfterAckQueue(() => afterAck.depth());
  const slackApi = createLeanSlackApi({
    token: config.SLACK_BOT_TOKEN!,
    slackApiUrl: config.SLACK_API_URL,
    ...(metrics
      ? {
          onOutcome: (method: string, e?: unknown) => {
            const status = e === undefined ? 'ok' : slackOutcome(e);
            const key = `${method} ${status}`;
            let c = countFor.get(key);
            if (!c) countFor.set(key, (c = metrics.slackRequests.labels({ method, status })));
            c.inc();
          },
        }
      : {}),
  });
  const deps: SlackDeps = { ...input, afterAck, slackApi };
  const logger = boltLogger(deps.log);
  const receiver =
    mode === 'http'
      ? new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', logger })
      : new SocketModeReceiver({
          appToken: config.SLACK_APP_TOKEN!,
          logger,
          // A receiver we build ourselves does not get App's clientOptions: without this the
          // Socket Mode client asks slack.com for its WebSocket URL whatever SLACK_API_URL says
          // (GovSlack, the tests' fake). Its own retry policy is kept: it is what reconnects.
          installerOptions: { clientOptions: { slackApiUrl: config.SLACK_API_URL, timeout: 10_000 } },
        });
  const app = new App({
    token: config.SLACK_BOT_TOKEN!,
    botId: identity.botId,
    botUserId: identity.botUserId,
    receiver,
    logger,
    clientOptions: webClientOptions(config.SLACK_API_URL),
    convoStore: false,
  });
  app.error(async (error) => {
    deps.log.error({ err: error.message, code: (error as { code?: string }).code }, 'slack listener failed');
  });
  const routed = createListenerRouter(app).app;
  registerRunbookCommand(routed, deps);
  registerIncidentCommand(routed, deps);
  registerRunActions(routed, deps);
  registerIncidentViews(routed, deps);
  registerHome(routed, deps);
  registerApprovals(routed, deps);
  return {
    app,
    mode,
    afterAck,
    ...(receiver instanceof HTTPReceiver ? { handle: receiver.requestListener } : {}),
    ...(receiver instanceof SocketModeReceiver ? { socketClient: receiver.client } : {}),
    async start() {
      if (mode !== 'socket') return;
      try {
        await app.start();
      } catch (e) {
        // The client gives up at once on auth errors (invalid_auth, not_authed…); say which variable.
        const detail = (e as { data?: { error?: string } }).data?.error ?? (e as Error).message;
        throw new AppError(
          'CONFIG_INVALID',
          `Slack refused SLACK_APP_TOKEN at ${config.SLACK_API_URL}apps.connections.open: ${detail}. Socket Mode needs this app's app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write); see README.md#slack-app-setup.`,
          { cause: e },
        );
      }
    },
    async stop() {
      if (mode === 'socket') await app.stop();
      // Requests already acked still get their modal, run start or answer, within a budget.
      if (!(await afterAck.drain(AFTER_ACK_DRAIN_MS)))
        deps.log.warn(
          { queued: afterAck.depth(), running: afterAck.running() },
          'Slack follow-up work still running at shutdown',
        );
      slackApi.close();
    },
  };
}
