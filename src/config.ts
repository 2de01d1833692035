/**
 * Configuration comes from the environment only (DESIGN.md §2), validated once at start. A bad or
 * missing value fails fast with ONE message that names every offending variable.
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
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message: 'must be a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'must be an app-level token starting with xapp-',
  }),
  SLACK_API_URL: url('https://slack.com/api').transform((v) => `${v}/`),
  PORT: z.coerce.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  HARNESS_API_KEY: optionalString,
  HARNESS_ACCOUNT_ID: optionalString,
  HARNESS_BASE_URL: url('https://app.harness.io/gateway'),
  HARNESS_UI_URL: url('https://app.harness.io'),
  DATABASE_PATH: z.string().default('./data/runbook-bot.db'),
  MANIFESTS_DIR: z.string().default('./manifests'),
  API_TOKEN: optionalString,
  /** Read-only bearer token for GET /api/gates/deploy only (pipelines); API_TOKEN works there too. */
  GATE_TOKEN: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Follow-up actions (engine/actions): optional; a step that needs a missing one fails naming it.
  JIRA_BASE_URL: optionalUrl,
  JIRA_EMAIL: optionalString,
  JIRA_API_TOKEN: optionalString,
  SERVICENOW_INSTANCE_URL: optionalUrl,
  SERVICENOW_USERNAME: optionalString,
  SERVICENOW_PASSWORD: optionalString,
  SERVICENOW_TOKEN: optionalString,
  SMTP_URL: optionalString.refine((v) => v === undefined || /^smtps?:\/\/[^\s]+$/.test(v), {
    message: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
  }),
  SMTP_FROM: optionalString,
  /** Poll cadence of the run engine (how often due steps are looked for). */
  POLL_INTERVAL_MS: z.coerce
    .number({ error: 'must be milliseconds (50-60000)' })
    .int()
    .min(50)
    .max(60_000)
    .default(2000),
  /** Value of the secret header Harness notification webhooks send (POST /api/harness/events); off when unset. */
  HARNESS_WEBHOOK_SECRET: optionalString,
  /** Budget for all Harness calls of this process; Harness allows 1,000/minute per API key. */
  HARNESS_RATE_LIMIT_PER_MIN: z.coerce
    .number({ error: 'must be requests per minute (1-5000)' })
    .int()
    .min(1)
    .max(5000)
    .default(600),
  /** batch: waiting steps share one execution-list call per project; single: one status call per run. */
  HARNESS_WATCH_MODE: z.enum(['batch', 'single']).default('batch'),
  /** Optional cap on execution-list calls per minute (lists are then reused longer); unset: one per project per poll. */
  HARNESS_LIST_BUDGET_PER_MIN: z.coerce
    .number({ error: 'must be list calls per minute (1-5000)' })
    .int()
    .min(1)
    .max(5000)
    .optional(),
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
