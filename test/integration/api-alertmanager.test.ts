/**
 * Alertmanager's webhook receiver over real HTTP: one incident per alert group, repeat
 * notifications update it, resolved resolves it and never creates one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupApi } from '../support/api-setup.ts';
import { alert, alertGroup } from '../support/alertmanager-payload.ts';

const GROUP_KEY = '{}/{severity=~"critical|warning"}:{alertname="CheckoutHighErrorRate", service="checkout"}';

test('a firing group creates one incident from the default label mapping, with its channel set up once', async () => {
  const s = await setupApi();
  try {
    const r = await s.call('POST', '/api/alertmanager', { body: alertGroup([alert()]) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.action, 'created');
    assert.equal(r.json.id, 'INC-1');
    assert.equal(r.json.channel, 'C0INC1');

    const inc = s.service.get('INC-1')!;
    assert.equal(inc.summary, 'Checkout 5xx ratio above 5% on checkout-7d9f8b6c5-x2k4q:8080');
    assert.equal(inc.severity, 'P1');
    assert.equal(inc.service, 'checkout');
    assert.equal(inc.environment, 'prod');
    assert.equal(inc.status, 'investigating');
    assert.equal(inc.externalId, `am:${GROUP_KEY}`);
    assert.equal(inc.channel, 'C0INC1');
    assert.equal(s.setupCalls.length, 1);
    assert.equal(s.events[0]!.type, 'incident.created');
    assert.equal(s.events[0]!.actor, 'alertmanager');
    assert.equal(
      s.store.timeline.forIncident('INC-1')[0]!.text,
      'Incident declared by alertmanager: P1 · checkout · prod — Checkout 5xx ratio above 5% on checkout-7d9f8b6c5-x2k4q:8080',
    );
  } finally {
    await s.cleanup();
  }
});

test('a second firing of the same group updates that incident (severity up, empty fields filled), repeats change nothing', async () => {
  const s = await setupApi();
  try {
    const warning = alertGroup([alert({ severity: 'warning' })]);
    assert.equal((await s.call('POST', '/api/alertmanager', { body: warning })).status, 201);
    assert.equal(s.service.get('INC-1')!.severity, 'P3');
    s.service.update('INC-1', { environment: null }, 'U0HUMAN');
    s.events.length = 0;

    // The group grew: a second instance went critical.
    const worse = alertGroup([
      alert({ severity: 'warning' }),
      alert({
        severity: 'critical',
        instance: 'checkout-7d9f8b6c5-m8n2p:8080',
        fingerprint: 'b81e44c0d2a97f13',
      }),
    ]);
    const r = await s.call('POST', '/api/alertmanager', { body: worse });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.action, 'updated');
    assert.equal(r.json.id, 'INC-1');
    assert.deepEqual(r.json.changes, [
      { field: 'severity', from: 'P3', to: 'P1' },
      { field: 'environment', from: null, to: 'prod' },
    ]);
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]!.type, 'incident.updated');
    assert.equal(s.events[0]!.actor, 'alertmanager');
    assert.equal(s.store.incidents.list().length, 1, 'still one incident');
    assert.equal(s.setupCalls.length, 1, 'no second channel');

    // A responder lowers it; Alertmanager's repeat notification does not undo that… unless it is worse.
    s.service.update('INC-1', { severity: 'P2', summary: 'Checkout errors — mitigating' }, 'U0HUMAN');
    s.events.length = 0;
    const repeat = await s.call('POST', '/api/alertmanager', {
      body: alertGroup([alert({ severity: 'warning' })]),
    });
    assert.equal(repeat.status, 200);
    assert.equal(repeat.json.action, 'unchanged');
    assert.deepEqual(repeat.json.changes, []);
    assert.equal(s.events.length, 0, 'nothing announced, so no trigger can fire again');
    const inc = s.service.get('INC-1')!;
    assert.equal(inc.severity, 'P2');
    assert.equal(inc.summary, 'Checkout errors — mitigating');
  } finally {
    await s.cleanup();
  }
});

test('resolved resolves the group incident once; a later firing reopens it', async () => {
  const s = await setupApi();
  try {
    await s.call('POST', '/api/alertmanager', { body: alertGroup([alert()]) });
    s.events.length = 0;
    const resolved = alertGroup([alert({ status: 'resolved' })]);
    assert.equal(resolved.status, 'resolved');
    const r = await s.call('POST', '/api/alertmanager', { body: resolved });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.action, 'resolved');
    assert.deepEqual(r.json.changes, [{ field: 'status', from: 'investigating', to: 'resolved' }]);
    assert.equal(s.service.get('INC-1')!.status, 'resolved');
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]!.changes[0]!.to, 'resolved');
    assert.ok(
      s.store.timeline.forIncident('INC-1').some((e) => e.text === 'Incident resolved by alertmanager'),
    );

    const again = await s.call('POST', '/api/alertmanager', { body: resolved });
    assert.equal(again.json.action, 'unchanged');
    assert.equal(s.events.length, 1);

    const refire = await s.call('POST', '/api/alertmanager', { body: alertGroup([alert()]) });
    assert.equal(refire.status, 200);
    assert.equal(refire.json.action, 'updated');
    assert.deepEqual(refire.json.changes, [{ field: 'status', from: 'resolved', to: 'investigating' }]);
    assert.equal(s.store.incidents.list().length, 1);
  } finally {
    await s.cleanup();
  }
});

test('resolved for a group without an incident creates nothing', async () => {
  const s = await setupApi();
  try {
    const r = await s.call('POST', '/api/alertmanager', {
      body: alertGroup([alert({ status: 'resolved' })], { groupKey: '{}:{alertname="DiskFull"}' }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { action: 'ignored', reason: 'no incident for this alert group' });
    assert.equal(s.store.incidents.list().length, 0);
    assert.equal(s.events.length, 0);
    assert.equal(s.setupCalls.length, 0);
  } finally {
    await s.cleanup();
  }
});

test('different groups are different incidents; extra fields from Alertmanager look-alikes are accepted', async () => {
  const s = await setupApi();
  try {
    const a = await s.call('POST', '/api/alertmanager', { body: alertGroup([alert()]) });
    const b = await s.call('POST', '/api/alertmanager', {
      body: {
        ...alertGroup(
          [
            alert({
              alertname: 'PaymentsLatencyHigh',
              severity: 'error',
              extraLabels: { service: 'payments' },
            }),
          ],
          {
            groupKey: '{}:{alertname="PaymentsLatencyHigh"}',
          },
        ),
        orgId: 1,
        title: '[FIRING:1] PaymentsLatencyHigh',
      },
    });
    assert.deepEqual([a.status, b.status], [201, 201]);
    assert.equal(b.json.id, 'INC-2');
    const inc = s.service.get('INC-2')!;
    assert.equal(inc.severity, 'P2');
    assert.equal(inc.service, 'payments');
  } finally {
    await s.cleanup();
  }
});

test('payloads that are not Alertmanager v4 → 400 naming the problem; no token → 401', async () => {
  const s = await setupApi();
  try {
    const v3 = await s.call('POST', '/api/alertmanager', {
      body: { ...alertGroup([alert()]), version: '3' },
    });
    assert.equal(v3.status, 400);
    assert.equal(v3.json.error, 'not an Alertmanager webhook payload: version "3" is not valid; allowed: 4');
    assert.equal(v3.json.errors[0].field, 'version');

    const { groupKey: _k, ...noKey } = alertGroup([alert()]);
    const missing = await s.call('POST', '/api/alertmanager', { body: { ...noKey, status: 'pending' } });
    assert.equal(missing.status, 400);
    const fields = missing.json.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['groupKey', 'status']);
    assert.match(
      missing.json.errors.find((e: { field: string }) => e.field === 'status').message,
      /firing.*resolved/,
    );

    const incidentBody = await s.call('POST', '/api/alertmanager', {
      body: { summary: 'x', severity: 'P1' },
    });
    assert.equal(incidentBody.status, 400);

    const noToken = await s.call('POST', '/api/alertmanager', { body: alertGroup([alert()]), token: null });
    assert.equal(noToken.status, 401);
    assert.equal(s.store.incidents.list().length, 0);
  } finally {
    await s.cleanup();
  }
});
