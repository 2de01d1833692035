import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldValue, parseUser, quote } from '../../src/incidents/values.ts';
import { parseSeverity, parseStatus } from '../../src/incidents/base-values.ts';
import { changeText, declaredText, diffIncidents } from '../../src/incidents/changes.ts';
import { applyPatch, patchForSetField, validateDeclare } from '../../src/incidents/validate.ts';
import { customFieldSchema } from '../../src/manifests/schema.ts';
import type { IncidentRecord } from '../../src/store/index.ts';
import { majorIncident, testCatalog } from '../support/incident-setup.ts';

const field = (f: Record<string, unknown>) => customFieldSchema.parse(f);
const value = (r: ReturnType<typeof parseFieldValue>) => (r.ok ? r.value : `ERR ${r.error}`);

const base: IncidentRecord = {
  id: 'INC-3',
  summary: 'Checkout 500s',
  severity: 'P2',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'major-incident',
  commander: null,
  channel: 'C1',
  createdAt: '2026-01-01T00:00:00.000Z',
  fields: { customer_facing: true },
  updatedAt: 0,
  version: 1,
};

test('severity and status are case-insensitive and stored canonically', () => {
  assert.deepEqual(parseSeverity(' p0 '), { ok: true, value: 'P0' });
  assert.equal(parseSeverity('P5').ok, false);
  assert.equal(parseSeverity(null).ok, false);
  assert.deepEqual(parseStatus('Mitigated'), { ok: true, value: 'mitigated' });
});

test('custom field values parse by type', () => {
  const select = field({ name: 'region', type: 'select', options: ['us-east-1', 'eu-west-1'] });
  assert.equal(value(parseFieldValue(select, ' US-EAST-1 ')), 'us-east-1');
  const multi = field({ name: 'regions', type: 'multiselect', options: ['a', 'b', 'c'] });
  assert.deepEqual(value(parseFieldValue(multi, ['c', 'A', 'c'])), ['a', 'c'], 'option order, no duplicates');
  assert.deepEqual(value(parseFieldValue(multi, 'b,, c')), ['b', 'c']);
  assert.match(String(value(parseFieldValue(multi, 5))), /is not a list of options; allowed: a, b, c/);
  const bool = field({ name: 'cf', type: 'boolean' });
  for (const [raw, want] of [
    [true, true],
    ['Yes', true],
    ['false', false],
    ['NO', false],
  ] as const)
    assert.equal(value(parseFieldValue(bool, raw)), want);
  assert.match(
    String(value(parseFieldValue(bool, 1))),
    /cf 1 is not a yes\/no value; allowed: true, false, yes, no/,
  );
  const num = field({ name: 'n', type: 'number' });
  assert.equal(value(parseFieldValue(num, ' 2.5 ')), 2.5);
  assert.equal(value(parseFieldValue(num, 7)), 7);
  assert.match(String(value(parseFieldValue(num, 'Infinity'))), /is not a number/);
  const text = field({ name: 't' });
  assert.equal(value(parseFieldValue(text, '  hi ')), 'hi');
  assert.match(
    String(value(parseFieldValue(text, 'x'.repeat(501)))),
    /501 characters long; allowed: 1 to 500/,
  );
});

test('users are ids or mentions, including Enterprise Grid W ids and mentions with a name', () => {
  assert.deepEqual(parseUser('owner', 'U012ABCDEF'), { ok: true, value: 'U012ABCDEF' });
  assert.deepEqual(parseUser('owner', '<@W0ABC|alice>'), { ok: true, value: 'W0ABC' });
  assert.equal(parseUser('owner', '@alice').ok, false);
  assert.equal(parseUser('owner', '<#C123>').ok, false);
});

test('quote keeps error messages short and safe for any value', () => {
  assert.equal(quote('x'.repeat(100)).length, 62);
  assert.equal(quote({ a: 1 }), 'a object');
  assert.equal(quote([1]), 'a list');
  assert.equal(quote(undefined), 'undefined');
});

