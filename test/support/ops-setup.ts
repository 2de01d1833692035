/** A one-step Harness runbook and an incident for the operations tests (observability, faults, security). */
import assert from 'node:assert/strict';
import type { BotUnderTest } from './bot-app.ts';

export const probeRunbook = (id = 'ops-probe', pipeline = 'ops_probe') => `kind: Runbook
id: ${id}
name: Ops probe ${id}
context: { incidentType: any }
steps:
  - id: probe
    uses: harness.pipeline
    with:
      org: default
      project: ops
      pipeline: ${pipeline}
      mode: wait
      timeout: 10m
      inputs: |
        pipeline:
          identifier: ${pipeline}
          variables:
            - name: incidentId
              type: String
              value: <+input>
      bind:
        incidentId: { from: incident.id }
`;

/** A P3 incident through the API (no shipped trigger fires on it). */
export async function openIncident(bot: BotUnderTest, summary = 'Search is slow'): Promise<string> {
  const res = await bot.api('POST', '/api/incidents', { summary, severity: 'P3', service: 'search' });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return (res.json as { id: string }).id;
}

export function startProbe(bot: BotUnderTest, incidentId: string, runbookId = 'ops-probe'): string {
  const run = bot.app.engine.startRun({ runbookId, incidentId, requester: 'U1' });
  bot.app.scheduler.kick();
  return run.id;
}

export async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
