/**
 * The input modal's submission back to run inputs, and the engine's problems back onto the
 * modal's blocks (`response_action: errors`), so the responder fixes them where they typed.
 */
import type { Runbook } from '../../manifests/schema.ts';
import * as ids from '../ids.ts';
import { boundRules } from './bound-rules.ts';
import { fieldValue } from './elements.ts';
import { asField } from './input-modal.ts';
import { readOne, readState } from './state.ts';
import { oneLine, sentence, truncate } from './text.ts';

export interface ParsedInputModal {
  /** what the modal was opened with; '' when private_metadata was missing or not ours */
  meta: { runbookId: string; incidentId: string | null; channelId: string; runId: string | null };
  /** by input name; inputs whose block was not in the view are absent (their defaults apply) */
  inputs: Record<string, unknown>;
  /** the incident picked in the modal, else the one the modal was opened for */
  incidentId: string | null;
}

export interface SubmittedView {
  state?: { values?: unknown } | null;
  private_metadata?: string | null;
}

const idOrNull = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

export function parseMeta(privateMetadata: string | null | undefined): ParsedInputModal['meta'] {
  try {
    const m = JSON.parse(privateMetadata ?? '') as Record<string, unknown>;
    if (m && typeof m === 'object')
      return {
        runbookId: idOrNull(m.runbookId) ?? '',
        incidentId: idOrNull(m.incidentId),
        channelId: idOrNull(m.channelId) ?? '',
        runId: idOrNull(m.runId),
      };
  } catch {
    // Not ours (or tampered with): treat as unknown, the caller reports it.
  }
  return { runbookId: '', incidentId: null, channelId: '', runId: null };
}

/** With `runbook` null only the meta and the picked incident are read (to find the runbook first). */
export function parseInputModal(view: SubmittedView, runbook: Runbook | null): ParsedInputModal {
  const values = view.state?.values;
  const meta = parseMeta(view.private_metadata);
  const rules = runbook ? boundRules(runbook) : new Map();
  const inputs: Record<string, unknown> = {};
  for (const def of runbook?.inputs ?? []) {
    const v = fieldValue(asField(def, rules.get(def.name)), readState(values, ids.inputBlock(def.name)));
    if (v !== undefined) inputs[def.name] = v;
  }
  const picked = readOne(values, ids.RUN_INCIDENT_BLOCK);
  return { meta, inputs, incidentId: picked ?? meta.incidentId };
}

const ERROR_MAX = 1000;

/**
 * Maps problem texts to the block of the input they are about: `input <name> …` (resolveInputs),
 * `… (value from input <name>)` (Run-YAML validation), `incident …` to the incident select. Others
 * go to the first input block so none is lost; with no input block at all the result is empty and
 * the caller must show the problems another way (ephemeral message). Pass `present` (e.g.
 * `id => id in view.state.values`) when some inputs may not have fitted in the modal.
 */
export function inputErrorsToBlocks(
  problems: string[],
  runbook: Runbook,
  opts: { incidentBlock?: boolean; present?: (blockId: string) => boolean } = {},
): Record<string, string> {
  // Inputs that did not fit in the modal have no block to carry an error.
  const present = opts.present ?? (() => true);
  const names = new Set((runbook.inputs ?? []).map((d) => d.name).filter((n) => present(ids.inputBlock(n))));
  const first = [...names][0];
  const fallback =
    first !== undefined ? ids.inputBlock(first) : opts.incidentBlock ? ids.RUN_INCIDENT_BLOCK : null;
  const byBlock = new Map<string, string[]>();
  const add = (block: string, msg: string) => byBlock.set(block, [...(byBlock.get(block) ?? []), msg]);

  for (const raw of problems) {
    const p = oneLine(raw);
    const direct = /^input (\S+) (.+)$/.exec(p);
    if (direct && names.has(direct[1]!)) {
      add(ids.inputBlock(direct[1]!), sentence(direct[2]!));
      continue;
    }
    const via = /\(value from input (\S+?)\)/.exec(p);
    if (via && names.has(via[1]!)) {
      add(ids.inputBlock(via[1]!), sentence(p.replace(/^step [^:]+: /, '')));
      continue;
    }
    if (opts.incidentBlock && /^incident\b/i.test(p)) {
      add(ids.RUN_INCIDENT_BLOCK, sentence(p));
      continue;
    }
    if (fallback) add(fallback, sentence(p));
  }
  const out: Record<string, string> = {};
  for (const [block, msgs] of byBlock) out[block] = truncate(msgs.join('; '), ERROR_MAX);
  return out;
}
