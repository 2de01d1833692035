/** `runbook-bot dry-run … --test` through the real CLI entry point. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { spawnBot } from '../support/bot-process.ts';
import { tempDir } from '../support/tmp.ts';

async function cli(args: string[]) {
  const p = spawnBot({}, args);
  const code = await p.exited;
  return { code, out: p.output() };
}

const ROLLBACK = [
  'dry-run',
  'rollback',
  '--incident',
  'examples/incident-p1.yaml',
  '--input',
  'environment=qa',
];

test('dry-run --test: the staging pipeline and its YAML, follow-ups redirected or skipped', async () => {
  const r = await cli([...ROLLBACK, '--test', '--assume', 'rollback=failed']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^Test incident: /m);
  assert.match(
    r.out,
    /test incident: running staging pipeline default\/payments_staging\/rollback_service_staging/,
  );
  assert.match(
    r.out,
    /POST \/pipeline\/api\/pipeline\/execute\/rollback_service_staging\?orgIdentifier=default&projectIdentifier=payments_staging/,
  );
  const sent = parse(r.out.split('     ---\n')[1]!.replace(/^ {5}/gm, '')) as {
    pipeline: { identifier: string };
  };
  assert.equal(sent.pipeline.identifier, 'rollback_service_staging');
  assert.match(
    r.out,
    /diagnose \(harness\.pipeline\) — would be skipped: test incident \(no staging pipeline\)/,
  );
  assert.match(r.out, /email step email-oncall goes to its staging target \(to runbook-tests@example\.com\)/);
  assert.ok(!r.out.includes('sre-oncall@example.com'), 'production recipients are not shown as the target');
});

test('dry-run without --test is the production run; test: true in the incident file works like --test', async () => {
  const normal = await cli(ROLLBACK);
  assert.equal(normal.code, 0, normal.out);
  assert.ok(!/staging|test incident/i.test(normal.out), normal.out);
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'inc.yaml');
    writeFileSync(
      file,
      'id: INC-7\nseverity: P1\nservice: checkout\ntype: major-incident\ntest: true\nfields: { customer_facing: true, jira_key: OPS-1 }\n',
    );
    const fromFile = await cli(['dry-run', 'rollback', '--incident', file, '--input', 'environment=qa']);
    assert.equal(fromFile.code, 0, fromFile.out);
    assert.match(fromFile.out, /running staging pipeline/);
    const off = await cli([
      'dry-run',
      'rollback',
      '--incident',
      file,
      '--input',
      'environment=qa',
      '--test=false',
    ]);
    assert.ok(!/running staging pipeline/.test(off.out), off.out);
    const bad = await cli([...ROLLBACK, '--test=yes']);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /--test takes no value/);
  } finally {
    cleanup();
  }
});