test('diff ignores null vs missing and unchanged lists; lists changes in a stable order', () => {
  const same = { ...base, fields: { customer_facing: true, regions: ['a'] as string[] } };
  assert.deepEqual(
    diffIncidents(same, { ...same, fields: { ...same.fields, regions: ['a'] } }, majorIncident),
    [],
  );
  assert.deepEqual(
    diffIncidents(base, { ...base, fields: { ...base.fields, region: null } }, majorIncident),
    [],
  );
  assert.deepEqual(
    diffIncidents(base, { ...base, fields: { region: 'eu-west-1' }, severity: 'P1' }, majorIncident),
    [
      { field: 'severity', from: 'P2', to: 'P1' },
      { field: 'fields.customer_facing', from: true, to: null },
      { field: 'fields.region', from: null, to: 'eu-west-1' },
    ],
  );
});

test('timeline texts mention people, escape typed text and omit "by" without an actor', () => {
  const t = (field: string, from: unknown, to: unknown, actor: string | null = 'U1') =>
    changeText({ field, from, to }, actor, majorIncident);
  assert.equal(t('severity', 'P2', 'P1'), 'Severity changed from P2 to P1 by <@U1>');
  assert.equal(t('commander', null, 'U2'), 'Commander set to <@U2> by <@U1>');
  assert.equal(t('commander', 'U2', null), 'Commander cleared by <@U1> (was <@U2>)');
  assert.equal(t('status', 'mitigated', 'resolved'), 'Incident resolved by <@U1>');
  assert.equal(
    t('status', 'investigating', 'mitigated', null),
    'Status changed from investigating to mitigated',
  );
  assert.equal(t('channel', null, 'C9'), 'Channel set to <#C9> by <@U1>');
  assert.equal(t('service', 'a', '<b>', 'api <x>'), 'Service changed from a to &lt;b&gt; by api &lt;x&gt;');
  assert.equal(t('fields.regions', ['a'], ['a', 'b']), 'Regions changed from a to a, b by <@U1>');
  assert.equal(t('fields.owner', null, 'U4'), 'Owner set to <@U4> by <@U1>');
  assert.equal(
    declaredText({ ...base, service: null, environment: null, summary: 'a & b' }, null),
    'Incident declared: P2 — a &amp; b',
  );
});

test('set <field> accepts base fields, custom fields and the fields. prefix; nothing else', () => {
  const catalog = testCatalog();
  assert.deepEqual(patchForSetField(base, ' Service ', 'payments', catalog), { service: 'payments' });
  assert.deepEqual(patchForSetField(base, 'fields.region', 'eu-west-1', catalog), {
    fields: { region: 'eu-west-1' },
  });
  assert.throws(
    () => patchForSetField(base, 'fields.service', 'x', catalog),
    /settable fields: summary, service/,
  );
  assert.throws(() => patchForSetField(base, 'status', 'resolved', catalog), /status has its own command/);
  assert.throws(
    () => patchForSetField({ ...base, type: 'any' }, 'region', 'x', catalog),
    /settable fields: summary, service, environment$/,
  );
});

test('declare defaults; patches clear optional values and refuse fields of a type that is gone', () => {
  const catalog = testCatalog();
  const d = validateDeclare({ summary: '  Hi ', severity: 'P4', service: '  ', type: undefined }, catalog);
  assert.deepEqual(
    [d.summary, d.severity, d.status, d.service, d.type, d.fields],
    ['Hi', 'P4', 'investigating', null, 'any', {}],
  );
  const cleared = applyPatch(
    { ...base, commander: 'U1' },
    { service: null, commander: '', environment: undefined },
    catalog,
  );
  assert.deepEqual([cleared.service, cleared.commander, cleared.environment], [null, null, 'prod']);
  assert.throws(
    () => applyPatch({ ...base, type: 'retired' }, { fields: { x: 1 } }, catalog),
    /incident type retired of INC-3 is no longer defined.*\(defined: any, major-incident\)/,
  );
  assert.equal(applyPatch({ ...base, type: 'retired' }, { severity: 'P1' }, catalog).severity, 'P1');
});
