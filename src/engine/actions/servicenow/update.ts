/**
 * `servicenow.update`: adds work notes / comments and sets state, close code and close notes of a
 * ServiceNow record (the incident table by default), found by number or sys_id.
 *
 * idempotentStart: true — setting fields is idempotent; journal entries are not, so the note carries
 * a marker naming the run and step, and any attempt after the first first looks for it in
 * sys_journal_field and leaves the note out when it is already there.
 */
import { AppError } from '../../../errors.ts';
import { SERVICENOW_STATES, type ServicenowUpdateWith } from '../../../manifests/schema.ts';
import type { ActionDefinition, ActionPreview } from '../../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  callTimeoutMs,
  deliveryMarker,
  envOf,
  followupTimeoutMs,
  missingCollector,
  render,
  renderRequired,
  specAs,
} from '../followup-kit.ts';
import { SYS_ID, servicenowClient, servicenowConfig } from './client.ts';

// Journal fields render [code]…[/code] as HTML when the instance allows it: a value may not open one.
const snEscape = (s: string) => s.replace(/\[(\/?code)\]/gi, '[ $1 ]');
const NUMBER = /^[A-Z]{2,10}\d{4,}$/;

interface BuiltUpdate {
  ref: string;
  fields: Record<string, string>;
  /** The journal field carrying the marker, if any. */
  noteField: 'work_notes' | 'comments' | null;
  missing: string[];
}

export function buildUpdate(
  w: ServicenowUpdateWith,
  scope: Record<string, unknown>,
  ids: { runId: string; stepId: string },
  requireRef: boolean,
): BuiltUpdate {
  const m = missingCollector();
  const ref = requireRef
    ? renderRequired(w.record, scope, 'record')
    : m.add(render(w.record, scope)).text.trim() || '<record>';
  const fields: Record<string, string> = {};
  const text = (tpl: string | undefined) =>
    tpl === undefined ? undefined : m.add(render(tpl, scope, snEscape)).text;
  const notes = text(w.work_notes);
  const comments = text(w.comments);
  const marker = deliveryMarker(ids);
  const noteField = notes?.trim() ? 'work_notes' : comments?.trim() ? 'comments' : null;
  if (notes?.trim())
    fields.work_notes = noteField === 'work_notes' ? `${notes.trimEnd()}\n\n(${marker})` : notes;
  if (comments?.trim())
    fields.comments = noteField === 'comments' ? `${comments.trimEnd()}\n\n(${marker})` : comments;
  if (w.state !== undefined)
    fields.state = String(typeof w.state === 'number' ? w.state : SERVICENOW_STATES[w.state]);
  const closeCode = text(w.close_code)?.trim();
  const closeNotes = text(w.close_notes)?.trim();
  if (closeCode) fields.close_code = closeCode;
  if (closeNotes) fields.close_notes = closeNotes;
  return { ref, fields, noteField, missing: m.all };
}

export const servicenowUpdateAction: ActionDefinition = {
  uses: 'servicenow.update',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'servicenow.update');
    const ids = { runId: ctx.run.id, stepId: ctx.step.stepId };
    const built = buildUpdate(w, ctx.scope, ids, true);
    if (!SYS_ID.test(built.ref) && !NUMBER.test(built.ref)) {
      throw new AppError(
        'ACTION_FAILED',
        `with.record rendered "${built.ref}", which is neither a ServiceNow number like INC0010001 nor a 32-character sys_id`,
      );
    }
    const sn = servicenowClient(
      servicenowConfig(envOf(ctx)),
      ctx.deps.fetch ?? fetch,
      callTimeoutMs(ctx),
      ctx.now,
    );
    const record = await sn.find(w.table, built.ref);
    if (!record?.sys_id)
      throw new AppError('ACTION_FAILED', `ServiceNow has no ${w.table} record ${built.ref}`);
    const fields = { ...built.fields };
    let noteAlready = false;
    if (ctx.step.attempts > 1 && built.noteField) {
      noteAlready = await sn.journalHas(w.table, record.sys_id, deliveryMarker(ids));
      if (noteAlready) delete fields[built.noteField];
    }
    const url = sn.recordUrl(w.table, record.sys_id);
    const number = record.number ?? built.ref;
    if (Object.keys(fields).length > 0) await sn.patch(w.table, record.sys_id, fields);
    const changed = Object.keys(built.fields).join(', ');
    return {
      kind: 'done',
      status: 'succeeded',
      url,
      externalId: record.sys_id,
      output: {
        number,
        sys_id: record.sys_id,
        fields: Object.keys(built.fields),
        note_already_added: noteAlready,
      },
      events: [{ kind: 'followup.done', text: `ServiceNow ${number}: updated ${changed}: ${url}` }],
    };
  },

  preview(spec, scope, ids): ActionPreview {
    const w = specAs({ spec }, 'servicenow.update');
    const built = buildUpdate(w, scope, ids, false);
    const find = SYS_ID.test(built.ref)
      ? ''
      : `GET …/api/now/table/${w.table}?sysparm_query=number=${built.ref}, then `;
    return {
      request: `${find}PATCH $SERVICENOW_INSTANCE_URL/api/now/table/${w.table}/<sys_id of ${built.ref}>`,
      headers: {
        Authorization: '[$SERVICENOW_TOKEN or $SERVICENOW_USERNAME:$SERVICENOW_PASSWORD]',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(built.fields, null, 2),
      missing: built.missing,
    };
  },
};
