/**
 * The Bolt app. HTTP mode: Bolt's HTTPReceiver verifies signatures and parses requests; our one
 * HTTP listener hands it `/slack/events` (health and the API share the port). Socket Mode when
 * SLACK_APP_TOKEN is set. Listeners are registered from listeners/.
 */
import { App, HTTPReceiver, SocketModeReceiver, LogLevel } from '@slack/bolt';
import type { App as BoltApp } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config.ts';
import type { SlackDeps } from './deps.ts';
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
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(config: Config, identity: SlackIdentity, deps: SlackDeps): SlackApp {
  const mode = slackMode(config);
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
  });
  app.error(async (error) => {
    deps.log.error({ err: error.message, code: (error as { code?: string }).code }, 'slack listener failed');
  });
  registerRunbookCommand(app, deps);
  registerIncidentCommand(app, deps);
  registerRunActions(app, deps);
  registerIncidentViews(app, deps);
  registerHome(app, deps);
  registerApprovals(app, deps);
  return {
    app,
    mode,
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
    },
  };
}
