import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';

test('config: defaults from DESIGN.md; URLs normalized', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 3000);
  assert.equal(c.HARNESS_BASE_URL, 'https://app.harness.io/gateway');
  assert.equal(c.SLACK_API_URL, 'https://slack.com/api/');
  assert.equal(c.DATABASE_PATH, './data/runbook-bot.db');
  assert.equal(
    loadConfig({ HARNESS_BASE_URL: 'https://h.example/gateway/' }).HARNESS_BASE_URL,
    'https://h.example/gateway',
  );
  assert.equal(loadConfig({ HARNESS_API_KEY: '  ' }).HARNESS_API_KEY, undefined);
});

test('config: one error naming every bad variable', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: '70000',
        SLACK_BOT_TOKEN: 'xoxp-user',
        SLACK_APP_TOKEN: 'nope',
        HARNESS_UI_URL: 'ftp://x',
      }),
    (e: Error) =>
      /PORT: /.test(e.message) &&
      /SLACK_BOT_TOKEN: must be a bot token starting with xoxb-/.test(e.message) &&
      /SLACK_APP_TOKEN: must be an app-level token/.test(e.message) &&
      /HARNESS_UI_URL: must be an http\(s\) URL/.test(e.message),
  );
});

test('log: tokens, keys and Authorization headers are redacted', () => {
  let out = '';
  const sink = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
  const log = createLogger('info', sink);
  log.info(
    {
      config: { HARNESS_API_KEY: 'pat.secret.1', SLACK_BOT_TOKEN: 'xoxb-secret-2' },
      req: { headers: { authorization: 'Bearer secret-3', 'x-api-key': 'secret-4' } },
    },
    'x',
  );
  log.info({ client: { apiKey: 'secret-5', token: 'secret-6' } }, 'y');
  for (const s of ['pat.secret.1', 'xoxb-secret-2', 'secret-3', 'secret-4', 'secret-5', 'secret-6'])
    assert.ok(!out.includes(s), `${s} leaked: ${out}`);
  assert.match(out, /\[redacted\]/);
});
