import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../../src/store/index.ts';
import { isAppError } from '../../src/errors.ts';
import { setupIncidents, createServiceOn } from '../support/incident-setup.ts';
import { ManualClock } from '../support/engine-setup.ts';

const declareP2 = {
  summary: 'Checkout 500s',
  severity: 'p2',
  service: 'checkout',
  environment: 'prod',
  type: 'major-incident',
  channel: 'C0CHECKOUT',
  fields: { customer_facing: 'yes', region: 'EU-WEST-1' },
};

test('declare stores a valid incident, writes the timeline and audit, emits created once', () => {
  const s = setupIncidents();
  try {
    const inc = s.service.declare(declareP2, 'U1');
    assert.equal(inc.id, 'INC-1');
    assert.equal(inc.severity, 'P2', 'severity is stored upper-case');
    assert.equal(inc.status, 'investigating');
    assert.deepEqual(inc.fields, { customer_facing: true, region: 'eu-west-1' });
    assert.deepEqual(s.service.get('inc-1'), inc);
    assert.deepEqual(s.service.byChannel('C0CHECKOUT')?.id, 'INC-1');

    const timeline = s.store.timeline.forIncident('INC-1');
    assert.equal(timeline.length, 1);
    assert.equal(timeline[0]!.kind, 'incident.created');
    assert.equal(timeline[0]!.text, 'Incident declared by <@U1>: P2 · checkout · prod — Checkout 500s');
    assert.equal(timeline[0]!.key, true);
    assert.equal(timeline[0]!.data?.severity, 'P2');

    const audit = s.store.audit.recent();
    assert.equal(audit.length, 1);
    assert.deepEqual(
      [audit[0]!.action, audit[0]!.actor, audit[0]!.subject],
      ['incident.declare', 'U1', 'INC-1'],
    );

    assert.equal(s.events.length, 1);
    const ev = s.events[0]!;
    assert.equal(ev.type, 'incident.created');
    assert.equal(ev.actor, 'U1');
    assert.equal(ev.at, s.clock.now());
    assert.equal(ev.incident.id, 'INC-1');
    assert.ok(ev.changes.some((c) => c.field === 'severity' && c.from === null && c.to === 'P2'));
    assert.ok(ev.changes.some((c) => c.field === 'fields.region' && c.to === 'eu-west-1'));
  } finally {
    s.cleanup();
  }
});

test('update writes one timeline event per real change with old and new values; no change emits nothing', () => {
  const s = setupIncidents();
  try {
    s.service.declare(declareP2, 'U1');
    s.clock.advance(1000);
    const r = s.service.update(
      'INC-1',
      { severity: 'P1', service: 'checkout', commander: '<@U2|bob>', fields: { impacted_users: '1200' } },
      'U1',
    );
    assert.deepEqual(r.changes, [
      { field: 'severity', from: 'P2', to: 'P1' },
      { field: 'commander', from: null, to: 'U2' },
      { field: 'fields.impacted_users', from: null, to: 1200 },
    ]);
    assert.equal(r.incident.version, 2);
    const texts = s.store.timeline.forIncident('INC-1').slice(1);
    assert.deepEqual(
      texts.map((e) => e.text),
      [
        'Severity changed from P2 to P1 by <@U1>',
        'Commander set to <@U2> by <@U1>',
        'Impacted_users set to 1200 by <@U1>',
      ],
    );
    assert.deepEqual(texts[0]!.data, { field: 'severity', from: 'P2', to: 'P1' });
    assert.ok(texts.every((e) => e.kind === 'incident.updated'));
    assert.deepEqual(
      texts.map((e) => e.key),
      [true, true, false],
    );

    const ev = s.events[1]!;
    assert.equal(ev.type, 'incident.updated');
    assert.equal(ev.previous?.severity, 'P2');
    assert.equal(ev.incident.severity, 'P1');
    assert.deepEqual(ev.changes, r.changes);
    assert.equal(s.store.audit.recent()[0]!.action, 'incident.update');

    const same = s.service.update('INC-1', { severity: 'p1', fields: { region: 'eu-west-1' } }, 'U1');
    assert.deepEqual(same.changes, []);
    assert.equal(same.incident.version, 2, 'no write');
    assert.equal(s.events.length, 2, 'no event for a no-op update');
    assert.equal(s.store.timeline.forIncident('INC-1').length, 4);
  } finally {
    s.cleanup();
  }
});

