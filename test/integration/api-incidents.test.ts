/**
 * The incident API over real HTTP on 127.0.0.1: create (with the channel hook), idempotent create by
 * externalId, PATCH with old/new values reaching listeners, reading incidents and runs back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupApi } from '../support/api-setup.ts';

const p1 = {
  summary: 'Checkout returns 500s',
  severity: 'P2',
  service: 'checkout',
  environment: 'prod',
  type: 'major-incident',
  fields: { customer_facing: true, region: 'eu-west-1' },
  externalId: 'pagerduty:Q1W2E3R4',
};

const count = (s: { store: { db: { prepare(sql: string): { get(): unknown } } } }) =>
  (s.store.db.prepare('SELECT COUNT(*) AS n FROM incidents').get() as { n: number }).n;

test('POST /api/incidents → 201 with id, channel and url; declared by api; the channel hook runs once and its channel is stored through the service', async () => {
  const s = await setupApi();
  try {
    const r = await s.call('POST', '/api/incidents', { body: p1 });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.id, 'INC-1');
    assert.equal(r.json.channel, 'C0INC1');
    assert.equal(r.json.url, 'https://slack.com/app_redirect?channel=C0INC1');
    assert.equal(r.json.created, true);
    assert.equal(r.headers.location, '/api/incidents/INC-1');
    assert.match(String(r.headers['content-type']), /^application\/json/);

    const stored = s.service.get('INC-1')!;
    assert.equal(stored.severity, 'P2');
    assert.equal(stored.channel, 'C0INC1');
    assert.equal(stored.externalId, 'pagerduty:Q1W2E3R4');
    assert.deepEqual(stored.fields, { customer_facing: true, region: 'eu-west-1' });

    // The hook saw the new incident (no channel yet) exactly once.
    assert.equal(s.setupCalls.length, 1);
    assert.equal(s.setupCalls[0]!.id, 'INC-1');
    assert.equal(s.setupCalls[0]!.channel, null);

    // created, then the channel set by the hook — both through the service, both announced.
    assert.deepEqual(
      s.events.map((e) => [e.type, e.actor]),
      [
        ['incident.created', 'api'],
        ['incident.updated', 'api'],
      ],
    );
    assert.deepEqual(s.events[1]!.changes, [{ field: 'channel', from: null, to: 'C0INC1' }]);
    const texts = s.store.timeline.forIncident('INC-1').map((e) => e.text);
    assert.deepEqual(texts, [
      'Incident declared by api: P2 · checkout · prod — Checkout returns 500s',
      'Channel set to <#C0INC1> by api',
    ]);
    assert.equal(
      s.store.audit.recent().some((a) => a.action === 'incident.declare' && a.actor === 'api'),
      true,
    );
  } finally {
    await s.cleanup();
  }
});

test('the same externalId again → 200, the same incident updated, no second incident, no second channel', async () => {
  const s = await setupApi();
  try {
    const first = await s.call('POST', '/api/incidents', { body: p1 });
    assert.equal(first.status, 201);
    s.events.length = 0;

    const again = await s.call('POST', '/api/incidents', {
      body: { ...p1, severity: 'p1', fields: { region: 'us-east-1' } },
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.id, 'INC-1');
    assert.equal(again.json.created, false);
    assert.equal(again.json.channel, 'C0INC1');
    assert.deepEqual(again.json.changes, [
      { field: 'severity', from: 'P2', to: 'P1' },
      { field: 'fields.region', from: 'eu-west-1', to: 'us-east-1' },
    ]);
    assert.equal(count(s), 1);
    assert.equal(s.setupCalls.length, 1, 'no channel for an update');
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]!.type, 'incident.updated');
    assert.equal(s.events[0]!.previous?.severity, 'P2');

    // Same values once more: nothing changes, nothing is announced.
    const same = await s.call('POST', '/api/incidents', {
      body: { ...p1, severity: 'P1', fields: { region: 'us-east-1' } },
    });
    assert.equal(same.status, 200);
    assert.deepEqual(same.json.changes, []);
    assert.equal(s.events.length, 1);

    // A different externalId is a different incident.
    const other = await s.call('POST', '/api/incidents', { body: { ...p1, externalId: 'pagerduty:ZZZ' } });
    assert.equal(other.status, 201);
    assert.equal(other.json.id, 'INC-2');
    assert.equal(count(s), 2);
  } finally {
    await s.cleanup();
  }
});

test('concurrent creates with one externalId make one incident', async () => {
  const s = await setupApi();
  try {
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.call('POST', '/api/incidents', { body: { ...p1, summary: `Checkout returns 500s (${i})` } }),
      ),
    );
    assert.deepEqual(replies.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
    assert.deepEqual(new Set(replies.map((r) => r.json.id)), new Set(['INC-1']));
    assert.equal(count(s), 1);
    assert.equal(s.setupCalls.length, 1);
  } finally {
    await s.cleanup();
  }
});

test('a repeated create may not change the incident type', async () => {
  const s = await setupApi();
  try {
    await s.call('POST', '/api/incidents', { body: p1 });
    const r = await s.call('POST', '/api/incidents', {
      body: { summary: 'x', severity: 'P1', type: 'any', externalId: p1.externalId },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.errors[0].field, 'type');
    assert.match(
      r.json.error,
      /type cannot change: INC-1 .* is of type major-incident; allowed: major-incident or leave type out/,
    );
    assert.equal(s.service.get('INC-1')!.severity, 'P2', 'nothing applied');
  } finally {
    await s.cleanup();
  }
});

test('a failing channel hook does not lose the incident: 201 with a warning and no channel', async () => {
  const calls: string[] = [];
  const s = await setupApi({
    setupChannel: async (inc) => {
      calls.push(inc.id);
      throw new Error('Slack said: restricted_action');
    },
  });
  try {
    const r = await s.call('POST', '/api/incidents', { body: { summary: 'DB latency', severity: 'P3' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.channel, null);
    assert.equal(r.json.url, null);
    assert.deepEqual(r.json.warnings, [
      'the incident was created but its channel could not be set up: Slack said: restricted_action',
    ]);
    assert.deepEqual(calls, ['INC-1']);
    assert.equal(s.service.get('INC-1')!.summary, 'DB latency');
  } finally {
    await s.cleanup();
  }
});

test('a channel named in the request is kept when the hook returns null; without a hook nothing is called', async () => {
  const seen: (string | null)[] = [];
  const s = await setupApi({
    setupChannel: (inc) => {
      seen.push(inc.channel);
      return null;
    },
  });
  try {
    const r = await s.call('POST', '/api/incidents', {
      body: { summary: 'Queue backlog', severity: 'P3', channel: 'C0WARROOM', commander: 'U012ABCDEF' },
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(seen, ['C0WARROOM']);
    assert.equal(r.json.channel, 'C0WARROOM');
    assert.equal(s.service.get('INC-1')!.commander, 'U012ABCDEF');
  } finally {
    await s.cleanup();
  }
  const bare = await setupApi({ setupChannel: null });
  try {
    const r = await bare.call('POST', '/api/incidents', {
      body: { summary: 'Queue backlog', severity: 'P3' },
    });
    assert.equal(r.status, 201);
    assert.equal(r.json.channel, null);
  } finally {
    await bare.cleanup();
  }
});

test('PATCH /api/incidents/{id} → incident.updated with old and new values for listeners; the response lists them', async () => {
  const s = await setupApi();
  try {
    await s.call('POST', '/api/incidents', { body: p1 });
    const heard: { changes: unknown; previous: string | undefined; now: string; actor: string | null }[] = [];
    const off = s.service.on((ev) => {
      if (ev.type === 'incident.updated')
        heard.push({
          changes: ev.changes,
          previous: ev.previous?.severity,
          now: ev.incident.severity,
          actor: ev.actor,
        });
    });
    s.clock.advance(60_000);
    const r = await s.call('PATCH', '/api/incidents/inc-1', {
      body: { severity: 'P1', status: 'identified', commander: '<@U0COMMAND|ana>', fields: { region: null } },
    });
    off();
    assert.equal(r.status, 200, r.text);
    const changes = [
      { field: 'severity', from: 'P2', to: 'P1' },
      { field: 'status', from: 'investigating', to: 'identified' },
      { field: 'commander', from: null, to: 'U0COMMAND' },
      { field: 'fields.region', from: 'eu-west-1', to: null },
    ];
    assert.deepEqual(r.json.changes, changes);
    assert.deepEqual(heard, [{ changes, previous: 'P2', now: 'P1', actor: 'api' }]);
    assert.equal(r.json.incident.severity, 'P1');
    assert.equal(r.json.incident.updatedAt, new Date(s.clock.now()).toISOString());
    assert.deepEqual(r.json.incident.fields, { customer_facing: true });

    // Empty patch: a no-op, not an error.
    const none = await s.call('PATCH', '/api/incidents/INC-1', { body: {} });
    assert.equal(none.status, 200);
    assert.deepEqual(none.json.changes, []);
  } finally {
    await s.cleanup();
  }
});

test('GET /api/incidents/{id} → incident with timeline and runs; GET /api/runs/{id} → run with steps', async () => {
  const s = await setupApi();
  try {
    await s.call('POST', '/api/incidents', { body: p1 });
    const run = s.engine.startRun({ runbookId: 'post-note', incidentId: 'INC-1', requester: 'U0REQUEST' });
    await s.engine.drain();
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');

    const r = await s.call('GET', '/api/incidents/INC-1');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.incident.id, 'INC-1');
    assert.equal(r.json.incident.externalId, 'pagerduty:Q1W2E3R4');
    assert.equal(r.json.incident.createdAt, new Date(s.clock.now()).toISOString());
    assert.deepEqual(
      r.json.runs.map(
        (x: { id: string; runbookId: string; runbookName: string; state: string; requester: string }) => [
          x.id,
          x.runbookId,
          x.runbookName,
          x.state,
          x.requester,
        ],
      ),
      [[run.id, 'post-note', 'Post a note', 'succeeded', 'U0REQUEST']],
    );
    assert.equal('runbook' in r.json.runs[0], false, 'no manifest snapshot in the listing');
    const texts: string[] = r.json.timeline.map((e: { text: string }) => e.text);
    assert.equal(texts[0], 'Incident declared by api: P2 · checkout · prod — Checkout returns 500s');
    assert.ok(texts.includes('Looking at checkout'), texts.join(' | '));
    assert.ok(texts.includes('Still looking'));
    assert.match(r.json.timeline[0].at, /^\d{4}-\d\d-\d\dT/);

    const rr = await s.call('GET', `/api/runs/${run.id.toLowerCase()}`);
    assert.equal(rr.status, 200, rr.text);
    assert.equal(rr.json.run.id, run.id);
    assert.equal(rr.json.run.incidentId, 'INC-1');
    assert.equal(rr.json.run.state, 'succeeded');
    assert.deepEqual(
      rr.json.steps.map((x: { id: string; uses: string; status: string; output: unknown }) => [
        x.id,
        x.uses,
        x.status,
        x.output,
      ]),
      [
        ['first', 'timeline.event', 'succeeded', { text: 'Looking at checkout' }],
        ['second', 'timeline.event', 'succeeded', { text: 'Still looking' }],
      ],
    );
    assert.ok(rr.json.timeline.some((e: { text: string }) => e.text === 'Still looking'));
  } finally {
    await s.cleanup();
  }
});
