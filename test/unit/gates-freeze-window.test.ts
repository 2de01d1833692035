import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { deploymentGateSchema } from '../../src/manifests/schema.ts';
import {
  entityConfigs,
  formatFreezeDuration,
  formatFreezeTime,
  freezeIdentifier,
  freezeYaml,
  needsRewrite,
  parseFreezeDuration,
  parseFreezeTime,
  readFreezeYaml,
} from '../../src/gates/freeze-window.ts';
import type { GateHold } from '../../src/gates/evaluate.ts';

const SAMPLES = join(import.meta.dirname, '..', 'fixtures', 'harness-samples');
const gate = (harness: Record<string, unknown> = { freeze: true, org: 'default', project: 'payments' }) =>
  deploymentGateSchema.parse({
    kind: 'DeploymentGate',
    id: 'prod-freeze',
    name: 'Prod freeze',
    when: { severity: { at_least: 'P1' } },
    harness,
  });
const hold = (
  incident: string,
  services: GateHold['services'],
  environments: GateHold['environments'] = ['prod'],
): GateHold => ({
  gate: 'prod-freeze',
  gateName: 'Prod freeze',
  incident,
  severity: 'P1',
  summary: 'down',
  services,
  environments,
  manual: false,
  why: '',
});

test("window times: 'YYYY-MM-DD hh:mm A' in UTC, 12-hour clock with 12 AM/PM edges, minutes rounded down", () => {
  assert.equal(formatFreezeTime(Date.parse('2026-11-26T00:05:59Z')), '2026-11-26 12:05 AM');
  assert.equal(formatFreezeTime(Date.parse('2026-11-26T12:30:00Z')), '2026-11-26 12:30 PM');
  assert.equal(formatFreezeTime(Date.parse('2026-01-02T23:59:00Z')), '2026-01-02 11:59 PM');
  assert.equal(formatFreezeTime(Date.parse('2026-01-02T09:00:00Z')), '2026-01-02 09:00 AM');
  // The samples' own start times parse.
  assert.equal(parseFreezeTime('2023-07-03 10:08 AM'), Date.parse('2023-07-03T10:08:00Z'));
  assert.equal(parseFreezeTime('2023-05-03 04:16 PM'), Date.parse('2023-05-03T16:16:00Z'));
  assert.equal(parseFreezeTime('2023-05-03T16:16'), undefined);
  fc.assert(
    fc.property(fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }), (ms) => {
      assert.equal(parseFreezeTime(formatFreezeTime(ms)), Math.floor(ms / 60_000) * 60_000);
    }),
  );
});

test('durations: at least 30m, whole hours as h', () => {
  assert.equal(formatFreezeDuration(60 * 60_000), '1h');
  assert.equal(formatFreezeDuration(90 * 60_000), '90m');
  assert.equal(formatFreezeDuration(5 * 60_000), '30m');
  assert.equal(parseFreezeDuration('1h30m'), 90 * 60_000);
  assert.equal(parseFreezeDuration('1w'), 7 * 86_400_000);
  assert.equal(parseFreezeDuration('soon'), undefined);
});

test('identifiers are deterministic Harness identifiers', () => {
  assert.equal(freezeIdentifier('prod-freeze-on-critical'), 'runbook_bot_prod_freeze_on_critical');
  assert.match(freezeIdentifier('a'.repeat(200)), /^[A-Za-z_][A-Za-z0-9_$]{0,127}$/);
});

