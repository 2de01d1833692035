/**
 * The whole bot in Socket Mode, in-process (startApp, like bot-app.ts): SLACK_APP_TOKEN set, no
 * signing secret, the Slack fake's WebSocket link instead of signed requests. Payloads are built
 * from the same real fixtures as the HTTP tests (slack-requests.ts); Socket Mode only changes the
 * envelope (slash commands arrive as a JSON object of the form fields, interactivity without the
 * `payload=` form wrapper).
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';
import { slashCommandBody, type SlashCommandFields } from './slack-requests.ts';
import { tempDir } from './tmp.ts';

export interface SocketBot {
  app: App;
  url: string;
  slack: SlackFake;
  harness: HarnessFake;
  stop(): Promise<void>;
}

/** Starts the fakes and the bot; `appToken` is what the bot is configured with (default: the fake's). */
export async function startSocketBot(opts: { appToken?: string } = {}): Promise<SocketBot> {
  const tmp = tempDir();
  const manifests = join(tmp.dir, 'manifests');
  cpSync(join(import.meta.dirname, '..', '..', 'manifests'), manifests, { recursive: true });
  const slack = await startSlackFake();
  const harness = await startHarnessFake();
  const closeFakes = async () => {
    await slack.close();
    await harness.close();
    tmp.cleanup();
  };
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: opts.appToken ?? slack.socket.appToken,
    SLACK_API_URL: slack.url,
    HARNESS_BASE_URL: harness.url,
    HARNESS_API_KEY: harness.apiKey,
    HARNESS_ACCOUNT_ID: harness.accountId,
    DATABASE_PATH: join(tmp.dir, 'bot.db'),
    MANIFESTS_DIR: manifests,
    PORT: '0',
    HOST: '127.0.0.1',
    POLL_INTERVAL_MS: '100',
  });
  let app: App;
  try {
    app = await startApp(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  } catch (e) {
    await closeFakes();
    throw e;
  }
  return {
    app,
    url: `http://127.0.0.1:${app.port}`,
    slack,
    harness,
    async stop() {
      await app.stop();
      await closeFakes();
    },
  };
}

/** A slash_commands payload: the fixture's form fields as a JSON object of strings. */
export function slashCommandPayload(fields: SlashCommandFields): Record<string, unknown> {
  return Object.fromEntries(new URLSearchParams(slashCommandBody(fields)));
}
