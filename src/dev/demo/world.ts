/**
 * The demo's world: the real app (startApp) wired to the same loopback stand-ins the tests use —
 * Slack Web API, Harness, Jira and a status-page webhook receiver from test/fakes/ (one
 * implementation for tests and demo, so the demo cannot drift from what is tested) — with the
 * repo's manifests and a SQLite file in a fresh folder that is kept afterwards for inspection.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { startSlackFake, type SlackFake } from '../../../test/fakes/slack-fake.ts';
import { startHarnessFake, type HarnessFake } from '../../../test/fakes/harness-fake.ts';
import { startJiraFake, type JiraFake } from '../../../test/fakes/jira-fake.ts';
import { startWebhookFake, type WebhookFake } from '../../../test/fakes/webhook-fake.ts';

export const SIGNING_SECRET = 'demo-signing-secret-0123456789abcdef';
export const API_TOKEN = 'demo-api-token-0123456789';
const STATUSPAGE_SECRET = 'demo-statuspage-secret';
/** The env vars the demo sets for the follow-ups, so they reach loopback receivers, not the internet. */
export const FOLLOWUP_ENV = [
  'JIRA_BASE_URL',
  'JIRA_EMAIL',
  'JIRA_API_TOKEN',
  'STATUSPAGE_WEBHOOK_URL',
  'STATUSPAGE_WEBHOOK_SECRET',
] as const;

export interface DemoWorld {
  app: App;
  url: string;
  dir: string;
  dbPath: string;
  slack: SlackFake;
  harness: HarnessFake;
  jira: JiraFake;
  statusPage: WebhookFake;
  /** JSON request to the incident API with the bearer token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

export async function startDemoWorld(opts: { dir?: string; logLevel?: string } = {}): Promise<DemoWorld> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'runbook-bot-demo-'));
  const manifests = join(dir, 'manifests');
  cpSync(join(import.meta.dirname, '..', '..', '..', 'manifests'), manifests, { recursive: true });
  const slack = await startSlackFake();
  const harness = await startHarnessFake();
  const jira = await startJiraFake();
  const statusPage = await startWebhookFake({ secret: STATUSPAGE_SECRET });
  // Follow-up actions read their settings from the environment at run time (no secrets in manifests).
  Object.assign(process.env, {
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.token,
    STATUSPAGE_WEBHOOK_URL: `${statusPage.url}/status`,
    STATUSPAGE_WEBHOOK_SECRET: STATUSPAGE_SECRET,
  });
  const dbPath = join(dir, 'runbook-bot.db');
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    HARNESS_BASE_URL: harness.url,
    HARNESS_API_KEY: harness.apiKey,
    HARNESS_ACCOUNT_ID: harness.accountId,
    DATABASE_PATH: dbPath,
    MANIFESTS_DIR: manifests,
    PORT: '0',
    HOST: '127.0.0.1',
    POLL_INTERVAL_MS: '250',
    API_TOKEN,
  });
  const app = await startApp(config, createLogger(opts.logLevel ?? 'silent'));
  const url = `http://127.0.0.1:${app.port}`;
  return {
    app,
    url,
    dir,
    dbPath,
    slack,
    harness,
    jira,
    statusPage,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async stop() {
      await app.stop();
      await slack.close();
      await harness.close();
      await jira.close();
      await statusPage.close();
    },
  };
}
