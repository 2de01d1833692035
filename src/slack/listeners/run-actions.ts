/**
 * Running and cancelling from Slack: the input modal's submit (validate inline → ack → authorise →
 * start), Run buttons, the picker, and Cancel. What follows an ack goes on the after-ack queue
 * (modals first: their trigger_id expires), so waiting requests are acked before it runs. Authorisation uses the runbook's `access.run` roles.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import * as ids from '../ids.ts';
import { parseInputModal, inputErrorsToBlocks, noticeView, runbookFromPickValue } from '../blocks/index.ts';
import { prepareRun } from '../../engine/prepare.ts';
import { errorText } from '../errors.ts';
import { isAppError } from '../../errors.ts';
import { inputModalFor, openInputModal } from './shared.ts';
import { decideAs } from './approvals.ts';
import type { Runbook } from '../../manifests/schema.ts';
import type { IncidentRecord } from '../../store/index.ts';

/** Authorisation may call Slack (user groups); past this, the modal is acked and we answer later. */
const AUTH_BUDGET_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

export async function cancelRunAs(d: SlackDeps, runId: string, userId: string): Promise<string> {
  const run = d.store.runs.get(runId);
  if (!run) return `:warning: No run ${runId}. See \`/runbook status\`.`;
  const incident = run.incidentId ? (d.store.incidents.get(run.incidentId) ?? null) : null;
  const decision = await d.access.check(userId, run.runbook.access.run, incident);
  if (!decision.ok && run.requester !== userId) {
    d.store.audit.add({
      at: d.clock.now(),
      actor: userId,
      action: 'run.cancel.refused',
      subject: run.id,
      detail: { needed: decision.needed },
    });
    return `:no_entry: You can't cancel ${run.id}: it needs ${decision.who}.`;
  }
  try {
    const r = await d.engine.cancelRun(run.id, userId);
    return `:stop_sign: ${r.id} (${r.runbook.name}) cancelled.`;
  } catch (e) {
    return errorText(e);
  }
}

async function startFromModal(
  d: SlackDeps,
  client: App['client'],
  p: {
    runbook: Runbook;
    incident: IncidentRecord | null;
    inputs: Record<string, unknown>;
    userId: string;
    channelId: string;
    gateOverride?: boolean;
  },
) {
  try {
    const run = d.engine.startRun({
      runbookId: p.runbook.id,
      incidentId: p.incident?.id ?? null,
      requester: p.userId,
      inputs: p.inputs,
      ...(p.gateOverride ? { gateOverride: true } : {}),
    });
    d.publisher.attach(run.id, p.incident?.channel ?? p.channelId);
    d.kick();
  } catch (e) {
    const text = errorText(e);
    // A closed deployment gate: offer to ask a commander for an override (same approval rules).
    const override = isAppError(e) && e.code === 'GATE_CLOSED' && !p.gateOverride ? overrideButton(p) : null;
    await client.chat
      .postEphemeral({
        channel: p.channelId,
        user: p.userId,
        text,
        ...(override
          ? { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 2900) } }, override] }
          : {}),
      })
      .catch(() => undefined);
  }
}

type StartRequest = Parameters<typeof startFromModal>[2];

/**
 * After the submit's ack: when authorisation had not answered within AUTH_BUDGET_MS, wait for it
 * now (refusals are audited and told ephemerally), then start the run.
 */
async function startAfterAck(d: SlackDeps, client: App['client'], p: StartRequest, authPending: boolean) {
  if (authPending) {
    const late = await d.access.check(p.userId, p.runbook.access.run, p.incident);
    if (!late.ok) {
      d.store.audit.add({
        at: d.clock.now(),
        actor: p.userId,
        action: 'run.refused',
        subject: p.runbook.id,
        detail: { needed: late.needed },
      });
      await client.chat
        .postEphemeral({
          channel: p.channelId,
          user: p.userId,
          text: `:no_entry: You can't run *${p.runbook.name}*: it needs ${late.who}.`,
        })
        .catch(() => undefined);
      return;
    }
  }
  await startFromModal(d, client, p);
}

/** The request travels in the button (≤ 2000 chars); without room for the inputs, no button. */
function overrideButton(p: {
  runbook: Runbook;
  incident: IncidentRecord | null;
  inputs: Record<string, unknown>;
}) {
  const value = JSON.stringify({ r: p.runbook.id, i: p.incident?.id ?? null, in: p.inputs });
  if (value.length > 1900) return null;
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ids.RUN_GATE_OVERRIDE,
        value,
        text: { type: 'plain_text', text: 'Ask a commander to override' },
      },
    ],
  };
}

