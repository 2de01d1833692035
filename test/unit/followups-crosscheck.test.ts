/** Load-time checks of follow-up steps: references in every new template field, secrets, shapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, errorAt, load, show, yaml } from '../fixtures/manifests/helpers.ts';
import type { ManifestError } from '../../src/manifests/manifest-error.ts';

const HEAD = `kind: Runbook\nid: f\nname: F\nsteps:\n  - { id: first, uses: timeline.event, with: { text: hi } }\n`;

/** The one error whose path is `path` and message matches. */
function errorOn(errors: readonly ManifestError[], path: string, message: RegExp): ManifestError {
  const hits = errors.filter((e) => e.path === path && message.test(e.message));
  assert.equal(hits.length, 1, `expected one error on ${path} matching ${message}; got:\n${show(errors)}`);
  return hits[0]!;
}

test('a runbook using every follow-up, with templates over earlier steps, loads without errors', () => {
  const r = load({
    'rb.yaml': yaml`
      kind: Runbook
      id: all
      name: All
      steps:
        - { id: note, uses: timeline.event, with: { text: "x", key: true } }
        - id: chat
          uses: slack.message
          retries: 3
          timeout: 2m
          with:
            channel: thread
            text: "{{ steps.note.status }} <https://example.com|link>"
            blocks: [{ header: "{{ incident.id }}" }, { section: "*x*" }, { divider: true }, { context: "{{ run.requester }}" }]
        - { id: dm, uses: slack.message, with: { user: "{{ incident.commander }}", text: hi } }
        - { id: teams, uses: teams.message, with: { url_env: TEAMS_URL, title: t, text: "{{ steps.chat.status }}", facts: { A: "{{ incident.severity }}" }, link: { url: "{{ steps.note.url }}" } } }
        - { id: mail, uses: email, with: { to: [a@example.com, "{{ incident.commander }}"], cc: "b@example.com, c@example.com", subject: s, text: t, html: "<p>{{ incident.summary }}</p>" } }
        - id: hook
          uses: webhook
          with:
            url: "https://status.example.com/api/{{ incident.id }}?page={{ incident.service }}"
            method: PATCH
            headers: { X-Source: runbook-bot, Authorization: "Bearer {{ inputs.token }}" }
            headers_from_env: { X-Api-Key: STATUSPAGE_KEY }
            secret_env: STATUSPAGE_SECRET
            body: '{"status": "{{ steps.hook2.status | default: \"x\" }}", "n": {{ incident.severity }}}'
        - { id: hook2, uses: webhook, with: { url_env: HOOK_URL, body: { a: ["{{ steps.hook.status }}", 1, true, null] } } }
        - { id: jc, uses: jira.comment, with: { issue: OPS-1, body: "{{ steps.hook.url }}" } }
        - { id: jt, uses: jira.transition, with: { issue: "{{ incident.id }}", transition: Done, status: Closed } }
        - { id: sn, uses: servicenow.update, with: { record: INC0010001, state: resolved, close_code: c, close_notes: n } }
        - { id: sn2, uses: servicenow.update, with: { record: 0123456789abcdef0123456789abcdef, state: 6, work_notes: w } }
    `.replace('inputs.token', 'run.id'),
  });
  // hook's body refers to a later step: that one error is the expected reference check.
  assert.equal(r.errors.length, 1, show(r.errors));
  errorOn(r.errors, 'steps[5].with.body', /"steps\.hook2\.status" refers to a later step/);
});

test('unknown references are load errors in every new template field (file:line:col at the reference)', () => {
  const r = load({
    'rb.yaml': `${HEAD}  - id: hook
    uses: webhook
    with:
      url: "https://x.example.com/{{ incident.nope }}"
      body: { deep: [1, { msg: "{{ steps.frist.url }}" }] }
  - { id: mail, uses: email, with: { to: "{{ incident.fields.owner }}", subject: s, text: t, html: "{{ inputs.missing }}" } }
  - { id: jira, uses: jira.comment, with: { issue: OPS-1, body: "see {{ steps.hook.urll }}" } }
  - { id: chat, uses: slack.message, with: { text: x, blocks: [{ section: "{{ run.who }}" }] } }
  - { id: teams, uses: teams.message, with: { url_env: T, title: t, text: t, facts: { A: "{{ steps.teams.status }}" } } }
`,
  });
  errorAt(r.errors, 'rb.yaml:9:35', /unknown incident field "incident\.nope"/);
  errorAt(r.errors, 'rb.yaml:10:33', /no step "frist" in this runbook.*did you mean "first"/);
  errorAt(r.errors, 'rb.yaml:11:43', /unknown field "incident\.fields\.owner": context\.incidentType is any/);
  errorAt(r.errors, 'rb.yaml:11:101', /no input "missing" is declared/);
  errorAt(r.errors, 'rb.yaml:12:70', /"steps\.hook\.urll" is not a step result/);
  errorAt(r.errors, 'rb.yaml:13:76', /"run\.who" is not a run field/);
  errorOn(r.errors, 'steps[5].with.facts.A', /refers to step "teams" itself/);
  assert.equal(r.errors.length, 7, show(r.errors));
});

