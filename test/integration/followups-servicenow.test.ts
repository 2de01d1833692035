import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups } from '../support/followups-setup.ts';
import { startServicenowFake, type ServicenowFake } from '../fakes/servicenow-fake.ts';

const basicEnv = (sn: ServicenowFake) => ({
  SERVICENOW_INSTANCE_URL: sn.url,
  SERVICENOW_USERNAME: sn.username,
  SERVICENOW_PASSWORD: sn.password,
});

const RESOLVE = `kind: Runbook
id: snow
name: Snow
steps:
  - id: resolve-snow
    uses: servicenow.update
    with:
      record: "{{ incident.fields.snow }}"
      work_notes: "Rolled back {{ incident.service }} [code]<img src=x onerror=alert(1)>[/code] by {{ run.requester }}"
      state: resolved
      close_code: Solved (Permanently)
      close_notes: "Rolled back by runbook-bot ({{ run.id }})"
`;

test('servicenow: found by number, work note (with marker) added, resolved with close code and notes', async () => {
  const sn = await startServicenowFake();
  const rec = sn.addIncident('INC0010001');
  const s = await setupFollowups([runbookFromYaml(RESOLVE)], { env: basicEnv(sn) });
  try {
    const inc = declareIncident(s, { fields: { snow: 'INC0010001' }, service: '[code]checkout[/code]' });
    const run = s.engine.startRun({ runbookId: 'snow', incidentId: inc.id, requester: 'U9' });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded', step.error ?? '');
    assert.equal(rec.state, '6');
    assert.equal(rec.close_code, 'Solved (Permanently)');
    assert.equal(rec.close_notes, `Rolled back by runbook-bot (${run.id})`);
    assert.equal(sn.journal.length, 1);
    assert.equal(
      sn.journal[0]!.value,
      `Rolled back [ code ]checkout[ /code ] [code]<img src=x onerror=alert(1)>[/code] by U9\n\n(runbook-bot ${run.id}/resolve-snow)`,
      'values cannot open [code] blocks; the author’s own text can',
    );
    const lookup = sn.requestsTo('query')[0]!;
    assert.equal(lookup.query.sysparm_query, 'number=INC0010001');
    assert.equal(lookup.query.sysparm_limit, '1');
    assert.equal(sn.requestsTo('patch').length, 1);
    assert.equal(sn.requestsTo('journal').length, 0, 'no journal lookup on a first attempt');
    assert.deepEqual(step.output, {
      number: 'INC0010001',
      sys_id: rec.sys_id,
      fields: ['work_notes', 'state', 'close_code', 'close_notes'],
      note_already_added: false,
    });
    assert.equal(step.url, `${sn.url}/nav_to.do?uri=incident.do?sys_id=${rec.sys_id}`);
  } finally {
    await s.cleanup();
    await sn.close();
  }
});

test('servicenow: a lost answer after the note was saved — the retry does not add it twice', async () => {
  const sn = await startServicenowFake();
  const rec = sn.addIncident('INC0010002');
  sn.inject('patch', 1, { afterProcessing: { status: 502, body: '<html>Bad Gateway</html>' } });
  const s = await setupFollowups([runbookFromYaml(RESOLVE)], { env: basicEnv(sn) });
  try {
    const inc = declareIncident(s, { fields: { snow: 'INC0010002' } });
    const run = s.engine.startRun({ runbookId: 'snow', incidentId: inc.id, requester: 'U9' });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded', step.error ?? '');
    assert.equal(step.attempts, 2);
    assert.equal(sn.journal.length, 1, 'one work note');
    const second = JSON.parse(sn.requestsTo('patch')[1]!.body) as Record<string, string>;
    assert.deepEqual(
      Object.keys(second).sort(),
      ['close_code', 'close_notes', 'state'],
      'the state is set again, the note is not',
    );
    assert.equal(rec.state, '6');
    assert.equal((step.output as { note_already_added: boolean }).note_already_added, true);
  } finally {
    await s.cleanup();
    await sn.close();
  }
});

