/**
 * Every Slack action_id, callback_id and block_id the bot uses, in one place: the builders write
 * them, the listeners match on them, and a rename cannot leave one side behind.
 *
 * Block ids of input blocks are stable across `views.update` on purpose: Slack keeps what the
 * user typed in an input only while its block_id (and action_id) stay the same.
 */

// ── callback_id (views) ─────────────────────────────────────────────────────────────────────────
export const DECLARE_MODAL = 'incident_declare';
export const RUNBOOK_PICKER_MODAL = 'runbook_picker';
export const RUNBOOK_INPUT_MODAL = 'runbook_input';
/** Information-only modal (refusals, a runbook that is gone). */
export const NOTICE_MODAL = 'notice';

// ── action_id ───────────────────────────────────────────────────────────────────────────────────
/** Cancel button on a run message; value = run id. */
export const RUN_CANCEL = 'run_cancel';
/** "View in Harness" link button. Slack still sends block_actions for url buttons: ack and ignore. */
export const RUN_OPEN_HARNESS = 'run_open_harness';
/** Type select of the declare modal (dispatches, so the modal is rebuilt with the type's fields). */
export const DECLARE_TYPE = 'declare_type';
/** Run button (ephemeral choices, App Home); value = encodeRunButton(runbookId, incidentId). */
export const RUNBOOK_RUN = 'runbook_run';
/** Runbook select in the picker modal (dispatches; also readable on submit). */
export const RUNBOOK_PICK = 'runbook_pick';
/** Link buttons in ephemeral run lists; ack and ignore. */
export const RUN_LINK = 'run_link';

// Action ids inside input blocks. Parsers read a block's single element whatever its action_id,
// but keeping them fixed keeps Slack's preserved values across views.update.
export const DECLARE_SUMMARY_ACTION = 'declare_summary';
export const DECLARE_SEVERITY_ACTION = 'declare_severity';
export const DECLARE_SERVICE_ACTION = 'declare_service';
export const DECLARE_ENVIRONMENT_ACTION = 'declare_environment';
export const DECLARE_COMMANDER_ACTION = 'declare_commander';
export const DECLARE_CHANNEL_ACTION = 'declare_channel';
export const FIELD_ACTION = 'field_value';
export const INPUT_ACTION = 'input_value';
export const RUN_INCIDENT_ACTION = 'run_incident';

// ── block_id ────────────────────────────────────────────────────────────────────────────────────
export const DECLARE_SUMMARY_BLOCK = 'declare_summary';
export const DECLARE_SEVERITY_BLOCK = 'declare_severity';
export const DECLARE_SERVICE_BLOCK = 'declare_service';
export const DECLARE_ENVIRONMENT_BLOCK = 'declare_environment';
export const DECLARE_TYPE_BLOCK = 'declare_type';
export const DECLARE_COMMANDER_BLOCK = 'declare_commander';
export const DECLARE_CHANNEL_BLOCK = 'declare_channel';
export const RUNBOOK_PICK_BLOCK = 'runbook_pick';
export const RUN_INCIDENT_BLOCK = 'run_incident';
export const RUN_ACTIONS_BLOCK = 'run_actions';

/** Value of the "use this channel" checkbox in the declare modal. */
export const USE_CURRENT_CHANNEL = 'use_current_channel';

// Field and input names are [a-z_][a-z0-9_]* / [A-Za-z_]\w* (manifest schema), so they are safe
// inside a block_id; the prefix keeps them apart from the fixed ids above.
export const fieldBlock = (name: string): string => `field:${name}`;
export const inputBlock = (name: string): string => `input:${name}`;
export const fieldNameOf = (blockId: string): string | null =>
  blockId.startsWith('field:') ? blockId.slice('field:'.length) : null;
export const inputNameOf = (blockId: string): string | null =>
  blockId.startsWith('input:') ? blockId.slice('input:'.length) : null;

/** Approval prompt buttons on a run message awaiting approval; value = run id. */
export const RUN_APPROVE = 'run_approve';
export const RUN_REJECT = 'run_reject';
export const RUN_EDIT_INPUTS = 'run_edit_inputs';
/** "Run anyway" after the approver was told the trigger no longer matches; value = run id. */
export const RUN_APPROVE_FORCE = 'run_approve_force';
/** On a refusal by a closed deployment gate: start the run as awaiting a commander's override. */
export const RUN_GATE_OVERRIDE = 'run_gate_override';

/** Run buttons carry the runbook and, when known, the incident (button value ≤ 2000 chars). */
export function encodeRunButton(runbookId: string, incidentId: string | null): string {
  return JSON.stringify({
    r: runbookId.slice(0, 900),
    i: incidentId === null ? null : incidentId.slice(0, 900),
  });
}

export function decodeRunButton(
  value: string | undefined,
): { runbookId: string; incidentId: string | null } | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const v = JSON.parse(value) as unknown;
    if (v && typeof v === 'object' && typeof (v as { r?: unknown }).r === 'string') {
      const i = (v as { i?: unknown }).i;
      return { runbookId: (v as { r: string }).r, incidentId: typeof i === 'string' && i !== '' ? i : null };
    }
  } catch {
    // Older messages may carry a bare runbook id.
  }
  return { runbookId: value, incidentId: null };
}

/** The "🧪 TEST incident" banner on the summary, run messages and the declare modal (issue 8). */
export const TEST_MARK_BLOCK = 'test_mark';
