/**
 * `/incident declare`: summary, severity, service, environment, type, commander, then the chosen
 * type's custom fields. The type select dispatches an action so the listener can rebuild the
 * modal (views.update) with that type's fields; block ids stay put so typed values survive.
 */
import type { Catalog, CustomField, IncidentType } from '../../manifests/schema.ts';
import { SEVERITIES } from '../../domain/types.ts';
import { ANY_TYPE, SUMMARY_MAX } from '../../incidents/validate.ts';
import * as ids from '../ids.ts';
import { context, fitting, input, modal, option, type Block, type ModalView } from './kit.ts';
import { LIMITS } from './limits-table.ts';
import { fieldInput, type FieldLike } from './elements.ts';
import { SEVERITY_EMOJI } from './format.ts';
import { oneLine, truncate } from './text.ts';
import { testBanner } from './test-mark.ts';

export interface DeclareModalOptions {
  catalog: Catalog;
  summary?: string;
  typeId?: string;
  channelId: string;
  channelIsIncident: boolean;
  /** pre-selected severity and commander (e.g. the declarer) */
  severity?: string;
  commander?: string | null;
  /** What the user already entered, kept when the modal is rebuilt for another incident type. */
  service?: string | null;
  environment?: string | null;
  /** `/incident declare --test`: the modal says so and the submission declares a test incident. */
  test?: boolean;
}

const SEVERITY_HELP: Record<string, string> = {
  P0: 'Critical: full outage, all hands',
  P1: 'Major: many customers affected',
  P2: 'Significant: some customers affected',
  P3: 'Minor: little customer impact',
  P4: 'Low: no customer impact yet',
};

export const severityOptions = SEVERITIES.map((s) =>
  option(`${SEVERITY_EMOJI[s] ?? ''} ${s}`, s, SEVERITY_HELP[s]),
);

export function customFieldAsField(f: CustomField): FieldLike {
  return { name: f.name, label: f.label ?? f.name, type: f.type, options: f.options, required: f.required };
}

/**
 * Carried in private_metadata: the flag travels with the modal (through type changes and the
 * submission) because nothing in the form's state says "test"; Slack does not let users edit it.
 */
export interface DeclareMeta {
  channelId: string;
  channelIsIncident: boolean;
  /** Present (true) only for a test incident. */
  test?: true;
}

export function parseDeclareMeta(privateMetadata: string | null | undefined): DeclareMeta | null {
  try {
    const m = JSON.parse(privateMetadata ?? '') as Record<string, unknown>;
    if (m && typeof m.channelId === 'string')
      return {
        channelId: m.channelId,
        channelIsIncident: m.channelIsIncident === true,
        ...(m.test === true ? { test: true as const } : {}),
      };
  } catch {
    // not ours
  }
  return null;
}

export function typesOf(catalog: Catalog): IncidentType[] {
  return [...(catalog.incidentTypes?.values() ?? [])];
}

