/**
 * `npm run demo` as a new user runs it: a child process (the real entry point, no flags), bounded
 * in time, whose transcript must tell the whole story in order and in the channel's own words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../support/tmp.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function runDemo(
  args: string[],
  timeoutMs: number,
  stdin?: string,
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/dev/demo/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    if (stdin !== undefined) child.stdin.end(stdin);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}

test('npm run demo: alert → approval → pipeline stages → follow-ups → resolved, in under a minute', async () => {
  const tmp = tempDir();
  const dir = join(tmp.dir, 'demo');
  try {
    const r = await runDemo(['--dir', dir], 60_000);
    assert.equal(r.code, 0, `demo exited ${r.code}\n${r.out}\n${r.err}`);
    assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
    const out = r.out;
    // The narrated story, in order.
    const story = [
      /1\. An alert fires/,
      /incident INC-1 opened, channel C\w+ created/,
      /deployment gate: GET \/api\/gates\/deploy\?service=checkout&environment=prod → 423 closed: gate prod-freeze-on-critical held by INC-1/,
      /Harness freeze window \S+: Enabled/,
      /run RUN-1 awaits approval/,
      /clicks “Approve & run”/,
      /Check freeze window → Roll back checkout → Verify health\): Success; run succeeded/,
      /Jira OPS-42 got 1 comment\(s\) and is now “Done”; status page received 1 signed webhook/,
      /PATCH \/api\/incidents\/INC-1 \{status: resolved\}/,
      /deployment gate: GET \/api\/gates\/deploy\?service=checkout&environment=prod → 200 open/,
      /Harness freeze window \S+: Disabled/,
      /The channel, as a person sees it/,
    ];
    let at = 0;
    for (const re of story) {
      const m = re.exec(out.slice(at));
      assert.ok(m, `expected ${re} after position ${at} in:\n${out}`);
      at += m.index + m[0].length;
    }
    // The channel: the run message first awaits approval with buttons, is edited in place to
    // show stages, then reads succeeded, approved by the commander by name; its thread has the events.
    assert.match(out, /━━━ #inc-1-checkout-error-rate-above-5/);
    assert.match(out, /Awaiting approval[\s\S]*\[Approve & run\] \[Reject\] \[Edit inputs\]/);
    assert.match(out, /✎ \d\d:\d\d:\d\d edited: .*Stage \d\/3/);
    assert.match(
      out,
      /edited — now reads:\n\s+│ ✅ \*P1 - Emergency Rollback\* · Succeeded\n\s+│ 3\/3 stages done/,
    );
    assert.match(out, /Approved by @bob/);
    assert.match(out, /↳ thread \(\d+ replies\)/);
    assert.match(out, /\[\d\d:\d\d:\d\d\] ✅ Pipeline rollback_service finished: Success/);
    assert.match(out, /✅ resolved/);
    assert.doesNotMatch(out, /<@U\d+>|<!date/, 'mrkdwn is rendered for people');
    // Where the data is, and it is really there.
    const db = join(dir, 'runbook-bot.db');
    assert.match(out, new RegExp(`SQLite file: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(existsSync(db));
    const sqlite = new Database(db, { readonly: true });
    const runs = sqlite.prepare('SELECT id, state, approver, trigger FROM runs').all();
    const status = sqlite.prepare("SELECT status FROM incidents WHERE id = 'INC-1'").get();
    sqlite.close();
    assert.deepEqual(runs, [
      { id: 'RUN-1', state: 'succeeded', approver: 'U222', trigger: 'incident.created' },
    ]);
    assert.deepEqual(status, { status: 'resolved' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    tmp.cleanup();
  }
});

test('npm run demo with an unknown option names it and the allowed ones', async () => {
  const r = await runDemo(['--bogus'], 20_000);
  assert.equal(r.code, 2);
  assert.match(r.err, /Unknown option "--bogus"/);
  assert.match(r.err, /--interactive/);
});

test('npm run demo -- --interactive: typed slash commands reach the app and the answers are shown', async () => {
  const tmp = tempDir();
  const dir = join(tmp.dir, 'demo');
  try {
    const r = await runDemo(['--interactive', '--dir', dir], 40_000, '/runbook list\nas nobody\n7\nquit\n');
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /Type:\n\s+\/incident declare/);
    assert.match(r.out, /you are @bob in C111/);
    // The ephemeral answer to /runbook list, rendered for a person.
    assert.match(
      r.out,
      /\(only visible to you\)[\s\S]*emergency-rollback|\(only visible to you\)[\s\S]*P1 - Emergency Rollback/,
    );
    assert.match(r.out, /Unknown user; known: .*alice/);
    assert.match(r.out, /No button 7; there are 0\./);
    assert.match(r.out, /SQLite file: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    tmp.cleanup();
  }
});
