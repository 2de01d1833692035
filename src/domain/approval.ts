/**
 * Approval policy (pure): does a manual run need approval, and may this person decide it? The engine
 * records decisions; callers (Slack buttons, the API) ask `canDecide` first. Role membership comes
 * from an access checker passed in (src/access), so this file does no I/O of its own.
 */
import type { Runbook } from '../manifests/schema.ts';
import type { Incident } from './types.ts';
import { evaluateCondition, formatTrace } from './conditions.ts';

/** `scope` is what `access.approval.when` reads: { inputs, incident, run }. */
export function approvalRequired(
  runbook: Pick<Runbook, 'access'>,
  scope: Record<string, unknown>,
): { required: boolean; reason: string } {
  const policy = runbook.access.approval;
  if (policy === 'none') return { required: false, reason: 'the runbook needs no approval (approval: none)' };
  if (policy === 'required')
    return { required: true, reason: 'the runbook requires approval for every run (approval: required)' };
  const r = evaluateCondition(policy.when, { current: scope });
  return r.passed
    ? { required: true, reason: `approval is required when ${formatTrace(r.trace)}` }
    : { required: false, reason: `no approval needed: ${formatTrace(r.trace)}` };
}

/** The part of src/access's checker this policy uses. */
export interface ApproverCheck {
  check(
    userId: string,
    roles: string[],
    incident: Incident | null,
  ): Promise<{ ok: boolean; matched?: string; who: string }>;
}

/** The part of a run record the policy reads (RunRecord fits). */
export interface DecidableRun {
  id: string;
  requester: string | null;
  runbook: Pick<Runbook, 'name' | 'access'>;
}

/**
 * Who may approve or reject: the runbook's `access.approve` roles (the incident's commander counts as
 * `commanders`, see src/access), and never the person who requested the run (DESIGN.md §4.7).
 */
export async function canDecide(
  access: ApproverCheck,
  userId: string,
  run: DecidableRun,
  incident: Incident | null,
): Promise<{ ok: boolean; reason: string }> {
  if (typeof userId !== 'string' || userId.trim() === '')
    return { ok: false, reason: 'Unknown user: a decision needs a Slack user id' };
  const roles = run.runbook.access.approve;
  // `who` names the approvers whoever asks, so the requester's refusal can say whom to ask too.
  const d = await access.check(userId, roles, incident);
  if (run.requester !== null && run.requester === userId)
    return { ok: false, reason: `You requested this run; someone else must approve it: ${d.who}.` };
  if (d.ok) return { ok: true, reason: `<@${userId}> may decide as ${d.matched ?? roles.join(', ')}` };
  return { ok: false, reason: `Only ${d.who} can approve or reject runs of ${run.runbook.name}.` };
}
