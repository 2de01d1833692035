/** The CLI through its real entry point (what `npx runbook-bot` and `npm start` run). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { spawnBot, waitFor } from '../support/bot-process.ts';
import { tempDir } from '../support/tmp.ts';
import { startSlackFake } from '../fakes/slack-fake.ts';

async function cli(args: string[], env: Record<string, string> = {}) {
  const p = spawnBot(env, args);
  const code = await p.exited;
  return { code, out: p.output() };
}

test('validate: the shipped example manifests are valid', async () => {
  const r = await cli(['validate', 'manifests']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /✓ \d+ file\(s\), 3 runbook\(s\), 1 incident type\(s\), 1 access policy/);
  assert.match(r.out, /emergency-rollback \(aliases: rollback\)/);
});

test('validate: every error in every file, each with file:line:col and path; exit 1', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(
      join(dir, 'a.yaml'),
      [
        'kind: Runbook',
        'id: a',
        'name: A',
        'steps:',
        '  - id: s',
        '    uses: harness.pipeline',
        '    with:',
        '      org: o',
        '      project: p',
        '      pipeline: x',
        '      tiemout: 5m',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'b.yml'), ['kind: Runbok', 'id: b', ''].join('\n'));
    const r = await cli(['validate', dir]);
    assert.equal(r.code, 1);
    assert.match(r.out, /a\.yaml:11:7 steps\[0\]\.with(\.tiemout)?: .*tiemout/);
    assert.match(r.out, /b\.yml:1:7 kind: .*Runbook/);
    assert.match(r.out, /✗ 2 error\(s\)/);
  } finally {
    cleanup();
  }
});

test('dry-run prints the exact YAML that would be sent, and which triggers fire', async () => {
  const r = await cli([
    'dry-run',
    'rollback',
    '--incident',
    'examples/incident-p1.yaml',
    '--input',
    'environment=qa',
  ]);
  assert.equal(r.code, 0, r.out);
  const yaml = r.out.split('     ---\n')[1]!.replace(/^ {5}/gm, '');
  const sent = parse(yaml);
  assert.deepEqual(
    sent.pipeline.variables.map((v: { name: string; value: string }) => [v.name, v.value]),
    [
      ['service', 'checkout'],
      ['environment', 'qa'],
      ['incidentId', 'INC-42'],
      ['target', 'last_successful'],
    ],
  );
  assert.match(r.out, /\[0\] on incident\.created: WOULD FIRE/);
});

test('dry-run with a value outside allowedValues names the input and the allowed values; exit 1', async () => {
  const r = await cli([
    'dry-run',
    'rollback',
    '--incident',
    'examples/incident-p1.yaml',
    '--input',
    'environment=staging',
  ]);
  assert.equal(r.code, 1);
  assert.match(r.out, /environment must be one of dev, qa, prod; got "staging"/);
});

test('unknown command: usage and exit 2; bad configuration: one message naming each variable', async () => {
  const u = await cli(['frobnicate']);
  assert.equal(u.code, 2);
  assert.match(u.out, /Unknown command "frobnicate"/);
  const c = await cli(['start'], { PORT: 'eighty', LOG_LEVEL: 'loud', HARNESS_BASE_URL: 'not a url' });
  assert.equal(c.code, 1);
  assert.match(c.out, /PORT: /);
  assert.match(c.out, /LOG_LEVEL: /);
  assert.match(c.out, /HARNESS_BASE_URL: must be an http\(s\) URL/);
  assert.match(c.out, /README\.md#configuration/);
});

test('start without Slack credentials: one message naming the variables, exit 1, no hang', async () => {
  const started = Date.now();
  const r = await cli(['start'], { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' });
  assert.equal(r.code, 1);
  assert.match(r.out, /needs Slack credentials/);
  assert.match(r.out, /SLACK_BOT_TOKEN/);
  assert.match(r.out, /SLACK_SIGNING_SECRET/);
  assert.match(r.out, /README\.md#slack-app-setup/);
  assert.ok(Date.now() - started < 10_000);
});

test('start with a token Slack rejects: says so and exits 1', async () => {
  const slack = await startSlackFake();
  try {
    const r = await cli(['start'], {
      SLACK_BOT_TOKEN: 'xoxb-not-the-right-one',
      SLACK_SIGNING_SECRET: 's',
      SLACK_API_URL: slack.url,
    });
    assert.equal(r.code, 1);
    assert.match(r.out, /Slack rejected SLACK_BOT_TOKEN .*invalid_auth/);
  } finally {
    await slack.close();
  }
});

test('start: serves /healthz and /readyz; refuses to start on invalid manifests', async () => {
  const { dir, cleanup } = tempDir();
  const slack = await startSlackFake();
  const slackEnv = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'cli-test-secret',
    SLACK_API_URL: slack.url,
  };
  try {
    const bot = spawnBot({ ...slackEnv, DATABASE_PATH: join(dir, 'db.sqlite'), MANIFESTS_DIR: 'manifests' });
    await waitFor('the bot to listen', () => /"port":\d+/.test(bot.output()), 20_000, bot);
    const port = Number(/"port":(\d+)/.exec(bot.output())![1]);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
    assert.deepEqual(ready, { ok: true, checks: { database: 'ok', manifests: '3 runbooks', slack: 'http' } });
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0);

    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'x.yaml'), 'kind: Runbook\nid: BAD ID\n');
    const bad = await cli(['start'], {
      ...slackEnv,
      DATABASE_PATH: join(dir, 'db.sqlite'),
      MANIFESTS_DIR: join(dir, 'bad'),
    });
    assert.equal(bad.code, 1);
    assert.match(bad.out, /x\.yaml:2:5 id: /);
  } finally {
    await slack.close();
    cleanup();
  }
});
