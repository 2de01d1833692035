/**
 * Configuration comes from the environment only (DESIGN.md §2), validated once at start. A bad or
 * missing value fails fast with ONE message that names every offending variable.
 * Every variable needs a `.describe()` text: it is the README's configuration reference
 * (src/cli/config-docs.ts, `npm run docs:config`), and a test fails naming any variable without one.
 */
import { z } from 'zod';
import { AppError } from './errors.ts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = (def: string) =>
  z
    .string()
    .default(def)
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: 'must be an http(s) URL' })
    .transform((v) => v.replace(/\/+$/, ''));

const optionalUrl = optionalString
  .refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), { message: 'must be an http(s) URL' })
  .transform((v) => v?.replace(/\/+$/, ''));

export const configSchema = z.object({
  SLACK_BOT_TOKEN: optionalString
    .refine((v) => v === undefined || v.startsWith('xoxb-'), {
      message: 'must be a bot token starting with xoxb-',
    })
    .describe('`xoxb-…` Bot User OAuth Token; `start` needs it ([Slack app setup](#slack-app-setup))'),
  SLACK_SIGNING_SECRET: optionalString.describe(
    "verifies Slack's requests in HTTP mode; `start` needs it unless `SLACK_APP_TOKEN` is set",
  ),
  SLACK_APP_TOKEN: optionalString
    .refine((v) => v === undefined || v.startsWith('xapp-'), {
      message: 'must be an app-level token starting with xapp-',
    })
    .describe('`xapp-…` app-level token; when set, Socket Mode is used instead of HTTP'),
  SLACK_API_URL: url('https://slack.com/api')
    .transform((v) => `${v}/`)
    .describe('Slack Web API base (GovSlack: `https://slack-gov.com/api/`)'),
  PORT: z.coerce
    .number({ error: 'must be a port number (0-65535)' })
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .describe(
      'HTTP listener port: Slack (`POST /slack/events`), `/api/*`, `/healthz`, `/readyz`, `/metrics`',
    ),
  HOST: z.string().default('0.0.0.0').describe('address the HTTP listener binds to'),
  HARNESS_API_KEY: optionalString.describe(
    'Harness service-account token (`x-api-key`); never logged ([Harness setup](#harness-setup))',
  ),
  HARNESS_ACCOUNT_ID: optionalString.describe('Harness account identifier'),
  HARNESS_BASE_URL: url('https://app.harness.io/gateway').describe(
    'Harness API base (self-managed platforms differ)',
  ),
  HARNESS_UI_URL: url('https://app.harness.io').describe('base of execution links'),
  DATABASE_PATH: z
    .string()
    .default('./data/runbook-bot.db')
    .describe('SQLite file (created with its folder, migrated at start)'),
  MANIFESTS_DIR: z
    .string()
    .default('./manifests')
    .describe('runbooks, incident types, access policy, deployment gates'),
  API_TOKEN: optionalString.describe('bearer token for `/api/*` (the API is off when unset)'),
  /** Read-only bearer token for GET /api/gates/deploy only (pipelines); API_TOKEN works there too. */
  GATE_TOKEN: optionalString.describe(
    'read-only bearer token for `GET /api/gates/deploy` only ([Deployment gates](#deployment-gates)); `API_TOKEN` works there too',
  ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino level'),
  // Follow-up actions (engine/actions): optional; a step that needs a missing one fails naming it.
  JIRA_BASE_URL: optionalUrl.describe(
    'Jira Cloud site, e.g. `https://your-org.atlassian.net`, for `jira.*` follow-ups ([Follow-up actions](#follow-up-actions))',
  ),
  JIRA_EMAIL: optionalString.describe('Jira account email (basic auth with `JIRA_API_TOKEN`)'),
  JIRA_API_TOKEN: optionalString.describe('Jira API token; never logged'),
  SERVICENOW_INSTANCE_URL: optionalUrl.describe(
    'ServiceNow instance, e.g. `https://your-instance.service-now.com`, for `servicenow.update` follow-ups',
  ),
  SERVICENOW_USERNAME: optionalString.describe(
    'ServiceNow basic-auth user (with `SERVICENOW_PASSWORD`) when `SERVICENOW_TOKEN` is unset',
  ),
  SERVICENOW_PASSWORD: optionalString.describe('ServiceNow basic-auth password; never logged'),
  SERVICENOW_TOKEN: optionalString.describe(
    'ServiceNow OAuth bearer token (instead of username and password); never logged',
  ),
  SMTP_URL: optionalString
    .refine((v) => v === undefined || /^smtps?:\/\/[^\s]+$/.test(v), {
      message: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
    })
    .describe(
      'SMTP server of `email` follow-ups: `smtp://` or `smtps://user:password@host:465` (the password lives only here)',
    ),
  SMTP_FROM: optionalString.describe('sender address of `email` follow-ups'),
  /** Poll cadence of the run engine (how often due steps are looked for). */
  POLL_INTERVAL_MS: z.coerce
    .number({ error: 'must be milliseconds (50-60000)' })
    .int()
    .min(50)
    .max(60_000)
    .default(2000)
    .describe(
      'first poll delay of a waiting pipeline (backs off to 30 s); in batch mode also how long an execution list stays fresh',
    ),
  /** Value of the secret header Harness notification webhooks send (POST /api/harness/events); off when unset. */
  HARNESS_WEBHOOK_SECRET: optionalString.describe(
    'value of the `X-Runbook-Bot-Secret` header Harness notifications send to `POST /api/harness/events` (off when unset; [push](#push-harness-notifications))',
  ),
  /** Budget for all Harness calls of this process; Harness allows 1,000/minute per API key. */
  HARNESS_RATE_LIMIT_PER_MIN: z.coerce
    .number({ error: 'must be requests per minute (1-5000)' })
    .int()
    .min(1)
    .max(5000)
    .default(600)
    .describe(
      'budget for all Harness calls of the process (Harness allows 1,000/minute per key); a 429 pauses every call',
    ),
  /** batch: waiting steps share one execution-list call per project; single: one status call per run. */
  HARNESS_WATCH_MODE: z
    .enum(['batch', 'single'])
    .default('batch')
    .describe(
      '`batch`: waiting steps share one execution-list call per project; `single`: one status call per run',
    ),
  /** Optional cap on execution-list calls per minute (lists are then reused longer); unset: one per project per poll. */
  HARNESS_LIST_BUDGET_PER_MIN: z.coerce
    .number({ error: 'must be list calls per minute (1-5000)' })
    .int()
    .min(1)
    .max(5000)
    .optional()
    .describe(
      'cap on execution-list calls per minute, inside `HARNESS_RATE_LIMIT_PER_MIN` (push confirmations first; polling plans for half of it and reuses rows longer when many runs are watched); e.g. 80% of `HARNESS_RATE_LIMIT_PER_MIN`',
    ),
  /** chat.update is Slack tier 3, "50+ per minute" per workspace and app: the published floor is the default. */
  SLACK_UPDATES_PER_MIN: z.coerce
    .number({ error: 'must be chat.update calls per minute (1-6000)' })
    .int()
    .min(1)
    .max(6000)
    .default(50)
    .describe(
      'workspace-wide budget for live-message rewrites (`chat.update`, Slack tier 3: 50+/minute); terminal states and approval prompts go first ([Slack rate limits](#slack-rate-limits))',
    ),
  /** chat.postMessage: ~1/s per channel (paced separately) and "several hundred per minute" per workspace. */
  SLACK_POSTS_PER_MIN: z.coerce
    .number({ error: 'must be chat.postMessage calls per minute (1-6000)' })
    .int()
    .min(1)
    .max(6000)
    .default(300)
    .describe(
      'workspace-wide budget for run messages and thread replies (`chat.postMessage`: Slack allows "several hundred per minute", plus 1/second per channel, which is always kept)',
    ),
});
export type Config = z.infer<typeof configSchema>;

export const README_CONFIG_ANCHOR = 'README.md#configuration';

/** Parses the environment; throws one AppError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = configSchema.safeParse(env);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
  throw new AppError(
    'CONFIG_INVALID',
    `Invalid configuration:\n${lines.join('\n')}\nSee ${README_CONFIG_ANCHOR}.`,
  );
}

/** Variables a feature needs; returns the names that are missing so the caller can say them all at once. */
export function missingVars(config: Config, names: (keyof Config)[]): string[] {
  return names.filter((n) => config[n] === undefined || config[n] === '');
}
