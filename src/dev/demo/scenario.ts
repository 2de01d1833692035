/**
 * The demo story, played through the app's real front doors: the incident API (bearer token) for
 * the alert and the resolve, and the signed `POST /slack/events` for the commander's click. Every
 * step waits for the app to react (no sleeps standing in for it) and narrates what happened.
 */
import { join } from 'node:path';
import { blockAction } from '../../../test/support/slack-requests.ts';
import { loadManifests } from '../../manifests/load.ts';
import * as ids from '../../slack/ids.ts';
import type { RunRecord } from '../../store/index.ts';
import { renderChannel, type RenderOptions } from './render.ts';
import { SIGNING_SECRET, type DemoWorld } from './world.ts';

export const COMMANDER = 'U222';
const JIRA_KEY = 'OPS-42';
const STAGES = [
  { identifier: 'freeze_check', name: 'Check freeze window' },
  { identifier: 'rollback', name: 'Roll back checkout' },
  { identifier: 'verify', name: 'Verify health' },
];

export interface ScenarioResult {
  incidentId: string;
  channel: string;
  run: RunRecord;
}

export function userNames(world: DemoWorld): Record<string, string> {
  const names: Record<string, string> = {};
  for (const u of world.slack.state.users.values()) names[u.id] = u.name;
  return names;
}

async function until<T>(
  world: DemoWorld,
  what: string,
  check: () => T | undefined | null | false,
  timeoutMs = 20_000,
) {
  return world.slack.waitFor(check, { what, timeoutMs });
}

/** Click a button of a run message as `user` (a signed block_actions request, like Slack's). */
export function clickRunButton(
  world: DemoWorld,
  user: string,
  actionId: string,
  runId: string,
  channel: string,
  ts?: string,
) {
  return blockAction(world.url, SIGNING_SECRET, {
    user: { id: user },
    channel: { id: channel },
    ...(ts ? { message: { ts } } : {}),
    actions: [{ action_id: actionId, block_id: ids.RUN_ACTIONS_BLOCK, value: runId }],
    response_url: world.slack.responseUrl(`${user}-${actionId}`),
  });
}

/** The deployment gate a CD pipeline would ask (`GET /api/gates/deploy`), as one line. */
async function gateLine(world: DemoWorld): Promise<{ open: boolean; line: string } | null> {
  const r = await world.api('GET', '/api/gates/deploy?service=checkout&environment=prod');
  if (r.status === 404) return null; // a build without deployment gates
  const reasonText = (x: unknown): string => {
    if (typeof x !== 'object' || x === null) return String(x);
    const o = x as Record<string, unknown>;
    return o.gate && o.incident
      ? `gate ${String(o.gate)} held by ${String(o.incident)} (${String(o.severity ?? '')})`
      : JSON.stringify(x);
  };
  const reasons: string[] = Array.isArray(r.json?.reasons) ? r.json.reasons.map(reasonText) : [];
  return {
    open: r.status === 200,
    line: `GET /api/gates/deploy?service=checkout&environment=prod → ${r.status} ${r.status === 200 ? 'open' : `closed${reasons.length ? `: ${reasons.join('; ')}` : ''}`}`,
  };
}

const freezeLine = (world: DemoWorld): string => {
  const windows = world.harness.freeze.windows();
  return windows.length
    ? windows.map((w) => `Harness freeze window ${w.identifier}: ${w.status}`).join(', ')
    : 'no Harness freeze window';
};

/** What the stand-ins know: a three-stage rollback pipeline that succeeds, and the incident's Jira issue. */
export function programStandIns(world: DemoWorld): void {
  world.harness.program('rollback_service', {
    stages: STAGES,
    statuses: ['Running', 'Running', 'Running', 'Success'],
    advanceEveryMs: 600,
  });
  world.jira.addIssue(JIRA_KEY, 'In Progress');
  // Harness "knows" every pipeline the shipped runbooks run, with the runtime inputs they were
  // pasted from, so `/runbook validate` and `runbook-bot import` find them.
  for (const rb of loadManifests(join(world.dir, 'manifests')).catalog.runbooks.values())
    for (const step of rb.steps)
      if (step.uses === 'harness.pipeline') {
        const w = step.with as { pipeline: string; inputs?: string };
        world.harness.templates.set(w.pipeline, w.inputs ?? '');
      }
}

