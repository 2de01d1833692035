import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups } from '../support/followups-setup.ts';
import { startTeamsFake } from '../fakes/teams-fake.ts';

const RB = `kind: Runbook
id: tell-teams
name: Tell Teams
steps:
  - id: teams
    uses: teams.message
    with:
      url_env: TEAMS_WEBHOOK_URL
      title: "{{ incident.id }}: rollback of {{ incident.service }}"
      text: "Requested by {{ run.requester }}. Summary: {{ incident.summary }}"
      facts: { Severity: "{{ incident.severity }}", Environment: "{{ incident.environment }}", Approver: "{{ run.approver }}" }
      link: { title: Open in Harness, url: "https://app.harness.io/ng/{{ incident.id }}" }
`;

test('teams: an Adaptive Card with title, text, facts and a link reaches the webhook', async () => {
  const teams = await startTeamsFake();
  const s = await setupFollowups([runbookFromYaml(RB)], { env: { TEAMS_WEBHOOK_URL: teams.webhookUrl } });
  try {
    const inc = declareIncident(s, { summary: 'Checkout *500s* <now>' });
    const run = s.engine.startRun({ runbookId: 'tell-teams', incidentId: inc.id, requester: 'U7' });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded', step.error ?? '');
    assert.equal(teams.cards.length, 1);
    const card = teams.cards[0] as { body: Record<string, unknown>[]; actions: Record<string, unknown>[] };
    assert.equal(card.body[0]!.text, `${inc.id}: rollback of checkout`);
    assert.equal(card.body[1]!.text, 'Requested by U7. Summary: Checkout *500s* <now>');
    assert.deepEqual(card.body[2], {
      type: 'FactSet',
      facts: [
        { title: 'Severity', value: 'P1' },
        { title: 'Environment', value: 'prod' },
        { title: 'Approver', value: '—' },
      ],
    });
    assert.deepEqual(card.actions, [
      { type: 'Action.OpenUrl', title: 'Open in Harness', url: `https://app.harness.io/ng/${inc.id}` },
    ]);
    const texts = JSON.stringify([s.engine.getRun(run.id), s.store.timeline.forIncident(inc.id), s.logs]);
    assert.ok(!texts.includes(teams.webhookUrl.split('/').pop()!), 'the webhook URL is a secret');
  } finally {
    await s.cleanup();
    await teams.close();
  }
});

test('teams: a throttled connector (200 with "HTTP error 429" in the body) is retried', async () => {
  const teams = await startTeamsFake();
  teams.throttle(2);
  const s = await setupFollowups([runbookFromYaml(RB)], { env: { TEAMS_WEBHOOK_URL: teams.webhookUrl } });
  try {
    const run = s.engine.startRun({
      runbookId: 'tell-teams',
      incidentId: declareIncident(s).id,
      requester: null,
    });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded');
    assert.equal(step.attempts, 3);
    assert.equal(teams.cards.length, 1);
  } finally {
    await s.cleanup();
    await teams.close();
  }
});

test('teams: a wrong webhook URL is final (404) and the URL is not shown', async () => {
  const teams = await startTeamsFake();
  const wrong = `${teams.url}/webhookb2/not-the-right-one/IncomingWebhook/abc`;
  const s = await setupFollowups([runbookFromYaml(RB)], { env: { TEAMS_WEBHOOK_URL: wrong } });
  try {
    const run = s.engine.startRun({
      runbookId: 'tell-teams',
      incidentId: declareIncident(s).id,
      requester: null,
    });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'failed');
    assert.equal(step.error, 'Teams (TEAMS_WEBHOOK_URL) answered 404 Not Found to POST: Webhook not found');
  } finally {
    await s.cleanup();
    await teams.close();
  }
});

test('teams fake: refuses a payload that is not an Adaptive Card message, like Teams', async () => {
  const teams = await startTeamsFake();
  try {
    const r = await fetch(teams.webhookUrl, {
      method: 'POST',
      body: JSON.stringify({ type: 'AdaptiveCard', body: [] }),
    });
    assert.equal(r.status, 400);
    assert.equal(await r.text(), 'Summary or Text is required.');
  } finally {
    await teams.close();
  }
});
