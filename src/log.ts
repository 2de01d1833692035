/**
 * pino logger with secrets redacted. Tokens and keys never reach a log line, whatever object they
 * sit in (config dumps, request headers, errors with request info attached).
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.SLACK_APP_TOKEN',
  '*.HARNESS_API_KEY',
  '*.API_TOKEN',
  '*.JIRA_API_TOKEN',
  '*.SERVICENOW_PASSWORD',
  '*.SERVICENOW_TOKEN',
  '*.SMTP_URL',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.Authorization',
  '*["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'SLACK_BOT_TOKEN',
  'HARNESS_API_KEY',
  'API_TOKEN',
];

export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'runbook-bot' } };
  return destination ? pino(opts, destination as never) : pino(opts);
}

export type { Logger };