export function declareModal(opts: DeclareModalOptions): ModalView {
  const types = typesOf(opts.catalog);
  const type =
    opts.typeId && opts.typeId !== ANY_TYPE ? opts.catalog.incidentTypes.get(opts.typeId) : undefined;
  const test = opts.test === true;
  const blocks: Block[] = [...testBanner(test, 'You are declaring a *test incident*')];

  const summary = opts.summary?.trim() ? truncate(oneLine(opts.summary), SUMMARY_MAX) : undefined;
  blocks.push(
    input({
      blockId: ids.DECLARE_SUMMARY_BLOCK,
      label: 'Summary',
      element: {
        type: 'plain_text_input',
        action_id: ids.DECLARE_SUMMARY_ACTION,
        max_length: SUMMARY_MAX,
        placeholder: { type: 'plain_text', text: 'What is broken, for whom?' },
        ...(summary ? { initial_value: summary } : {}),
      },
    }),
  );
  const sev = severityOptions.find((o) => o.value === opts.severity);
  blocks.push(
    input({
      blockId: ids.DECLARE_SEVERITY_BLOCK,
      label: 'Severity',
      element: {
        type: 'static_select',
        action_id: ids.DECLARE_SEVERITY_ACTION,
        options: severityOptions,
        ...(sev ? { initial_option: sev } : {}),
      },
    }),
  );
  for (const [blockId, actionId, label, hint, initial] of [
    [ids.DECLARE_SERVICE_BLOCK, ids.DECLARE_SERVICE_ACTION, 'Service', 'e.g. checkout', opts.service],
    [
      ids.DECLARE_ENVIRONMENT_BLOCK,
      ids.DECLARE_ENVIRONMENT_ACTION,
      'Environment',
      'e.g. prod',
      opts.environment,
    ],
  ] as const) {
    const init = initial?.trim() ? truncate(oneLine(initial), LIMITS.plainTextInput) : undefined;
    blocks.push(
      input({
        blockId,
        label,
        optional: true,
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          placeholder: { type: 'plain_text', text: hint },
          ...(init ? { initial_value: init } : {}),
        },
      }),
    );
  }
  if (types.length > 0) blocks.push(typeSelect(types, type));
  blocks.push(
    input({
      blockId: ids.DECLARE_COMMANDER_BLOCK,
      label: 'Incident commander',
      optional: true,
      element: {
        type: 'users_select',
        action_id: ids.DECLARE_COMMANDER_ACTION,
        ...(opts.commander && /^[UW][A-Z0-9]{2,}$/.test(opts.commander)
          ? { initial_user: opts.commander }
          : {}),
      },
    }),
  );

  const fields = (type?.fields ?? []).map((f) =>
    fieldInput(customFieldAsField(f), ids.fieldBlock(f.name), undefined, ids.FIELD_ACTION),
  );
  // Room for the channel choice and a closing note.
  const shown = fitting(blocks, fields, LIMITS.viewBlocks - 2);
  blocks.push(...fields.slice(0, shown));
  if (fields.length > shown)
    blocks.push(
      context([
        `_${fields.length - shown} more fields do not fit here; set them later with \`/incident set <field> <value>\`._`,
      ]),
    );

  if (test) {
    // A rehearsal never takes over a working channel: its own `test-…` channel is the mark people see first.
    blocks.push(context(['A test incident always gets its own new `test-inc-…` channel.']));
  } else if (opts.channelIsIncident) {
    blocks.push(context(['This channel already belongs to an incident: a new channel will be created.']));
  } else {
    blocks.push(
      input({
        blockId: ids.DECLARE_CHANNEL_BLOCK,
        label: 'Channel',
        optional: true,
        element: {
          type: 'checkboxes',
          action_id: ids.DECLARE_CHANNEL_ACTION,
          options: [option('Use this channel instead of creating a new one', ids.USE_CURRENT_CHANNEL)],
        },
      }),
    );
  }

  return modal({
    callbackId: ids.DECLARE_MODAL,
    title: test ? 'Declare a test incident' : 'Declare an incident',
    submit: test ? 'Declare test' : 'Declare',
    close: 'Cancel',
    blocks,
    privateMetadata: JSON.stringify({
      channelId: opts.channelId.slice(0, 2000),
      channelIsIncident: opts.channelIsIncident,
      ...(test ? { test: true } : {}),
    }),
  });
}

function typeSelect(types: IncidentType[], selected: IncidentType | undefined): Block {
  const general = option('General', ANY_TYPE, 'Base fields only');
  // One slot is the general type; Slack shows at most 100 options.
  const options = [
    general,
    ...types.slice(0, LIMITS.selectOptions - 1).map((t) => option(t.name, t.id, t.description)),
  ];
  const initial =
    (selected && options.find((o) => o.value === option(selected.name, selected.id).value)) ?? general;
  return input({
    blockId: ids.DECLARE_TYPE_BLOCK,
    label: 'Incident type',
    dispatchAction: true,
    hint: 'Choosing a type adds its fields below.',
    element: { type: 'static_select', action_id: ids.DECLARE_TYPE, options, initial_option: initial },
  });
}