export async function playScenario(world: DemoWorld, say: (line: string) => void): Promise<ScenarioResult> {
  const { app } = world;
  programStandIns(world);

  say('1. An alert fires: Alertmanager-style POST /api/incidents (P1, checkout, prod, customer facing)');
  const created = await world.api('POST', '/api/incidents', {
    summary: 'Checkout error rate above 5%',
    severity: 'P1',
    service: 'checkout',
    environment: 'prod',
    type: 'major-incident',
    commander: COMMANDER,
    fields: { customer_facing: true, jira_key: JIRA_KEY },
    externalId: 'alertmanager:checkout-5xx',
  });
  if (created.status !== 201)
    throw new Error(`the incident API refused the alert: ${JSON.stringify(created.json)}`);
  const incidentId = String(created.json.id);
  const channel = await until(
    world,
    'the incident channel',
    () => app.store.incidents.get(incidentId)?.channel,
  );
  say(
    `   → incident ${incidentId} opened, channel ${channel} created, commander @${userNames(world)[COMMANDER]} invited`,
  );

  const gate = await gateLine(world);
  if (gate) {
    await until(
      world,
      'the Harness freeze window',
      () => world.harness.freeze.windows().some((w) => w.status === 'Enabled'),
      10_000,
    ).catch(() => undefined);
    say(`   → deployment gate: ${gate.line}`);
    say(`   → ${freezeLine(world)} (deploys of checkout to prod are halted; the rollback is exempt)`);
  }

  const pending = await until(world, 'the automatic rollback', () =>
    app.store.runs.forIncident(incidentId).find((r) => r.state === 'awaiting_approval'),
  );
  say(`2. The emergency-rollback trigger matched (P1 + customer facing): run ${pending.id} awaits approval`);
  const msg = await until(world, 'the approval message', () => app.store.runMessages.get(pending.id)?.ts);

  say(
    `3. @${userNames(world)[COMMANDER]} (the incident commander) clicks “Approve & run” (signed block_actions)`,
  );
  const click = await clickRunButton(world, COMMANDER, ids.RUN_APPROVE, pending.id, channel, msg);
  if (click.status !== 200) throw new Error(`Slack endpoint answered ${click.status}: ${click.body}`);

  const done = await until(
    world,
    'the rollback to finish',
    () => {
      const r = app.store.runs.get(pending.id);
      return r && ['succeeded', 'failed', 'cancelled', 'timed_out', 'rejected'].includes(r.state)
        ? r
        : undefined;
    },
    40_000,
  );
  const ex = world.harness.executions()[0];
  say(
    `4. Harness ran rollback_service (${STAGES.map((s) => s.name).join(' → ')}): ${ex?.status ?? '?'}; run ${done.state}`,
  );

  const issue = world.jira.issues.get(JIRA_KEY);
  say(
    `5. Follow-ups: Jira ${JIRA_KEY} got ${issue?.comments.length ?? 0} comment(s) and is now “${issue?.status}”;` +
      ` status page received ${world.statusPage.applied.length} signed webhook(s)` +
      (world.statusPage.applied[0] ? ` ${JSON.stringify(world.statusPage.applied[0].json)}` : ''),
  );

  const resolved = await world.api('PATCH', `/api/incidents/${incidentId}`, { status: 'resolved' });
  if (resolved.status !== 200) throw new Error(`resolve refused: ${JSON.stringify(resolved.json)}`);
  say(`6. The alert clears: PATCH /api/incidents/${incidentId} {status: resolved}`);
  if (gate) {
    await until(
      world,
      'the deployment gate to reopen',
      () => world.harness.freeze.windows().every((w) => w.status === 'Disabled'),
      10_000,
    ).catch(() => undefined);
    const reopened = await gateLine(world);
    say(`   → deployment gate: ${reopened?.line ?? '?'}`);
    say(`   → ${freezeLine(world)}`);
  } else say('   (this build has no deployment gates: nothing to reopen)');
  await app.publisher.idle(5000);
  return { incidentId, channel, run: app.store.runs.get(pending.id)! };
}

/** Every channel the bot wrote in, as a person would read it. */
export function channelTranscript(world: DemoWorld, opts: RenderOptions = {}, only?: string): string[] {
  const users = { ...userNames(world), ...opts.users };
  const out: string[] = [];
  for (const ch of world.slack.channels) {
    const messages = world.slack.messages(ch.id);
    if (!messages.length || (only && ch.id !== only)) continue;
    out.push(...renderChannel(`#${ch.name} (${ch.id})`, messages, { ...opts, users }), '');
  }
  return out;
}
