/**
 * `/runbook` with no text: pick a runbook, then the listener swaps in its input modal
 * (views.update). Picking dispatches an action at once; "Next" (view_submission) works too.
 */
import type { Runbook } from '../../manifests/schema.ts';
import * as ids from '../ids.ts';
import {
  context,
  input,
  matchOptionValue,
  modal,
  option,
  section,
  type Block,
  type ModalView,
} from './kit.ts';
import { LIMITS } from './limits-table.ts';
import { md, oneLine } from './text.ts';
import { parseMeta, type SubmittedView } from './input-parse.ts';
import { readOne } from './state.ts';

export interface PickerOptions {
  runbooks: Runbook[];
  incidentId: string | null;
  channelId: string;
}

export function runbookPickerModal(opts: PickerOptions): ModalView {
  // One option per id: Slack refuses a select with two equal values.
  const runbooks = [...new Map(opts.runbooks.map((r) => [r.id, r])).values()];
  const blocks: Block[] = [];
  blocks.push(
    context([
      opts.incidentId
        ? `Runbooks for *${md(opts.incidentId, 40)}*`
        : 'No incident in this channel: runbooks that need one will ask for it.',
    ]),
  );
  const meta = JSON.stringify({
    runbookId: null,
    incidentId: opts.incidentId?.slice(0, 900) ?? null,
    channelId: opts.channelId.slice(0, 900),
  });
  if (runbooks.length === 0) {
    blocks.push(section('No runbook applies here. Runbooks are YAML files in the bot’s `MANIFESTS_DIR`.'));
    return modal({
      callbackId: ids.RUNBOOK_PICKER_MODAL,
      title: 'Run a runbook',
      close: 'Close',
      blocks,
      privateMetadata: meta,
    });
  }
  const shown = runbooks.slice(0, LIMITS.selectOptions);
  blocks.push(
    input({
      blockId: ids.RUNBOOK_PICK_BLOCK,
      label: 'Runbook',
      dispatchAction: true,
      element: {
        type: 'static_select',
        action_id: ids.RUNBOOK_PICK,
        placeholder: { type: 'plain_text', text: 'Choose a runbook' },
        options: shown.map((r) =>
          option(oneLine(r.name) || r.id, r.id, r.description ? oneLine(r.description) : undefined),
        ),
      },
      ...(runbooks.length > shown.length
        ? { hint: `Showing ${shown.length} of ${runbooks.length}; type /runbook <words> to find the others.` }
        : {}),
    }),
  );
  return modal({
    callbackId: ids.RUNBOOK_PICKER_MODAL,
    title: 'Run a runbook',
    submit: 'Next',
    close: 'Cancel',
    blocks,
    privateMetadata: meta,
  });
}

/** The runbook an option value stands for (values of long ids are shortened, see optionValue). */
export function runbookFromPickValue(
  value: string | null | undefined,
  runbooks: Runbook[],
): Runbook | undefined {
  if (!value) return undefined;
  const id = matchOptionValue(
    value,
    runbooks.map((r) => r.id),
  );
  return runbooks.find((r) => r.id === id);
}

export function parsePickerModal(
  view: SubmittedView,
  runbooks: Runbook[],
): { runbook: Runbook | undefined; incidentId: string | null; channelId: string } {
  const meta = parseMeta(view.private_metadata);
  const value = readOne(view.state?.values, ids.RUNBOOK_PICK_BLOCK);
  return {
    runbook: runbookFromPickValue(value, runbooks),
    incidentId: meta.incidentId,
    channelId: meta.channelId,
  };
}