test('servicenow: by sys_id with a bearer token; ServiceNow’s data-policy refusal is final and shown', async () => {
  const sn = await startServicenowFake();
  const rec = sn.addIncident('INC0010003');
  const rb = runbookFromYaml(`kind: Runbook
id: snow2
name: Snow2
steps:
  - id: note
    uses: servicenow.update
    continue_on_error: true
    with: { record: "${rec.sys_id}", comments: "We are rolling back.", state: in_progress }
  - id: resolve-without-code
    uses: servicenow.update
    continue_on_error: true
    with: { record: "${rec.sys_id}", state: resolved }
  - id: nope
    uses: servicenow.update
    continue_on_error: true
    with: { record: INC0099999, work_notes: x }
`);
  const s = await setupFollowups([rb], {
    env: { SERVICENOW_INSTANCE_URL: sn.url, SERVICENOW_TOKEN: sn.token },
  });
  try {
    const run = s.engine.startRun({ runbookId: 'snow2', incidentId: declareIncident(s).id, requester: null });
    await runToEnd(s, run.id);
    const [note, resolve, nope] = s.engine.getRun(run.id)!.steps;
    assert.equal(note!.status, 'succeeded', note!.error ?? '');
    assert.equal(sn.requestsTo('get').length, 2, 'a sys_id is read directly, not queried by number');
    assert.equal(sn.journal[0]!.element, 'comments');
    assert.equal(rec.state, '2');
    assert.equal(resolve!.status, 'failed');
    assert.equal(resolve!.attempts, 1);
    assert.equal(
      resolve!.error,
      `ServiceNow answered 403 Forbidden to PATCH /api/now/table/incident/${rec.sys_id}: Operation Failed: Data Policy Exception: The following fields are mandatory: Resolution code, Resolution notes`,
    );
    assert.equal(nope!.status, 'failed');
    assert.equal(nope!.error, 'ServiceNow has no incident record INC0099999');
    for (const r of sn.requests) assert.equal(r.headers['authorization'], `Bearer ${sn.token}`);
  } finally {
    await s.cleanup();
    await sn.close();
  }
});

test('servicenow: wrong password is final with ServiceNow’s message and never shows the password', async () => {
  const sn = await startServicenowFake();
  sn.addIncident('INC0010004');
  const s = await setupFollowups([runbookFromYaml(RESOLVE)], {
    env: { ...basicEnv(sn), SERVICENOW_PASSWORD: 'Wr0ng-Passw0rd' },
  });
  try {
    const inc = declareIncident(s, { fields: { snow: 'INC0010004' } });
    const run = s.engine.startRun({ runbookId: 'snow', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'failed');
    assert.match(
      step.error!,
      /ServiceNow answered 401 Unauthorized to GET \/api\/now\/table\/incident: User Not Authenticated: Required to provide Auth information/,
    );
    assert.ok(!s.logs.join('').includes('Wr0ng-Passw0rd'));
    assert.ok(!JSON.stringify(s.engine.getRun(run.id)).includes('Wr0ng-Passw0rd'));
  } finally {
    await s.cleanup();
    await sn.close();
  }
});

test('servicenow: missing configuration says what to set', async () => {
  const s = await setupFollowups([runbookFromYaml(RESOLVE)], {
    env: { SERVICENOW_INSTANCE_URL: 'https://x.service-now.com' },
  });
  try {
    const inc = declareIncident(s, { fields: { snow: 'INC0010004' } });
    const run = s.engine.startRun({ runbookId: 'snow', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.errorCode, 'CONFIG_INVALID');
    assert.match(
      step.error!,
      /ServiceNow needs SERVICENOW_TOKEN \(OAuth\) or SERVICENOW_USERNAME and SERVICENOW_PASSWORD \(basic auth\)/,
    );
  } finally {
    await s.cleanup();
  }
});
