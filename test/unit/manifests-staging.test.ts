/** `staging:` in manifests: what is allowed, and each mistake reported where it is, naming what is allowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, load, show, yaml } from '../fixtures/manifests/helpers.ts';
import type { ManifestError } from '../../src/manifests/manifest-error.ts';

const PIPE = (staging: string) => yaml`
  kind: Runbook
  id: rb
  name: RB
  steps:
    - id: rollback
      uses: harness.pipeline
      with:
        org: default
        project: payments
        pipeline: rollback_service
        inputs: |
          pipeline:
            identifier: rollback_service
            variables:
              - name: service
                type: String
                value: <+input>
        bind:
          service: { from: incident.service }
        ${staging}
`;

const FOLLOWUP = (uses: string, w: string) =>
  `kind: Runbook\nid: rb\nname: RB\nsteps:\n  - id: f\n    uses: ${uses}\n    with: ${w}\n`;

function only(errors: readonly ManifestError[], path: string, message: RegExp): ManifestError {
  const hits = errors.filter((e) => e.path === path && message.test(e.message));
  assert.equal(hits.length, 1, `expected one error on ${path} matching ${message}; got:\n${show(errors)}`);
  return hits[0]!;
}

test('a runbook with staging: on a pipeline and on every external follow-up loads', () => {
  const r = load({
    'rb.yaml': yaml`
      kind: Runbook
      id: rb
      name: RB
      steps:
        - id: p
          uses: harness.pipeline
          with: { org: o, project: p, pipeline: x, staging: { pipeline: x_staging } }
        - { id: jc, uses: jira.comment, with: { issue: OPS-1, body: b, staging: { issue: OPS-3 } } }
        - { id: jt, uses: jira.transition, with: { issue: OPS-1, transition: Done, staging: { issue: OPS-2 } } }
        - { id: sn, uses: servicenow.update, with: { record: INC0010001, work_notes: n, staging: { record: INC0010002 } } }
        - { id: em, uses: email, with: { to: a@example.com, subject: s, text: t, staging: { to: [t@example.com], cc: c@example.com } } }
        - { id: tm, uses: teams.message, with: { url_env: TEAMS_URL, title: t, text: t, staging: { url_env: TEAMS_SANDBOX_URL } } }
        - { id: wh, uses: webhook, with: { url_env: HOOK, body: { a: 1 }, staging: { url: "https://sandbox.example.com/h", secret_env: SANDBOX_SECRET } } }
    `,
  });
  assertNoErrors(r.errors);
  const p = r.catalog.runbooks.get('rb')!.steps[0]!;
  assert.ok(p.uses === 'harness.pipeline' && p.with.staging?.pipeline === 'x_staging');
});

test('pipeline staging: an unknown key names the allowed ones, at the key', () => {
  const r = load({ 'rb.yaml': PIPE('staging: { projct: payments_staging }') });
  const e = only(r.errors, 'steps[0].with.staging.projct', /unknown key "projct"/);
  assert.match(e.message, /allowed: org, project, pipeline/);
  assert.match(e.message, /did you mean "project"/);
  assert.equal(e.line, 20);
});

test('pipeline staging: an empty map says to name at least one of org, project, pipeline', () => {
  const r = load({ 'rb.yaml': PIPE('staging: {}') });
  only(r.errors, 'steps[0].with.staging', /at least one of org, project, pipeline/);
});

test('pipeline staging: naming the production pipeline itself is an error', () => {
  const r = load({ 'rb.yaml': PIPE('staging: { org: default, pipeline: rollback_service }') });
  only(r.errors, 'steps[0].with.staging', /production one.*default\/payments\/rollback_service/);
});

test('pipeline staging: a value that is not text', () => {
  const r = load({ 'rb.yaml': PIPE('staging: { pipeline: [a, b] }') });
  assert.ok(
    r.errors.some((e) => e.path === 'steps[0].with.staging.pipeline'),
    show(r.errors),
  );
});

test('follow-up staging: unknown keys name the target keys of that action', () => {
  const cases: [string, string, string][] = [
    ['jira.comment', '{ issue: OPS-1, body: b, staging: { project: OPS } }', 'issue'],
    ['servicenow.update', '{ record: INC0010001, work_notes: n, staging: { sys_id: x } }', 'record, table'],
    ['email', '{ to: a@example.com, subject: s, text: t, staging: { bcc: b@example.com } }', 'to, cc'],
    ['teams.message', '{ url_env: T, title: t, text: t, staging: { url: "https://x" } }', 'url_env'],
    [
      'webhook',
      '{ url: "https://x.example.com", body: {}, staging: { headers: {} } }',
      'url, url_env, secret_env, headers_from_env',
    ],
  ];
  for (const [uses, w, allowed] of cases) {
    const r = load({ 'rb.yaml': FOLLOWUP(uses, w) });
    const e = r.errors.find(
      (x) => /^steps\[0\]\.with\.staging\.\w+$/.test(x.path) && /unknown key/.test(x.message),
    );
    assert.ok(e, `${uses}: ${show(r.errors)}`);
    assert.ok(e.message.includes(`(allowed: ${allowed})`), `${uses}: ${e.message}`);
  }
});

test('follow-up staging: the required target key is missing', () => {
  const r = load({ 'rb.yaml': FOLLOWUP('jira.comment', '{ issue: OPS-1, body: b, staging: {} }') });
  only(r.errors, 'steps[0].with.staging.issue', /missing required key "issue"/);
});

test('follow-up staging: shapes are checked like the production target', () => {
  const bad: [string, string, string, RegExp][] = [
    [
      'jira.transition',
      '{ issue: OPS-1, transition: Done, staging: { issue: "not a key" } }',
      'steps[0].with.staging.issue',
      /not a Jira issue key/,
    ],
    [
      'servicenow.update',
      '{ record: INC0010001, work_notes: n, staging: { record: "nope" } }',
      'steps[0].with.staging.record',
      /neither a ServiceNow number/,
    ],
    [
      'email',
      '{ to: a@example.com, subject: s, text: t, staging: { to: "not-an-address" } }',
      'steps[0].with.staging.to',
      /not an email address/,
    ],
    [
      'teams.message',
      '{ url_env: T, title: t, text: t, staging: { url_env: "https://x" } }',
      'steps[0].with.staging.url_env',
      /environment variable name/,
    ],
    [
      'webhook',
      '{ url_env: H, body: {}, staging: { url: "ftp://x" } }',
      'steps[0].with.staging.url',
      /must start with https/,
    ],
    [
      'webhook',
      '{ url_env: H, body: {}, staging: { secret_env: S } }',
      'steps[0].with.staging',
      /exactly one of url .* or url_env/,
    ],
    [
      'webhook',
      '{ url_env: H, body: {}, staging: { url: "https://x.example.com", url_env: S } }',
      'steps[0].with.staging',
      /exactly one of url/,
    ],
    [
      'webhook',
      '{ url_env: H, body: {}, staging: { url: "https://x.example.com/?token=abc123" } }',
      'steps[0].with.staging.url',
      /credential in its query/,
    ],
    [
      'webhook',
      '{ url_env: H, body: {}, staging: { url_env: S, headers_from_env: { Idempotency-Key: K } } }',
      'steps[0].with.staging.headers_from_env.Idempotency-Key',
      /set by runbook-bot/,
    ],
  ];
  for (const [uses, w, path, message] of bad)
    only(load({ 'rb.yaml': FOLLOWUP(uses, w) }).errors, path, message);
});

test('follow-up staging: a secret written into it is refused like anywhere in with:', () => {
  const r = load({
    'rb.yaml': FOLLOWUP(
      'webhook',
      '{ url_env: H, body: {}, staging: { url: "https://hooks.slack.com/services/T000/B000/XXXXXXXX" } }',
    ),
  });
  only(r.errors, 'steps[0].with.staging.url', /Slack incoming-webhook URL.*never write secrets/);
});

test('follow-up staging: pointing at the production target is an error', () => {
  const same: [string, string, string][] = [
    ['jira.comment', '{ issue: OPS-1, body: b, staging: { issue: OPS-1 } }', 'steps[0].with.staging.issue'],
    [
      'servicenow.update',
      '{ record: INC0010001, work_notes: n, staging: { record: INC0010001 } }',
      'steps[0].with.staging.record',
    ],
    [
      'email',
      '{ to: [A@example.com], subject: s, text: t, staging: { to: a@example.com } }',
      'steps[0].with.staging.to',
    ],
    [
      'teams.message',
      '{ url_env: T, title: t, text: t, staging: { url_env: T } }',
      'steps[0].with.staging.url_env',
    ],
    ['webhook', '{ url_env: H, body: {}, staging: { url_env: H } }', 'steps[0].with.staging.url_env'],
  ];
  for (const [uses, w, path] of same)
    only(load({ 'rb.yaml': FOLLOWUP(uses, w) }).errors, path, /staging .* is the production one/);
  // Another table is another record.
  assertNoErrors(
    load({
      'rb.yaml': FOLLOWUP(
        'servicenow.update',
        '{ record: CHG0030001, work_notes: n, staging: { record: CHG0030001, table: change_request } }',
      ),
    }).errors,
  );
});

test('follow-up staging: templates are checked against what exists', () => {
  const r = load({
    'rb.yaml': FOLLOWUP(
      'jira.comment',
      '{ issue: OPS-1, body: b, staging: { issue: "{{ incident.feilds.x }}" } }',
    ),
  });
  assert.ok(
    r.errors.some((e) => e.path.startsWith('steps[0].with.staging.issue')),
    show(r.errors),
  );
});

test('internal actions have no staging: (they run unchanged for test incidents)', () => {
  const r = load({ 'rb.yaml': FOLLOWUP('slack.message', '{ text: hi, staging: { channel: "#tests" } }') });
  only(r.errors, 'steps[0].with.staging', /unknown key "staging"/);
});
