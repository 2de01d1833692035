import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { declareIncident, oneStepRunbook, setupFollowups } from '../support/followups-setup.ts';
import { startWebhookFake } from '../fakes/webhook-fake.ts';

const SECRET = 'whsec_5f1a9c0e7b2d4488';
const TOKEN = 'sp-token-8c2f0d1e55aa';

function statusPageStep(url: string, extra = '') {
  return oneStepRunbook(
    `  - id: status-page
    uses: webhook
    ${extra}
    with:
      url: "${url}/api/v1/incidents/{{ incident.id }}/updates"
      method: PUT
      headers: { X-Source: "runbook-bot {{ run.runbook }}" }
      headers_from_env: { Authorization: STATUSPAGE_AUTH }
      secret_env: STATUSPAGE_SECRET
      body:
        status: identified
        message: "{{ incident.summary }}"
        impact: 2
        notify: true
`,
  );
}

test('webhook: signed JSON with an Idempotency-Key, templated body and headers, secret header from env', async () => {
  const hook = await startWebhookFake({ secret: SECRET });
  const s = await setupFollowups([runbookFromYaml(statusPageStep(hook.url))], {
    env: { STATUSPAGE_SECRET: SECRET, STATUSPAGE_AUTH: `OAuth ${TOKEN}` },
  });
  try {
    const inc = declareIncident(s, { summary: 'Checkout "500s" <b>now</b>\nsecond line' });
    const run = s.engine.startRun({ runbookId: 'followup', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded', steps[0]!.error ?? '');
    assert.equal(hook.applied.length, 1);
    const d = hook.applied[0]!;
    assert.equal(d.method, 'PUT');
    assert.equal(d.path, `/api/v1/incidents/${inc.id}/updates`);
    assert.deepEqual(d.json, {
      status: 'identified',
      message: 'Checkout "500s" <b>now</b>\nsecond line',
      impact: 2,
      notify: true,
    });
    assert.equal(d.key, `${run.id}:status-page`);
    assert.equal(d.headers['x-source'], 'runbook-bot followup');
    assert.equal(d.headers['authorization'], `OAuth ${TOKEN}`);
    const raw = hook.requests[0]!.body;
    const sig = 'sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex');
    assert.equal(d.headers['x-runbook-signature'], sig);
    assert.deepEqual(steps[0]!.output, { status: 202, idempotency_key: `${run.id}:status-page` });
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: a JSON text body gets JSON-escaped values and arrives as valid JSON', async () => {
  const hook = await startWebhookFake();
  const rb = oneStepRunbook(`  - id: notify
    uses: webhook
    with:
      url: "${hook.url}/hook?service={{ incident.service }}"
      body: '{"text": "{{ incident.summary }}", "run": "{{ run.id }}"}'
`);
  const s = await setupFollowups([runbookFromYaml(rb)], { env: {} });
  try {
    const inc = declareIncident(s, { summary: 'quote " backslash \\ newline\n tab\t end', service: 'a b&c' });
    const run = s.engine.startRun({ runbookId: 'followup', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
    assert.deepEqual(hook.applied[0]!.json, {
      text: 'quote " backslash \\ newline\n tab\t end',
      run: run.id,
    });
    assert.equal(hook.requests[0]!.query.service, 'a b&c', 'URL template values are URL-encoded');
    assert.equal(hook.requests[0]!.method, 'POST');
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: fails twice (503 with Retry-After, then 500) then succeeds — same key every time, applied once', async () => {
  const hook = await startWebhookFake();
  hook.inject('deliver', 1, {
    status: 503,
    body: { error: 'maintenance' },
    headers: { 'retry-after': '45' },
  });
  hook.inject('deliver', 1, { status: 500, body: 'oops' });
  const rb = oneStepRunbook(`  - id: notify
    uses: webhook
    with: { url: "${hook.url}/hook", body: { ok: true } }
`);
  const s = await setupFollowups([runbookFromYaml(rb)], { env: {} });
  try {
    const run = s.engine.startRun({
      runbookId: 'followup',
      incidentId: declareIncident(s).id,
      requester: null,
    });
    const t0 = s.clock.now();
    await s.engine.drain();
    let step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'pending');
    assert.match(
      step.error!,
      /attempt 1 failed, retrying: webhook 127\.0\.0\.1:\d+ answered 503 Service Unavailable to POST: maintenance/,
    );
    assert.equal(step.nextAttemptAt, t0 + 45_000, 'Retry-After (45 s) wins over the 5 s backoff');
    await runToEnd(s, run.id);
    step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded');
    assert.equal(step.attempts, 3);
    assert.equal(hook.requests.length, 3);
    assert.deepEqual(
      new Set(hook.requests.map((r) => r.headers['idempotency-key'])),
      new Set([`${run.id}:notify`]),
    );
    assert.equal(hook.applied.length, 1);
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: a 4xx is final, with the target message, in the step, the timeline and the run', async () => {
  const hook = await startWebhookFake({ secret: SECRET });
  const rb = oneStepRunbook(`  - id: notify
    uses: webhook
    with: { url: "${hook.url}/hook", body: { ok: true }, secret_env: STATUSPAGE_SECRET }
`);
  // The bot signs with a different secret than the receiver expects: 401 invalid signature.
  const s = await setupFollowups([runbookFromYaml(rb)], { env: { STATUSPAGE_SECRET: 'not-the-right-one' } });
  try {
    const inc = declareIncident(s);
    const run = s.engine.startRun({ runbookId: 'followup', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(steps[0]!.status, 'failed');
    assert.equal(steps[0]!.attempts, 1, 'a 401 is not retried');
    assert.match(steps[0]!.error!, /answered 401 Unauthorized to POST: invalid signature/);
    assert.equal(done.state, 'failed');
    const failed = s.store.timeline.forIncident(inc.id).find((e) => e.kind === 'step.failed')!;
    assert.equal(failed.key, true);
    assert.match(failed.text, /Step notify failed: .*invalid signature/);
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: a target that stays down until the step times out ends timed_out; the run goes on', async () => {
  const hook = await startWebhookFake();
  await hook.stop();
  const rb = oneStepRunbook(`  - id: notify
    uses: webhook
    timeout: 1m
    retries: 10
    continue_on_error: true
    with: { url: "${hook.url}/hook", body: { ok: true } }
  - id: after
    uses: timeline.event
    with: { text: "still here" }
`);
  const s = await setupFollowups([runbookFromYaml(rb)], { env: {} });
  try {
    const run = s.engine.startRun({
      runbookId: 'followup',
      incidentId: declareIncident(s).id,
      requester: null,
    });
    const t0 = s.clock.now();
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(steps[0]!.status, 'timed_out');
    assert.match(
      steps[0]!.error!,
      /no success within the step's timeout of 1m \(\d+ attempts\): webhook .* could not reach it \(ECONNREFUSED\)/,
    );
    assert.ok(steps[0]!.attempts >= 4 && steps[0]!.attempts <= 6, `attempts ${steps[0]!.attempts}`);
    assert.equal(steps[0]!.finishedAt, t0 + 60_000, 'the last try is at the deadline, not later');
    assert.equal(steps[1]!.status, 'succeeded');
    assert.equal(done.state, 'succeeded', 'continue_on_error: the failed follow-up does not fail the run');
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: retries run out → failed with every attempt counted', async () => {
  const hook = await startWebhookFake();
  hook.inject('deliver', 5, { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
  const rb = oneStepRunbook(`  - id: notify
    uses: webhook
    retries: 2
    with: { url: "${hook.url}/hook", body: { ok: true } }
`);
  const s = await setupFollowups([runbookFromYaml(rb)], { env: {} });
  try {
    const run = s.engine.startRun({
      runbookId: 'followup',
      incidentId: declareIncident(s).id,
      requester: null,
    });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'failed');
    assert.equal(hook.requests.length, 3);
    assert.match(
      step.error!,
      /^gave up after 3 attempts in 15s: webhook .* answered 502 Bad Gateway to POST: 502 Bad Gateway$/,
    );
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: secrets never reach the step error, the timeline or the logs, even when echoed back', async () => {
  const hook = await startWebhookFake();
  hook.inject('deliver', 1, {
    status: 400,
    body: { message: `bad header Authorization: OAuth ${TOKEN} for ${hook.url}/secret-path` },
  });
  const rb = oneStepRunbook(`  - id: notify
    uses: webhook
    with: { url_env: STATUSPAGE_URL, headers_from_env: { Authorization: STATUSPAGE_AUTH }, body: { ok: true } }
`);
  const secretUrl = `${hook.url}/secret-path`;
  const s = await setupFollowups([runbookFromYaml(rb)], {
    env: { STATUSPAGE_AUTH: `OAuth ${TOKEN}`, STATUSPAGE_URL: secretUrl },
  });
  try {
    const inc = declareIncident(s);
    const run = s.engine.startRun({ runbookId: 'followup', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'failed');
    assert.match(
      step.error!,
      /webhook \(STATUSPAGE_URL\) answered 400 Bad Request to POST: bad header Authorization: \[redacted\] for \[redacted\]/,
    );
    const everything = [
      JSON.stringify(s.engine.getRun(run.id)),
      JSON.stringify(s.store.timeline.forIncident(inc.id)),
      s.logs.join(''),
    ].join('\n');
    assert.ok(s.logs.length > 0);
    for (const secret of [TOKEN, secretUrl]) assert.ok(!everything.includes(secret), `leaked ${secret}`);
  } finally {
    await s.cleanup();
    await hook.close();
  }
});

test('webhook: a missing env var fails the step at once, naming it; a redirect is final', async () => {
  const hook = await startWebhookFake();
  hook.inject('deliver', 1, { status: 302, headers: { location: 'https://elsewhere.example/hook' } });
  const rb = runbookFromYaml(`kind: Runbook
id: followup
name: F
steps:
  - id: missing
    uses: webhook
    continue_on_error: true
    with: { url: "${hook.url}/a", body: { a: 1 }, secret_env: NOT_SET_ANYWHERE }
  - id: moved
    uses: webhook
    continue_on_error: true
    with: { url: "${hook.url}/b", body: { a: 1 } }
`);
  const s = await setupFollowups([rb], { env: {} });
  try {
    const run = s.engine.startRun({
      runbookId: 'followup',
      incidentId: declareIncident(s).id,
      requester: null,
    });
    await runToEnd(s, run.id);
    const [missing, moved] = s.engine.getRun(run.id)!.steps;
    assert.equal(missing!.status, 'failed');
    assert.equal(missing!.errorCode, 'CONFIG_INVALID');
    assert.match(missing!.error!, /The webhook signature needs NOT_SET_ANYWHERE in the environment/);
    assert.equal(moved!.status, 'failed');
    assert.match(
      moved!.error!,
      /answered 302 to POST: redirected to https:\/\/elsewhere\.example\/hook; configure the final URL/,
    );
    assert.equal(hook.requestsTo('deliver').length, 1, 'the missing-secret step sent nothing');
  } finally {
    await s.cleanup();
    await hook.close();
  }
});