test('secrets written into a manifest are errors that say where they belong', () => {
  const r = load({
    'rb.yaml': `${HEAD}  - id: hook
    uses: webhook
    with:
      url: "https://user:hunter2pass@status.example.com/api"
      headers: { Authorization: "Bearer 4f9a1c7e2b8d4e6fa0c3", X-Token: abc }
      body: { token: xoxb-123456789012-abcdefghijkl }
  - { id: h2, uses: webhook, with: { url: "https://api.example.com/hook?api_key=abc123&x=1", body: {} } }
  - { id: h3, uses: webhook, with: { url: "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456", body: {} } }
  - { id: chat, uses: slack.message, with: { text: "post to https://hooks.slack.com/services/T000/B000/XXXX" } }
  - { id: ok, uses: slack.message, with: { text: "Basic authentication failed for the Token rotation job" } }
`,
  });
  errorOn(
    r.errors,
    'steps[1].with.url',
    /looks like a URL with a password in it; .*url_env, headers_from_env or secret_env/,
  );
  errorOn(r.errors, 'steps[1].with.headers.Authorization', /looks like a credential/);
  errorOn(
    r.errors,
    'steps[1].with.headers.X-Token',
    /header X-Token holds a secret: move it to headers_from_env/,
  );
  errorOn(r.errors, 'steps[1].with.body.token', /looks like a Slack token/);
  errorOn(r.errors, 'steps[2].with.url', /carries a credential in its query; .*use url_env/);
  errorOn(r.errors, 'steps[3].with.url', /looks like a Teams webhook URL/);
  errorOn(r.errors, 'steps[4].with.text', /looks like a Slack incoming-webhook URL; .*environment variables/);
  assert.ok(!r.errors.some((e) => e.path.startsWith('steps[5]')), 'prose is not a secret');
  assert.equal(r.errors.length, 7, show(r.errors));
});

test('env var names, url/url_env, reserved headers, JSON text bodies', () => {
  const bad = load({
    'a.yaml': `${HEAD}  - { id: a, uses: webhook, with: { url_env: statuspage_url, body: {} } }\n`,
  });
  errorOn(bad.errors, 'steps[1].with.url_env', /an environment variable name: capital letters, digits and _/);
  const r = load({
    'rb.yaml': `${HEAD}  - { id: b, uses: webhook, with: { url: "https://x.example.com", url_env: X, body: {} } }
  - { id: c, uses: webhook, with: { body: {} } }
  - { id: d, uses: webhook, with: { url: "ftp://x.example.com", headers: { Idempotency-Key: x }, headers_from_env: { X-A: A }, body: '{"a": {{ run.id }} ' } }
  - { id: e, uses: webhook, with: { url: "https://x.example.com", headers: { X-A: a }, headers_from_env: { x-a: A }, body: '{"a": "{{ run.id }}"}' } }
`,
  });
  errorOn(r.errors, 'steps[1].with', /exactly one of url .* or url_env/);
  errorOn(r.errors, 'steps[2].with', /exactly one of url .* or url_env/);
  errorOn(r.errors, 'steps[3].with.url', /must start with https:\/\/ or http:\/\//);
  errorOn(r.errors, 'steps[3].with.headers.Idempotency-Key', /set by runbook-bot/);
  errorOn(r.errors, 'steps[3].with.body', /body is not JSON/);
  errorOn(r.errors, 'steps[4].with.headers_from_env.x-a', /also set in headers/);
  assert.equal(r.errors.length, 6, show(r.errors));
});

test('shapes of literal channels, users, addresses, issue keys and ServiceNow records; timeouts and retries', () => {
  const schema = load({
    'a.yaml': `${HEAD}  - { id: g, uses: timeline.event, retries: 21, with: { text: x } }\n`,
    'b.yaml': `${HEAD}  - { id: g, uses: timeline.event, timeout: soon, with: { text: x } }\n`,
  });
  errorOn(schema.errors, 'steps[1].retries', /must be at most 20, got 21/);
  errorOn(schema.errors, 'steps[1].timeout', /a duration is a number and a unit/);
  const r = load({
    'rb.yaml': `${HEAD}  - { id: a, uses: slack.message, with: { channel: general, text: x } }
  - { id: b, uses: slack.message, with: { channel: C0123, user: U0123, text: x } }
  - { id: c, uses: slack.message, with: { user: jane, text: x } }
  - { id: d, uses: email, with: { to: [ok@example.com, "not an address"], cc: "x@y", subject: s, text: t } }
  - { id: e, uses: jira.comment, with: { issue: ops-1, body: x } }
  - { id: f, uses: servicenow.update, with: { record: "12345" } }
  - { id: g, uses: timeline.event, timeout: 0s, with: { text: x } }
  - id: h
    uses: harness.pipeline
    timeout: 5m
    with: { org: o, project: p, pipeline: q }
`,
  });
  errorOn(
    r.errors,
    'steps[1].with.channel',
    /"general" is not a channel: use incident \(default\), thread, a channel id/,
  );
  errorOn(r.errors, 'steps[2].with', /set channel or user \(a DM\), not both/);
  errorOn(r.errors, 'steps[3].with.user', /"jane" is not a Slack user id/);
  errorOn(r.errors, 'steps[4].with.to[1]', /"not an address" is not an email address/);
  errorOn(r.errors, 'steps[4].with.cc', /"x@y" is not an email address/);
  errorOn(r.errors, 'steps[5].with.issue', /"ops-1" is not a Jira issue key like OPS-123/);
  errorOn(r.errors, 'steps[6].with', /servicenow\.update changes nothing: set one of work_notes/);
  errorOn(
    r.errors,
    'steps[6].with.record',
    /neither a ServiceNow number like INC0010001 nor a 32-character sys_id/,
  );
  errorOn(r.errors, 'steps[7].timeout', /"0s" is not a duration greater than zero/);
  errorOn(r.errors, 'steps[8].timeout', /a pipeline step sets its wait with with\.timeout/);
  assert.equal(r.errors.length, 10, show(r.errors));
});