export function registerRunActions(app: App, d: SlackDeps): void {
  app.view(ids.RUNBOOK_INPUT_MODAL, async ({ ack, view, body, client }) => {
    const meta = parseInputModal(view as never, null);
    const runbook = d.catalog().runbooks.get(meta.meta.runbookId);
    if (!runbook)
      return ack({
        response_action: 'update',
        view: noticeView('Runbook gone', `The runbook ${meta.meta.runbookId} is no longer loaded.`) as never,
      });
    const parsed = parseInputModal(view as never, runbook);
    const incident = parsed.incidentId ? (d.store.incidents.get(parsed.incidentId) ?? null) : null;
    if (runbook.context.incidentType !== 'any' && !incident) {
      return ack({
        response_action: 'errors',
        errors: { [ids.RUN_INCIDENT_BLOCK]: 'Pick the incident this run is for.' },
      });
    }
    const prepared = prepareRun(runbook, incident, parsed.inputs);
    if (prepared.problems.length) {
      const values = (view.state?.values ?? {}) as Record<string, unknown>;
      const errors = inputErrorsToBlocks(prepared.problems, runbook, { present: (id) => id in values });
      if (Object.keys(errors).length) return ack({ response_action: 'errors', errors });
      return ack({
        response_action: 'update',
        view: noticeView('Cannot run', prepared.problems.map((p) => `• ${p}`).join('\n')) as never,
      });
    }
    const userId = body.user.id;
    if (parsed.meta.runId) {
      // "Edit inputs" on a run awaiting approval: submitting approves it with these values.
      if (!d.store.idempotency.claim(`view:${view.id}`, d.clock.now())) return ack();
      await ack();
      const runId = parsed.meta.runId;
      d.afterAck.push('reply', `approve ${runId} with edited inputs`, async () => {
        const answer = await decideAs(d, runId, userId, 'approve', { inputs: parsed.inputs });
        await client.chat
          .postEphemeral({
            channel: parsed.meta.channelId || incident?.channel || '',
            user: userId,
            text: answer.text,
          })
          .catch(() => undefined);
      });
      return;
    }
    const decision = await withTimeout(d.access.check(userId, runbook.access.run, incident), AUTH_BUDGET_MS);
    if (decision !== 'timeout' && !decision.ok) {
      d.store.audit.add({
        at: d.clock.now(),
        actor: userId,
        action: 'run.refused',
        subject: runbook.id,
        detail: { needed: decision.needed, incident: incident?.id ?? null },
      });
      return ack({
        response_action: 'update',
        view: noticeView(
          'Not allowed',
          `You can't run *${runbook.name}*: it needs ${decision.who}.${decision.errors.length ? `\n${decision.errors.join('\n')}` : ''}`,
        ) as never,
      });
    }
    // A double submit (or a retried delivery) of the same modal must not start a second run.
    if (!d.store.idempotency.claim(`view:${view.id}`, d.clock.now())) return ack();
    await ack();
    d.afterAck.push('reply', `start ${runbook.id}`, () =>
      startAfterAck(
        d,
        client,
        { runbook, incident, inputs: parsed.inputs, userId, channelId: parsed.meta.channelId },
        decision === 'timeout',
      ),
    );
  });

  app.action(ids.RUN_GATE_OVERRIDE, async ({ ack, action, body, client }) => {
    await ack();
    d.afterAck.push('reply', 'gate override request', () => gateOverride(d, client, action, body));
  });

  app.action(ids.RUNBOOK_RUN, async ({ ack, action, body }) => {
    await ack();
    const value = ids.decodeRunButton((action as { value?: string }).value);
    if (!value || !('trigger_id' in body)) return;
    const triggerId = body.trigger_id;
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    d.afterAck.push('modal', `input modal ${value.runbookId}`, async () => {
      const runbook = d.catalog().runbooks.get(value.runbookId);
      if (!runbook) return;
      const incident = value.incidentId ? (d.store.incidents.get(value.incidentId) ?? null) : null;
      await openInputModal(d, triggerId, runbook, incident, channel ?? incident?.channel ?? '');
    });
  });

  app.action(ids.RUNBOOK_PICK, async ({ ack, action, body }) => {
    await ack();
    const selected = (action as { selected_option?: { value?: string } }).selected_option?.value;
    const view = (body as { view?: { id: string; hash: string; private_metadata?: string } }).view;
    if (!view) return;
    d.afterAck.push('modal', 'picker → input modal', async () => {
      const runbook = runbookFromPickValue(selected, [...d.catalog().runbooks.values()]);
      if (!runbook) return;
      const meta = parseInputModal(view as never, null).meta;
      const incident = meta.incidentId ? (d.store.incidents.get(meta.incidentId) ?? null) : null;
      try {
        await d.slackApi.call('views.update', {
          view_id: view.id,
          hash: view.hash,
          view: inputModalFor(d, runbook, incident, meta.channelId),
        });
      } catch (e) {
        // The user may have closed the modal already: nothing to update.
        d.log.info({ err: (e as Error).message }, 'views.update of the picker failed');
      }
    });
  });

  app.action(ids.RUN_CANCEL, async ({ ack, action, body, respond }) => {
    await ack();
    const runId = (action as { value?: string }).value ?? '';
    d.afterAck.push('reply', `cancel ${runId}`, async () => {
      const text = await cancelRunAs(d, runId, body.user.id);
      await respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    });
  });

  // Link buttons still send block_actions; acknowledge so Slack shows no error.
  app.action(ids.RUN_OPEN_HARNESS, async ({ ack }) => ack());
  app.action(ids.RUN_LINK, async ({ ack }) => ack());
}

/** "Ask a commander to override": the run request travels in the button's value. */
async function gateOverride(
  d: SlackDeps,
  client: App['client'],
  action: unknown,
  body: { user: { id: string } },
) {
  let req: { r?: string; i?: string | null; in?: Record<string, unknown> };
  try {
    req = JSON.parse((action as { value?: string }).value ?? '{}');
  } catch {
    return;
  }
  const runbook = req.r ? d.catalog().runbooks.get(req.r) : undefined;
  if (!runbook) return;
  const incident = req.i ? (d.store.incidents.get(req.i) ?? null) : null;
  const channelId = (body as { channel?: { id?: string } }).channel?.id ?? incident?.channel ?? '';
  await startFromModal(d, client, {
    runbook,
    incident,
    inputs: req.in ?? {},
    userId: body.user.id,
    channelId,
    gateOverride: true,
  });
}
