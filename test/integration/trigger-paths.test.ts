/**
 * DESIGN.md §4.3: every way an incident changes goes through the one incident service, so no path
 * can skip triggers. Each path below — the Slack declare modal, `/incident severity`,
 * `/incident set`, the API (POST, PATCH) and the Alertmanager receiver — fires a trigger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, type BotUnderTest } from '../support/bot-app.ts';
import { command, declare } from '../support/slack-flow.ts';

const RUNBOOKS = `kind: Runbook
id: note-p0
name: Note a P0
triggers:
  - on: incident.created
    when: { severity: { equals: P0 } }
    approval: none
  - on: incident.updated
    when: { severity: { changed_to: P0 } }
    approval: none
steps:
  - id: note
    uses: timeline.event
    with: { text: "P0 noted for {{ incident.id }}" }
---
kind: Runbook
id: note-region
name: Note a region move
context: { incidentType: major-incident }
triggers:
  - on: incident.updated
    when: { fields.region: { changed_to: eu-west-1 } }
    approval: none
steps:
  - id: note
    uses: timeline.event
    with: { text: "moved to {{ incident.fields.region }}" }
`;

async function firedFor(bot: BotUnderTest, incidentId: string, runbookId: string) {
  await bot.slack.waitFor(
    () =>
      bot.app.store.runs
        .forIncident(incidentId)
        .some((r) => r.runbookId === runbookId && r.state === 'succeeded'),
    {
      what: `${runbookId} to run for ${incidentId}`,
      timeoutMs: 10_000,
    },
  );
  const run = bot.app.store.runs.forIncident(incidentId).find((r) => r.runbookId === runbookId)!;
  assert.notEqual(run.trigger, 'manual');
  return run;
}

test('every incident mutation path fires triggers', async () => {
  const bot = await startBot({ extraManifests: { 'trigger-paths.yaml': RUNBOOKS } });
  try {
    // Slack: declare modal, then /incident severity and /incident set in its channel.
    const { incidentId, channel } = await declare(bot);
    assert.equal((await command(bot, '/incident', 'severity P0', channel)).status, 200);
    const bySeverity = await firedFor(bot, incidentId, 'note-p0');
    assert.equal(bySeverity.trigger, 'incident.updated');
    assert.equal((await command(bot, '/incident', 'set region eu-west-1', channel)).status, 200);
    await firedFor(bot, incidentId, 'note-region');

    // API: POST creates a P0 (incident.created), PATCH raises another to P0 (incident.updated).
    const created = await bot.api('POST', '/api/incidents', {
      summary: 'Payments down',
      severity: 'P0',
      service: 'payments',
    });
    assert.equal(created.status, 201);
    assert.equal((await firedFor(bot, created.json.id, 'note-p0')).trigger, 'incident.created');
    const other = await bot.api('POST', '/api/incidents', { summary: 'Search slow', severity: 'P3' });
    assert.equal((await bot.api('PATCH', `/api/incidents/${other.json.id}`, { severity: 'P0' })).status, 200);
    await firedFor(bot, other.json.id, 'note-p0');

    // Alertmanager: a firing group with priority P0 opens an incident and fires.
    const am = await bot.api('POST', '/api/alertmanager', {
      version: '4',
      groupKey: '{}:{alertname="CheckoutDown"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'runbook-bot',
      groupLabels: { alertname: 'CheckoutDown' },
      commonLabels: { alertname: 'CheckoutDown', service: 'checkout', env: 'prod', priority: 'P0' },
      commonAnnotations: { summary: 'Checkout is down' },
      externalURL: 'http://alertmanager.example:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'CheckoutDown', service: 'checkout', env: 'prod', priority: 'P0' },
          annotations: { summary: 'Checkout is down' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example:9090/graph',
          fingerprint: 'c0ffee',
        },
      ],
    });
    assert.ok(am.status === 200 || am.status === 201, JSON.stringify(am.json));
    const amIncident = bot.app.store.incidents.list(10).find((i) => i.summary === 'Checkout is down')!;
    assert.ok(amIncident, 'alertmanager opened an incident');
    await firedFor(bot, amIncident.id, 'note-p0');
  } finally {
    await bot.stop();
  }
});