test('the YAML has the shape of the Harness samples (keys they use), one rule per scope, named after the incidents', () => {
  const holds = [
    hold('INC-1', ['checkout']),
    hold('INC-2', ['checkout']),
    hold('INC-3', ['payments']),
    hold('INC-4', 'all', 'all'),
  ];
  const text = freezeYaml(gate(), holds, {
    status: 'Enabled',
    startMs: Date.parse('2026-11-26T14:00:30Z'),
    durationMs: 3_600_000,
  });
  const f = (parse(text) as { freeze: Record<string, unknown> }).freeze;
  const sample = (
    parse(readFileSync(join(SAMPLES, 'freeze-tf-provider-manual.yaml'), 'utf8')) as {
      freeze: Record<string, unknown>;
    }
  ).freeze;
  for (const k of [
    'name',
    'identifier',
    'entityConfigs',
    'status',
    'description',
    'windows',
    'notificationRules',
    'tags',
  ])
    assert.ok(k in f && k in sample, k);
  assert.equal(f['identifier'], 'runbook_bot_prod_freeze');
  assert.equal(f['name'], 'runbook-bot: INC-1, INC-2, INC-3, INC-4 (Prod freeze)');
  assert.deepEqual(f['windows'], [{ timeZone: 'UTC', startTime: '2026-11-26 02:00 PM', duration: '1h' }]);
  assert.deepEqual(
    (f['entityConfigs'] as { name: string }[]).map((r) => r.name),
    ['INC-1 INC-2', 'INC-3', 'INC-4'],
  );
  assert.deepEqual((f['entityConfigs'] as { entities: unknown[] }[])[2]!.entities, [
    { type: 'Service', filterType: 'All' },
    { type: 'Environment', filterType: 'All' },
  ]);
});

test('account-level windows freeze every org and project; an org-level one every project', () => {
  const account = entityConfigs(gate({ freeze: true }), [hold('INC-1', ['checkout'])]);
  assert.deepEqual(account[0]!.entities.slice(0, 2), [
    { type: 'Org', filterType: 'All' },
    { type: 'Project', filterType: 'All' },
  ]);
  const org = entityConfigs(gate({ freeze: true, org: 'default' }), [hold('INC-1', ['checkout'])]);
  assert.deepEqual(org[0]!.entities[0], { type: 'Project', filterType: 'All' });
  const text = freezeYaml(gate({ freeze: true }), [hold('INC-1', ['checkout'])], {
    status: 'Enabled',
    startMs: 0,
    durationMs: 3_600_000,
  });
  assert.ok(!/orgIdentifier|projectIdentifier/.test(text));
});

test('needsRewrite: other rules or name, or less than half the duration (≥ 15m) left', () => {
  const g = gate();
  const holds = [hold('INC-1', ['checkout'])];
  const start = Date.parse('2026-11-26T14:00:00Z');
  const actual = readFreezeYaml(
    freezeYaml(g, holds, { status: 'Enabled', startMs: start, durationMs: 3_600_000 }),
  );
  const wanted = { name: 'runbook-bot: INC-1 (Prod freeze)', rules: entityConfigs(g, holds) };
  assert.equal(actual.endMs, start + 3_600_000);
  assert.equal(needsRewrite(actual, wanted, start + 29 * 60_000, 3_600_000), false);
  assert.equal(needsRewrite(actual, wanted, start + 31 * 60_000, 3_600_000), true);
  assert.equal(
    needsRewrite(
      actual,
      { ...wanted, rules: entityConfigs(g, [...holds, hold('INC-2', ['cart'])]) },
      start,
      3_600_000,
    ),
    true,
  );
  assert.equal(needsRewrite(actual, { ...wanted, name: 'other' }, start, 3_600_000), true);
  // Harness may hand the YAML back with keys in another order (as in its samples): not a change.
  const reordered = {
    ...actual,
    entityConfigs: (actual.entityConfigs as { name: string; entities: Record<string, unknown>[] }[]).map(
      (r) => ({
        entities: [...r.entities].reverse().map((e) => ({ filterType: e['filterType'], ...e })),
        name: r.name,
      }),
    ),
  };
  assert.equal(needsRewrite(reordered, wanted, start, 3_600_000), false);
  assert.equal(needsRewrite(readFreezeYaml('not: [yaml'), wanted, start, 3_600_000), true);
  // A window written by someone else (the Harness docs sample) is not ours: rewritten.
  const devhub = readFreezeYaml(readFileSync(join(SAMPLES, 'freeze-devhub-window.yaml'), 'utf8'));
  assert.equal(devhub.name, 'example');
  assert.equal(needsRewrite(devhub, wanted, start, 3_600_000), true);
});
