/**
 * The approval part of a run's message: while the run awaits a decision, why it would run and the
 * three buttons (Approve & run, Reject, Edit inputs); once decided, one line that says who decided
 * and when, in place of the buttons (the message is the same one, updated).
 */
import type { RunRecord } from '../../store/index.ts';
import * as ids from '../ids.ts';
import { button, context, section, type Block } from './kit.ts';
import { md, oneLine, userMention } from './text.ts';
import { TEST_MARK } from './test-mark.ts';

/** `<!date^…>` renders in each reader's time zone; the fallback is UTC. */
export function slackTime(ms: number): string {
  const d = new Date(ms);
  const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{time}|${hhmm}>`;
}

/** `test`: the run belongs to a test incident; the approver is told before deciding. */
export function approvalBlocks(run: RunRecord, opts: { test?: boolean | undefined } = {}): Block[] {
  const r = run;
  if (run.state === 'awaiting_approval') {
    const why =
      run.trigger === 'manual'
        ? `${userMention(run.requester)} asked to run it; it needs approval by ${md(run.runbook.access.approve.join(' or '), 200)}.`
        : `Fired by *${md(run.trigger, 40)}*: ${md(oneLine(run.triggerDetail ?? 'conditions matched'), 1200)}`;
    const expires = r.approvalExpiresAt ? ` · expires ${slackTime(r.approvalExpiresAt)}` : '';
    const who = `Approvers: ${md(run.runbook.access.approve.join(', '), 200)} (not the requester)${expires}`;
    // Said in the prompt itself: an approver decides from this block (the banner may be scrolled away).
    const test = opts.test === true ? ` · ${TEST_MARK} incident` : '';
    return [
      section(`⏸️ *Approval needed*${test}\n${why}`),
      context([who]),
      {
        type: 'actions',
        block_id: ids.RUN_ACTIONS_BLOCK,
        elements: [
          button({ text: 'Approve & run', actionId: ids.RUN_APPROVE, value: run.id, style: 'primary' }),
          button({
            text: 'Reject',
            actionId: ids.RUN_REJECT,
            value: run.id,
            style: 'danger',
            confirm: {
              title: 'Reject this run?',
              text: `${oneLine(run.runbook.name)} (${run.id}) will not run.`,
              confirm: 'Reject',
              deny: 'Back',
            },
          }),
          button({ text: 'Edit inputs', actionId: ids.RUN_EDIT_INPUTS, value: run.id }),
        ],
      },
    ];
  }
  const at = r.decidedAt ? ` at ${slackTime(r.decidedAt)}` : '';
  if (run.state === 'rejected') {
    const by = run.decidedBy;
    return [context([`🚫 Rejected${by ? ` by ${userMention(by)}` : ''}${at}`])];
  }
  if (run.state === 'expired') return [context([`⌛ Expired: nobody approved it in time${at}`])];
  if (run.approver) return [context([`✅ Approved by ${userMention(run.approver)}${at}`])];
  return [];
}
