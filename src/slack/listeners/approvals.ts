/**
 * Approval buttons on a run's message. Thin: check who may decide (approval policy), then one
 * engine call; the engine's single conditional update makes a decision happen exactly once, and the
 * notifier updates the message in place. Refusals are ephemeral and audited. The decision runs on
 * the after-ack queue, once waiting requests are acked.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import * as ids from '../ids.ts';
import { canDecide } from '../../domain/approval.ts';
import { errorText } from '../errors.ts';
import { openInputModal } from './shared.ts';

export interface DecisionAnswer {
  text: string;
  blocks?: unknown[];
}

export async function decideAs(
  d: SlackDeps,
  runId: string,
  userId: string,
  decision: 'approve' | 'reject',
  opts: { inputs?: Record<string, unknown>; force?: boolean } = {},
): Promise<DecisionAnswer> {
  const run = d.store.runs.get(runId);
  if (!run) return { text: `:warning: No run ${runId}.` };
  const incident = run.incidentId ? (d.store.incidents.get(run.incidentId) ?? null) : null;
  const policy = await canDecide(d.access, userId, run, incident);
  if (!policy.ok) {
    const at = d.clock.now();
    // The audit entry and the timeline event of a refusal are one write.
    d.store.tx(() => {
      d.store.audit.add({
        at,
        actor: userId,
        action: `approval.refused`,
        subject: run.id,
        detail: { decision, reason: policy.reason },
      });
      d.store.timeline.add({
        incidentId: run.incidentId,
        runId: run.id,
        at,
        kind: 'approval.refused',
        text: `<@${userId}> tried to ${decision} ${run.id} and was refused: ${policy.reason}`,
        actor: userId,
      });
    });
    return { text: `:no_entry: ${policy.reason}` };
  }
  try {
    const r = await d.engine.decide(run.id, {
      decision,
      actor: userId,
      ...(opts.inputs ? { inputs: opts.inputs } : {}),
      ...(opts.force ? { force: true } : {}),
    });
    if (r.needsConfirmation) {
      return {
        text: `:warning: ${r.needsConfirmation}`,
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `:warning: ${r.needsConfirmation}\nRun it anyway?` },
          },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                style: 'danger',
                action_id: ids.RUN_APPROVE_FORCE,
                value: run.id,
                text: { type: 'plain_text', text: 'Run anyway' },
              },
            ],
          },
        ],
      };
    }
    if (!r.applied)
      return {
        text: `:information_source: ${run.id} was already decided (${r.run.state.replace('_', ' ')})${r.reason ? `: ${r.reason}` : ''}.`,
      };
    if (decision === 'approve') d.kick();
    return {
      text:
        decision === 'approve'
          ? `:white_check_mark: Approved ${run.id}; it is starting.`
          : `:no_entry_sign: Rejected ${run.id}.`,
    };
  } catch (e) {
    return { text: errorText(e) };
  }
}

export function registerApprovals(app: App, d: SlackDeps): void {
  const onDecision = (decision: 'approve' | 'reject', force = false) =>
    (async ({
      ack,
      action,
      body,
      respond,
    }: {
      ack: () => Promise<void>;
      action: unknown;
      body: { user: { id: string } };
      respond: (m: object) => Promise<unknown>;
    }) => {
      await ack();
      const runId = (action as { value?: string }).value ?? '';
      d.afterAck.push('reply', `${decision} ${runId}`, async () => {
        const answer = await decideAs(d, runId, body.user.id, decision, { force });
        await respond({ response_type: 'ephemeral', replace_original: false, ...answer }).catch(
          () => undefined,
        );
      });
    }) as never;
  app.action(ids.RUN_APPROVE, onDecision('approve'));
  app.action(ids.RUN_APPROVE_FORCE, onDecision('approve', true));
  app.action(ids.RUN_REJECT, onDecision('reject'));

  app.action(ids.RUN_EDIT_INPUTS, async ({ ack, action, body, respond }) => {
    await ack();
    if (!('trigger_id' in body)) return;
    const runId = (action as { value?: string }).value ?? '';
    const triggerId = body.trigger_id;
    d.afterAck.push('modal', `edit inputs of ${runId}`, () =>
      editInputs(d, runId, triggerId, body.user.id, respond),
    );
  });
}

/** "Edit inputs" on a run awaiting approval: a decider gets the input modal with the run's values. */
async function editInputs(
  d: SlackDeps,
  runId: string,
  triggerId: string,
  userId: string,
  respond: (m: object) => Promise<unknown>,
): Promise<void> {
  const run = d.store.runs.get(runId);
  if (!run || run.state !== 'awaiting_approval') return;
  const incident = run.incidentId ? (d.store.incidents.get(run.incidentId) ?? null) : null;
  const policy = await canDecide(d.access, userId, run, incident);
  if (!policy.ok) {
    d.store.audit.add({
      at: d.clock.now(),
      actor: userId,
      action: 'approval.refused',
      subject: run.id,
      detail: { decision: 'edit', reason: policy.reason },
    });
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: `:no_entry: ${policy.reason}`,
    }).catch(() => undefined);
    return;
  }
  await openInputModal(d, triggerId, run.runbook, incident, incident?.channel ?? '', {
    defaults: run.inputs,
    runId: run.id,
  });
}