test('setField sets base and custom fields, clears optional ones, and names settable fields otherwise', () => {
  const s = setupIncidents();
  try {
    s.service.declare(declareP2, 'U1');
    assert.deepEqual(s.service.setField('INC-1', 'environment', 'staging', 'U1').changes, [
      { field: 'environment', from: 'prod', to: 'staging' },
    ]);
    assert.equal(
      s.service.setField('INC-1', 'Region', 'us-east-1', 'U1').incident.fields.region,
      'us-east-1',
    );
    assert.equal(
      s.service.setField('INC-1', 'customer_facing', 'NO', 'U1').incident.fields.customer_facing,
      false,
    );
    assert.deepEqual(s.service.setField('INC-1', 'owner', '<@U3>', 'U1').incident.fields.owner, 'U3');
    assert.deepEqual(
      s.service.setField('INC-1', 'regions', 'ap-south-1, us-east-1', 'U1').incident.fields.regions,
      ['us-east-1', 'ap-south-1'],
    );
    const summary = s.service.setField('INC-1', 'summary', 'Checkout <!channel> errors', 'U1');
    assert.equal(summary.incident.summary, 'Checkout <!channel> errors');
    const cleared = s.service.setField('INC-1', 'region', '', 'U1');
    assert.deepEqual(cleared.changes, [{ field: 'fields.region', from: 'us-east-1', to: null }]);
    assert.equal('region' in cleared.incident.fields, false);

    const texts = s.store.timeline.forIncident('INC-1').map((e) => e.text);
    assert.ok(texts.includes('Environment changed from prod to staging by <@U1>'));
    assert.ok(texts.includes('Customer facing changed from yes to no by <@U1>'), 'label and yes/no are used');
    assert.ok(texts.includes('Owner set to <@U3> by <@U1>'));
    assert.ok(
      texts.includes('Summary changed from "Checkout 500s" to "Checkout &lt;!channel&gt; errors" by <@U1>'),
      'typed text is escaped so it cannot ping the channel',
    );
    assert.ok(texts.includes('Region cleared by <@U1> (was us-east-1)'));
    assert.equal(s.store.audit.recent()[0]!.action, 'incident.set_field');

    assert.throws(
      () => s.service.setField('INC-1', 'severity', 'P0', 'U1'),
      (e: unknown) =>
        isAppError(e) &&
        e.code === 'INPUT_INVALID' &&
        /severity has its own command/.test(e.message) &&
        /settable fields: summary, service, environment, customer_facing, region, impacted_users, owner, regions, jira_key/.test(
          e.message,
        ),
    );
    assert.throws(
      () => s.service.setField('INC-1', 'colour', 'red', 'U1'),
      /"colour" is not a field you can set/,
    );
    assert.throws(
      () => s.service.setField('INC-1', 'customer_facing', '', 'U1'),
      /customer_facing is required for incident type major-incident; allowed: true, false, yes, no/,
    );
    assert.throws(() => s.service.setField('INC-404', 'service', 'x', 'U1'), { code: 'INCIDENT_NOT_FOUND' });
  } finally {
    s.cleanup();
  }
});

