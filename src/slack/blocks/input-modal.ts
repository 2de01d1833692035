/**
 * The runbook input modal: one field per runbook input, pre-filled from the incident, with selects
 * wherever the allowed values are known, and an incident select when the runbook needs an incident
 * and none is known (run from App Home or outside an incident channel).
 */
import type { Runbook, RunbookInput } from '../../manifests/schema.ts';
import type { IncidentRecord } from '../../store/index.ts';
import * as ids from '../ids.ts';
import { context, fitting, input, modal, option, section, type Block, type ModalView } from './kit.ts';
import { LIMITS } from './limits-table.ts';
import { boundRules, type InputRule } from './bound-rules.ts';
import { fieldInput, type FieldLike } from './elements.ts';
import { SEVERITY_EMOJI } from './format.ts';
import { md, oneLine } from './text.ts';

export interface InputModalOptions {
  runbook: Runbook;
  incident: IncidentRecord | null;
  openIncidents: IncidentRecord[];
  channelId: string;
  /** initial values by input name (usually the rendered `{{ incident.* }}` defaults) */
  defaults: Record<string, unknown>;
  /** Editing the inputs of this run before approving it. */
  runId?: string;
}

export interface InputModalMeta {
  runbookId: string;
  incidentId: string | null;
  channelId: string;
  /** Set when the modal edits the inputs of a run awaiting approval (submit = approve with them). */
  runId?: string;
}

/** Each id is capped so the JSON always fits private_metadata (3000). */
export function encodeInputMeta(m: InputModalMeta): string {
  return JSON.stringify({
    runbookId: m.runbookId.slice(0, 900),
    incidentId: m.incidentId === null ? null : m.incidentId.slice(0, 900),
    channelId: m.channelId.slice(0, 900),
    ...(m.runId ? { runId: m.runId.slice(0, 100) } : {}),
  });
}

export const needsIncident = (rb: Runbook): boolean => (rb.context?.incidentType ?? 'any') !== 'any';

/** A runbook input as a modal field, with the choices and rules its Harness placeholders impose. */
export function asField(def: RunbookInput, rule: InputRule | undefined): FieldLike {
  const fromManifest = def.options && def.options.length > 0 ? def.options : undefined;
  const type = def.type === 'select' || (def.type === 'text' && rule?.allowed?.length) ? 'select' : def.type;
  const regex = rule?.regex?.length ? `Harness expects it to match ${rule.regex.join(' and ')}` : undefined;
  return {
    name: def.name,
    label: def.label ?? def.name,
    type,
    options: fromManifest ?? rule?.allowed,
    required: def.required,
    description: def.description,
    multiline: def.multiline,
    rule: regex,
  };
}

/** The literal default of an input, when it is not a `{{ template }}` the caller should have rendered. */
function literalDefault(def: RunbookInput): unknown {
  if (def.default === undefined) return undefined;
  return typeof def.default === 'string' && def.default.includes('{{') ? undefined : def.default;
}

export function runbookInputModal(opts: InputModalOptions): ModalView {
  const { runbook, incident } = opts;
  const blocks: Block[] = [];
  const name = oneLine(runbook.name) || runbook.id;
  const intro = [`*${md(name, 300)}*`];
  if (runbook.description) intro.push(md(runbook.description, 1500));
  blocks.push(section(intro.join('\n')));

  const notes: string[] = [];
  if (incident)
    notes.push(
      `For *${md(incident.id, 40)}* · ${SEVERITY_EMOJI[incident.severity] ?? ''} ${md(incident.severity, 10)} · ${md(oneLine(incident.summary), 150)}`,
    );
  if (runbook.access?.approval && runbook.access.approval !== 'none')
    notes.push(`⏸️ May need approval by ${md(runbook.access.approve.join(', '), 200)} before it starts`);
  if (notes.length) blocks.push(context(notes));

  const incidentId = incident?.id ?? null;
  if (!incident && needsIncident(runbook)) blocks.push(...incidentPicker(runbook, opts.openIncidents));

  const rules = boundRules(runbook);
  const inputs = runbook.inputs ?? [];
  const fields = inputs.map((def) => {
    const initial = Object.prototype.hasOwnProperty.call(opts.defaults, def.name)
      ? opts.defaults[def.name]
      : literalDefault(def);
    return fieldInput(asField(def, rules.get(def.name)), ids.inputBlock(def.name), initial);
  });
  // Keep room for a closing note; inputs beyond the budget run with their defaults.
  const shown = fields.slice(0, fitting(blocks, fields, LIMITS.viewBlocks - 1));
  blocks.push(...shown);
  if (inputs.length > shown.length)
    blocks.push(
      context([
        `_${inputs.length - shown.length} more inputs do not fit in a Slack modal and use their defaults._`,
      ]),
    );
  if (inputs.length === 0 && !blocks.some((b) => b.type === 'input'))
    blocks.push(context(['This runbook has no inputs: press *Run* to start it.']));

  return modal({
    callbackId: ids.RUNBOOK_INPUT_MODAL,
    title: name,
    submit: opts.runId ? 'Approve & run' : 'Run',
    close: 'Cancel',
    blocks,
    privateMetadata: encodeInputMeta({
      runbookId: runbook.id,
      incidentId,
      channelId: opts.channelId,
      ...(opts.runId ? { runId: opts.runId } : {}),
    }),
  });
}

function incidentPicker(runbook: Runbook, open: IncidentRecord[]): Block[] {
  const type = runbook.context.incidentType;
  // Newest first; Slack shows at most 100 options.
  const matching = open.filter((i) => i.type === type && i.status !== 'resolved').reverse();
  if (matching.length === 0)
    return [
      section(
        `⚠️ This runbook needs an open incident of type *${md(type, 100)}* and there is none. Declare one with \`/incident declare\` first.`,
      ),
    ];
  const options = matching
    .slice(0, LIMITS.selectOptions)
    .map((i) => option(`${i.id} · ${i.severity} · ${oneLine(i.summary)}`, i.id));
  return [
    input({
      blockId: ids.RUN_INCIDENT_BLOCK,
      label: 'Incident',
      element: { type: 'static_select', action_id: ids.RUN_INCIDENT_ACTION, options },
      hint:
        matching.length > LIMITS.selectOptions
          ? `Showing the newest ${LIMITS.selectOptions} of ${matching.length} open incidents.`
          : 'The run is recorded on this incident’s timeline.',
    }),
  ];
}
