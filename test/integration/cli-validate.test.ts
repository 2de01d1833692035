/** `runbook-bot validate`: the summary counts every kind, DeploymentGates included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateCmd } from '../../src/cli/validate.ts';
import { tempDir } from '../support/tmp.ts';

function validate(dir: string): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = validateCmd(
    dir,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const gate = (id: string, extra: string[] = []) =>
  [
    'kind: DeploymentGate',
    `id: ${id}`,
    `name: Gate ${id}`,
    'when:',
    '  severity: { at_least: P1 }',
    ...extra,
    '',
  ].join('\n');

test('the shipped manifests: the deployment gate is counted and listed', () => {
  const r = validate('manifests');
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /3 runbook\(s\), 1 incident type\(s\), 1 access policy, 1 deployment gate\(s\) in manifests/,
  );
  assert.match(
    r.out,
    /• gate prod-freeze-on-critical — Freeze production during P0\/P1, Harness freeze window, exempt: emergency-rollback/,
  );
});

test('gates in several files and documents are all counted; none is 0', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(
      join(dir, 'a.yaml'),
      `${gate('g-one')}---\n${gate('g-two', ['harness:', '  freeze: false'])}`,
    );
    writeFileSync(join(dir, 'b.yaml'), gate('g-three'));
    const r = validate(dir);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /✓ 2 file\(s\), 0 runbook\(s\), 0 incident type\(s\), 0 access policy, 3 deployment gate\(s\)/,
    );
    for (const id of ['g-one', 'g-two', 'g-three'])
      assert.match(r.out, new RegExp(`• gate ${id} — Gate ${id}$`, 'm'));

    writeFileSync(join(dir, 'a.yaml'), 'kind: IncidentType\nid: t\nname: T\n');
    writeFileSync(join(dir, 'b.yaml'), 'kind: IncidentType\nid: u\nname: U\n');
    assert.match(validate(dir).out, /2 incident type\(s\), 0 access policy, 0 deployment gate\(s\)/);
  } finally {
    cleanup();
  }
});

test('a broken gate is an error with file:line, not a smaller count', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'g.yaml'), gate('g', ['harness:', '  freeze: true', '  duration: 5m']));
    const r = validate(dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /g\.yaml:\d+:\d+ .*duration.*30m/);
    assert.match(r.err, /✗ 1 error\(s\)/);
    assert.equal(r.out, '');
  } finally {
    cleanup();
  }
});
