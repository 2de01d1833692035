/**
 * Starts the whole bot in-process the way `npm start` does (startApp), against the loopback Slack and
 * Harness fakes, with a temp SQLite file and a manifests folder (the repo's examples plus extras).
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';
import { tempDir } from './tmp.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const API_TOKEN = 'test-api-token-0123456789';

export interface BotUnderTest {
  app: App;
  url: string;
  slack: SlackFake;
  harness: HarnessFake;
  dir: string;
  /** Stops the app (not the fakes) and starts a new one on the same database and manifests. */
  restart(): Promise<void>;
  /** JSON request to the incident API with the bearer token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

export async function startBot(
  opts: {
    extraManifests?: Record<string, string>;
    usergroups?: Record<string, string[]>;
    env?: Record<string, string>;
    /** Where the app logs (default: silent, or TEST_LOG_LEVEL to stdout). */
    log?: Logger;
  } = {},
): Promise<BotUnderTest> {
  const tmp = tempDir();
  const manifests = join(tmp.dir, 'manifests');
  cpSync(join(import.meta.dirname, '..', '..', 'manifests'), manifests, { recursive: true });
  for (const [name, text] of Object.entries(opts.extraManifests ?? {}))
    writeFileSync(join(manifests, name), text);
  const slack = await startSlackFake({ ...(opts.usergroups ? { usergroups: opts.usergroups } : {}) });
  const harness = await startHarnessFake();
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    HARNESS_BASE_URL: harness.url,
    HARNESS_API_KEY: harness.apiKey,
    HARNESS_ACCOUNT_ID: harness.accountId,
    DATABASE_PATH: join(tmp.dir, 'bot.db'),
    MANIFESTS_DIR: manifests,
    PORT: '0',
    HOST: '127.0.0.1',
    POLL_INTERVAL_MS: '100',
    API_TOKEN,
    ...opts.env,
  });
  const log = opts.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const bot: BotUnderTest = {
    app: await startApp(config, log),
    url: '',
    slack,
    harness,
    dir: tmp.dir,
    async restart() {
      await bot.app.stop();
      bot.app = await startApp(config, log);
      bot.url = `http://127.0.0.1:${bot.app.port}`;
    },
    async api(method, path, body) {
      const res = await fetch(`${bot.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async stop() {
      await bot.app.stop();
      await slack.close();
      await harness.close();
      tmp.cleanup();
    },
  };
  bot.url = `http://127.0.0.1:${bot.app.port}`;
  return bot;
}
