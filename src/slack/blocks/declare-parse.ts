/**
 * The declare modal's submission back to a DeclareInput. Validation is the incident service's own
 * (validateDeclare), so the modal shows exactly the messages `/incident` and the API would give,
 * each under the block it is about.
 */
import type { Catalog } from '../../manifests/schema.ts';
import type { DeclareInput } from '../../incidents/service.ts';
import { SEVERITIES } from '../../domain/types.ts';
import { ANY_TYPE, validateDeclare } from '../../incidents/validate.ts';
import { AppError } from '../../errors.ts';
import * as ids from '../ids.ts';
import { customFieldAsField } from './declare-modal.ts';
import { fieldValue } from './elements.ts';
import { matchOptionValue } from './kit.ts';
import { readOne, readState } from './state.ts';
import { sentence, truncate } from './text.ts';

export interface ParsedDeclare {
  input?: DeclareInput & { useCurrentChannel: boolean };
  /** block_id → message, for `response_action: errors` */
  errors?: Record<string, string>;
}

const BASE_BLOCKS: Record<string, string> = {
  summary: ids.DECLARE_SUMMARY_BLOCK,
  severity: ids.DECLARE_SEVERITY_BLOCK,
  service: ids.DECLARE_SERVICE_BLOCK,
  environment: ids.DECLARE_ENVIRONMENT_BLOCK,
  type: ids.DECLARE_TYPE_BLOCK,
  commander: ids.DECLARE_COMMANDER_BLOCK,
  channel: ids.DECLARE_CHANNEL_BLOCK,
};

/**
 * Maps the incident service's problems (`details.fields` of its INPUT_INVALID error: `summary`,
 * `fields.region`…) to the declare modal's blocks. Problems about a block the view does not have
 * go to `fallbackBlock` (the type select when present, else the summary).
 */
export function declareErrorsToBlocks(
  fields: Record<string, string>,
  present: (blockId: string) => boolean = () => true,
): Record<string, string> {
  const fallback = present(ids.DECLARE_TYPE_BLOCK) ? ids.DECLARE_TYPE_BLOCK : ids.DECLARE_SUMMARY_BLOCK;
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(fields)) {
    const wanted = field.startsWith('fields.')
      ? ids.fieldBlock(field.slice('fields.'.length))
      : BASE_BLOCKS[field];
    const block = wanted && present(wanted) ? wanted : fallback;
    const msg = sentence(message);
    out[block] = truncate(out[block] ? `${out[block]}; ${msg}` : msg, 1000);
  }
  return out;
}

export function parseDeclareModal(values: unknown, catalog: Catalog): ParsedDeclare {
  const text = (blockId: string): string | null => {
    const v = readOne(values, blockId);
    return typeof v === 'string' ? v.trim() : null;
  };
  const severityRaw = text(ids.DECLARE_SEVERITY_BLOCK);
  const typeId = text(ids.DECLARE_TYPE_BLOCK) ?? ANY_TYPE;
  const type = typeId === ANY_TYPE ? undefined : catalog.incidentTypes.get(typeId);

  const fields: Record<string, unknown> = {};
  for (const f of type?.fields ?? []) {
    const v = fieldValue(customFieldAsField(f), readState(values, ids.fieldBlock(f.name)));
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) fields[f.name] = v;
  }
  const channelChoice = readState(values, ids.DECLARE_CHANNEL_BLOCK);
  const input: DeclareInput & { useCurrentChannel: boolean } = {
    summary: text(ids.DECLARE_SUMMARY_BLOCK) ?? '',
    severity: severityRaw === null ? '' : (matchOptionValue(severityRaw, SEVERITIES) ?? severityRaw),
    service: text(ids.DECLARE_SERVICE_BLOCK),
    environment: text(ids.DECLARE_ENVIRONMENT_BLOCK),
    type: typeId,
    commander: text(ids.DECLARE_COMMANDER_BLOCK),
    fields,
    useCurrentChannel: Array.isArray(channelChoice) && channelChoice.includes(ids.USE_CURRENT_CHANNEL),
  };

  try {
    validateDeclare(input, catalog);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'INPUT_INVALID') throw e;
    const byField = (e.details.fields ?? {}) as Record<string, string>;
    const present = (blockId: string) => readState(values, blockId) !== undefined;
    const errors = declareErrorsToBlocks(byField, present);
    return {
      errors: Object.keys(errors).length
        ? errors
        : { [ids.DECLARE_SUMMARY_BLOCK]: truncate(e.message, 1000) },
    };
  }
  return { input };
}

/** Spellings of `--test`: chat clients with smart punctuation turn `--` into an en or em dash. */
const TEST_FLAG = /^(?:--|—|–)test$/i;
const ANY_FLAG = /^(?:--|—|–)[a-z]/i;

/**
 * `/incident declare [--test] [summary…]`: the flag may stand anywhere among the words; any other
 * `--word` is refused (a typo like `--tset` must not become part of a real incident's summary).
 */
export function parseDeclareArgs(text: string): { summary: string; test: boolean } | { error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let test = false;
  const rest: string[] = [];
  for (const w of words) {
    if (TEST_FLAG.test(w)) test = true;
    else if (ANY_FLAG.test(w))
      return {
        error: `Unknown option \`${w.slice(0, 40)}\` for \`/incident declare\`; allowed: \`--test\` (a test incident), e.g. \`/incident declare --test checkout down\`.`,
      };
    else rest.push(w);
  }
  return { summary: rest.join(' '), test };
}