test('resolve sets status resolved once; a resolved incident can be reopened and still updated', () => {
  const s = setupIncidents();
  try {
    s.service.declare(declareP2, 'U1');
    const r = s.service.resolve('INC-1', 'U2');
    assert.equal(r.incident.status, 'resolved');
    assert.deepEqual(r.changes, [{ field: 'status', from: 'investigating', to: 'resolved' }]);
    assert.deepEqual(s.service.listOpen(), []);
    assert.deepEqual(s.service.resolve('INC-1', 'U2').changes, [], 'resolving twice changes nothing');
    assert.equal(s.events.length, 2);
    assert.equal(s.store.audit.recent()[0]!.action, 'incident.resolve');

    const sev = s.service.update('INC-1', { severity: 'P3' }, 'U2');
    assert.equal(sev.incident.severity, 'P3', 'resolved incidents can still be corrected');
    const reopened = s.service.update('INC-1', { status: 'Investigating' }, null);
    assert.equal(reopened.incident.status, 'investigating');
    assert.deepEqual(
      s.service.listOpen().map((i) => i.id),
      ['INC-1'],
    );
    const texts = s.store.timeline.forIncident('INC-1').map((e) => e.text);
    assert.ok(texts.includes('Incident resolved by <@U2>'));
    assert.ok(texts.includes('Incident reopened: status changed from resolved to investigating'));
  } finally {
    s.cleanup();
  }
});

test('validation errors name the field and the allowed values, and write nothing', () => {
  const s = setupIncidents();
  try {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ severity: 'P9' }, /severity "P9" is not valid; allowed: P0, P1, P2, P3, P4/],
      [{ severity: 1 }, /severity 1 is not valid; allowed: P0, P1, P2, P3, P4/],
      [{ summary: '' }, /summary is empty; allowed: 1 to 150 characters/],
      [{ summary: 'x'.repeat(151) }, /summary is 151 characters long; allowed: 1 to 150 characters/],
      [{ type: 'outage' }, /type "outage" is not an incident type; allowed: any, major-incident/],
      [{ fields: { region: 'mars' } }, /region "mars" is not an option; allowed: us-east-1, eu-west-1/],
      [
        { fields: { customer_facing: 'maybe' } },
        /customer_facing "maybe" is not a yes\/no value; allowed: true, false, yes, no/,
      ],
      [
        { fields: {} },
        /customer_facing is required for incident type major-incident; allowed: true, false, yes, no/,
      ],
      [
        { fields: { customer_facing: true, impacted_users: 'lots' } },
        /impacted_users "lots" is not a number/,
      ],
      [
        { fields: { customer_facing: true, owner: 'bob' } },
        /owner "bob" is not a Slack user; allowed: a mention/,
      ],
      [
        { fields: { customer_facing: true, regions: 'us-east-1,mars' } },
        /regions "mars" is not an option; allowed: us-east-1, eu-west-1, ap-south-1/,
      ],
      [
        { fields: { customer_facing: true, colour: 'red' } },
        /field "colour" is not a field of incident type major-incident; allowed: customer_facing, region/,
      ],
      [{ type: 'any', fields: { region: 'eu-west-1' } }, /incident type any has no custom fields/],
      [{ commander: 'bob' }, /commander "bob" is not a Slack user/],
    ];
    for (const [override, expected] of cases) {
      assert.throws(
        () => s.service.declare({ ...declareP2, ...override } as never, 'U1'),
        (e: unknown) => isAppError(e) && e.code === 'INPUT_INVALID' && expected.test(e.message),
        `${JSON.stringify(override)} should fail with ${expected}`,
      );
    }
    // Several problems at once are all listed, each under its field for modal errors.
    assert.throws(
      () => s.service.declare({ summary: '', severity: 'high', type: 'major-incident' }, 'U1'),
      (e: unknown) =>
        isAppError(e) &&
        /summary is empty/.test(e.message) &&
        /severity "high"/.test(e.message) &&
        /customer_facing is required/.test(e.message) &&
        Object.keys(e.details.fields as object).join() === 'summary,severity,fields.customer_facing',
    );

    s.service.declare(declareP2, 'U1');
    assert.throws(
      () => s.service.update('INC-1', { status: 'done', severity: 'P1' }, 'U1'),
      /status "done" is not valid; allowed: investigating, identified, monitoring, mitigated, resolved/,
    );
    assert.equal(s.service.get('INC-1')?.severity, 'P2', 'a patch with one bad field applies nothing');
    assert.throws(
      () => s.service.declare({ ...declareP2 }, 'U1'),
      /channel C0CHECKOUT already belongs to INC-1/,
    );
    assert.equal(s.store.timeline.forIncident('INC-1').length, 1);
    assert.equal(s.events.length, 1);
  } finally {
    s.cleanup();
  }
});

