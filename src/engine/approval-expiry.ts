/**
 * The expiry sweep: approval requests nobody decided within the runbook's approval_timeout become
 * `expired` (the node-cron scheduler calls this every 15 s). The same conditional update as a
 * decision, so a sweep racing a click, or a second process's sweep, changes the run once.
 */
import { formatDuration } from '../domain/duration.ts';
import type { ApprovalDeps } from './approvals.ts';
import { addEvent, skipPendingSteps } from './transitions.ts';

/** Awaiting runs past their expiry → expired. Returns how many this call expired. */
export function expireApprovals(deps: ApprovalDeps): number {
  const { store } = deps;
  const now = deps.clock.now();
  let count = 0;
  for (const run of store.runs.expiredApprovals(now)) {
    const waited = formatDuration(now - run.createdAt);
    const done = store.tx(() => {
      const patch = { state: 'expired' as const, decidedAt: now, finishedAt: now, error: 'approval expired' };
      if (!store.runs.updateRun(run.id, patch, now, ['awaiting_approval'])) return false;
      skipPendingSteps(store, run.id, 'approval expired', now);
      addEvent(
        store,
        run,
        {
          kind: 'run.approval_expired',
          text: `Approval of ${run.id} (${run.runbook.name}) expired after ${waited} without a decision; it will not run`,
          key: true,
          data: { expiresAt: run.approvalExpiresAt },
        },
        now,
        `${run.id}:expired`,
      );
      store.audit.add({
        at: now,
        actor: null,
        action: 'run.approval_expire',
        subject: run.id,
        detail: { runbook: run.runbookId, incident: run.incidentId, expiresAt: run.approvalExpiresAt },
      });
      return true;
    });
    if (!done) continue;
    count++;
    deps.notify(run.id);
  }
  return count;
}
