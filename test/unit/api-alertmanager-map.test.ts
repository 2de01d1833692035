import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alertmanagerPayload,
  externalIdFor,
  firingPatch,
  mapAlertGroup,
  severityOfLabels,
  type AlertmanagerPayload,
} from '../../src/http/api/alertmanager-map.ts';
import type { IncidentRecord } from '../../src/store/index.ts';
import { alert, alertGroup } from '../support/alertmanager-payload.ts';

const parse = (raw: unknown): AlertmanagerPayload => alertmanagerPayload.parse(raw);

test('one critical alert: severity P1, service and environment from labels, summary from the common annotation', () => {
  const g = mapAlertGroup(parse(alertGroup([alert()])));
  assert.deepEqual(g, {
    externalId:
      'am:{}/{severity=~"critical|warning"}:{alertname="CheckoutHighErrorRate", service="checkout"}',
    status: 'firing',
    summary: 'Checkout 5xx ratio above 5% on checkout-7d9f8b6c5-x2k4q:8080',
    severity: 'P1',
    service: 'checkout',
    environment: 'prod',
    alertCount: 1,
  });
});

test('severity labels map critical→P1, error/high→P2, warning→P3, info→P4; a priority label wins; others are unknown', () => {
  const cases: [Record<string, string>, string | null][] = [
    [{ severity: 'critical' }, 'P1'],
    [{ severity: 'ERROR' }, 'P2'],
    [{ severity: 'high' }, 'P2'],
    [{ severity: 'warning' }, 'P3'],
    [{ severity: 'info' }, 'P4'],
    [{ severity: 'page' }, null],
    [{}, null],
    [{ severity: 'info', priority: 'p0' }, 'P0'],
    [{ severity: 'critical', priority: 'P4' }, 'P4'],
    [{ severity: 'warning', priority: 'P9' }, 'P3'],
  ];
  for (const [labels, want] of cases) assert.equal(severityOfLabels(labels), want, JSON.stringify(labels));
});

test('the most severe alert of the group sets the severity; no severity at all → P3', () => {
  const mixed = alertGroup([
    alert({ severity: 'warning', instance: 'a:1', fingerprint: '01' }),
    alert({ severity: 'critical', instance: 'b:1', fingerprint: '02' }),
  ]);
  assert.equal(mapAlertGroup(parse(mixed)).severity, 'P1');
  const none = alertGroup([alert()]);
  for (const a of none.alerts) delete (a.labels as Record<string, string>).severity;
  delete (none.commonLabels as Record<string, string>).severity;
  assert.equal(mapAlertGroup(parse(none)).severity, 'P3');
});

test('resolved alerts of a still-firing group do not raise its severity', () => {
  const p = alertGroup([
    alert({ severity: 'critical', status: 'resolved', instance: 'a:1' }),
    alert({ severity: 'warning', instance: 'b:1' }),
  ]);
  assert.equal(p.status, 'firing');
  assert.equal(mapAlertGroup(parse(p)).severity, 'P3');
});

test('service falls back service → job → app; environment env → environment; labels from common, group, then first alert', () => {
  const p = alertGroup([alert()]);
  const strip = (names: string[]) => {
    for (const l of [p.commonLabels, ...p.alerts.map((a) => a.labels)])
      for (const n of names) delete (l as Record<string, string>)[n];
  };
  strip(['service', 'env']);
  (p.groupLabels as Record<string, string>) = { alertname: 'CheckoutHighErrorRate' };
  assert.equal(mapAlertGroup(parse(p)).service, 'checkout-api', 'job');
  assert.equal(mapAlertGroup(parse(p)).environment, null);
  strip(['job']);
  (p.alerts[0]!.labels as Record<string, string>).app = 'checkout-web';
  (p.alerts[0]!.labels as Record<string, string>).environment = 'staging';
  assert.equal(mapAlertGroup(parse(p)).service, 'checkout-web', 'app, from the first alert');
  assert.equal(mapAlertGroup(parse(p)).environment, 'staging');
});

test('summary: per-alert summaries say how many more there are; no summary → alertname; long text is cut to 150', () => {
  const two = alertGroup([alert({ instance: 'a:1' }), alert({ instance: 'b:1' })], { truncatedAlerts: 3 });
  const g = mapAlertGroup(parse(two));
  assert.equal(g.summary, 'Checkout 5xx ratio above 5% on a:1 (+4 more)');
  assert.equal(g.alertCount, 5);

  const bare = alertGroup([alert()]);
  delete (bare.commonAnnotations as Record<string, string>).summary;
  delete (bare.alerts[0]!.annotations as Record<string, string>).summary;
  assert.equal(mapAlertGroup(parse(bare)).summary, 'CheckoutHighErrorRate');

  const long = alertGroup([alert({ summary: `Checkout\nis   failing ${'x'.repeat(300)}` })]);
  const s = mapAlertGroup(parse(long)).summary;
  assert.equal(s.length, 150);
  assert.ok(s.startsWith('Checkout is failing xxx') && s.endsWith('…'), s);
});

test('a group key too long for the column is replaced by its digest, stable and distinct', () => {
  const short = externalIdFor('{}:{alertname="A"}');
  assert.equal(short, 'am:{}:{alertname="A"}');
  const longKey = `{}/${'{team="payments"}/'.repeat(40)}:{alertname="A"}`;
  const a = externalIdFor(longKey);
  assert.match(a, /^am:sha256:[0-9a-f]{64}$/);
  assert.equal(externalIdFor(longKey), a);
  assert.notEqual(externalIdFor(`${longKey}x`), a);
});

test('payload checks: version "4" only, status firing|resolved, groupKey required, unknown extra fields allowed', () => {
  const ok = { ...alertGroup([alert()]), orgId: 1, title: '[FIRING:1]' };
  assert.equal(alertmanagerPayload.safeParse(ok).success, true);
  const v3 = alertmanagerPayload.safeParse({ ...ok, version: '3' });
  assert.equal(v3.success, false);
  assert.deepEqual(v3.error!.issues[0]!.path, ['version']);
  assert.equal(alertmanagerPayload.safeParse({ ...ok, status: 'pending' }).success, false);
  const { groupKey: _drop, ...noKey } = ok;
  assert.equal(alertmanagerPayload.safeParse(noKey).success, false);
});

const incident = (over: Partial<IncidentRecord>): IncidentRecord => ({
  id: 'INC-1',
  summary: 'x',
  severity: 'P3',
  status: 'investigating',
  service: null,
  environment: null,
  type: 'any',
  commander: null,
  channel: null,
  createdAt: '2026-11-26T14:00:00.000Z',
  fields: {},
  updatedAt: 0,
  version: 1,
  ...over,
});

test('a repeat firing raises severity, fills empty service/environment, reopens — never lowers or overwrites', () => {
  const group = mapAlertGroup(parse(alertGroup([alert()])));
  assert.deepEqual(firingPatch(incident({}), group), {
    severity: 'P1',
    service: 'checkout',
    environment: 'prod',
  });
  assert.deepEqual(
    firingPatch(
      incident({ severity: 'P0', service: 'payments', environment: 'eu', status: 'resolved' }),
      group,
    ),
    { status: 'investigating' },
  );
  assert.deepEqual(
    firingPatch(incident({ severity: 'P1', service: 'checkout', environment: 'prod' }), group),
    {},
  );
});