test('a listener that throws or rejects is logged and does not break the mutation or other listeners', async () => {
  const s = setupIncidents();
  try {
    s.service.on(() => {
      throw new Error('listener boom');
    });
    s.service.on(async () => {
      throw new Error('async boom');
    });
    const later: string[] = [];
    const off = s.service.on((ev) => {
      ev.incident.summary = 'mutated by a listener';
      later.push(ev.type);
    });
    const inc = s.service.declare(declareP2, 'U1');
    assert.equal(inc.summary, 'Checkout 500s', 'listeners get copies');
    const r = s.service.update('INC-1', { severity: 'P0' }, 'U1');
    assert.equal(r.incident.severity, 'P0');
    assert.equal(s.service.get('INC-1')?.severity, 'P0');
    assert.deepEqual(later, ['incident.created', 'incident.updated']);
    off();
    s.service.update('INC-1', { severity: 'P1' }, 'U1');
    assert.equal(later.length, 2, 'unsubscribed');
    await new Promise((resolve) => setImmediate(resolve));
    const failures = s.logLines.filter((l) => l.includes('incident listener failed'));
    assert.equal(failures.filter((l) => l.includes('listener boom')).length, 3);
    assert.equal(failures.filter((l) => l.includes('async boom')).length, 3);
  } finally {
    s.cleanup();
  }
});

test('a concurrent change from another process is re-read and re-applied, not lost or reported twice', () => {
  const s = setupIncidents();
  const other = createStore(s.dbPath);
  try {
    const otherService = createServiceOn(other, new ManualClock());
    s.service.declare(declareP2, 'U1');
    // Between this service's read and its write, the other process changes severity.
    const realGet = s.store.incidents.get;
    let reads = 0;
    s.store.incidents.get = (id: string) => {
      const r = realGet(id);
      if (++reads === 1) otherService.update(id, { severity: 'P0' }, 'U9');
      return r;
    };
    const r = s.service.update('INC-1', { status: 'mitigated' }, 'U1');
    assert.equal(reads, 2, 're-read after the stale write');
    assert.equal(r.incident.severity, 'P0', 'the other change is kept');
    assert.equal(r.incident.status, 'mitigated');
    assert.equal(r.incident.version, 3);
    assert.deepEqual(r.changes, [{ field: 'status', from: 'investigating', to: 'mitigated' }]);
    assert.equal(s.events.at(-1)?.previous?.severity, 'P0', 'previous is what was really replaced');

    // The same change made concurrently: after the re-read there is nothing left to do.
    reads = 0;
    s.store.incidents.get = (id: string) => {
      const r2 = realGet(id);
      if (++reads === 1) otherService.update(id, { commander: 'U5' }, 'U9');
      return r2;
    };
    const events = s.events.length;
    assert.deepEqual(s.service.update('INC-1', { commander: 'U5' }, 'U1').changes, []);
    assert.equal(s.events.length, events);
    const commanderEvents = s.store.timeline
      .forIncident('INC-1')
      .filter((e) => e.data?.field === 'commander');
    assert.equal(commanderEvents.length, 1, 'written once, by the process that made it');
    s.store.incidents.get = realGet;
  } finally {
    other.close();
    s.cleanup();
  }
});

test("fieldsOf lists a type's custom fields; any and unknown types have none", () => {
  const s = setupIncidents();
  try {
    assert.deepEqual(
      s.service.fieldsOf('major-incident').map((f) => f.name),
      ['customer_facing', 'region', 'impacted_users', 'owner', 'regions', 'jira_key'],
    );
    assert.deepEqual(s.service.fieldsOf('any'), []);
    assert.deepEqual(s.service.fieldsOf('gone'), []);
  } finally {
    s.cleanup();
  }
});
