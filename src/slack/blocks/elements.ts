/**
 * One modal input per runbook input or custom incident field, and the way back from Slack's state
 * to a value. Both directions live here so an element type and its parser cannot drift apart.
 */
import * as ids from '../ids.ts';
import { input, matchOptionValue, option, type InputBlock, type InputElement, type Option } from './kit.ts';
import { LIMITS } from './limits-table.ts';
import type { StateRead } from './state.ts';
import { oneLine, textOf, truncate } from './text.ts';

export type FieldKind = 'text' | 'select' | 'multiselect' | 'number' | 'boolean' | 'user';

export interface FieldLike {
  name: string;
  label?: string | undefined;
  type: FieldKind;
  /** choices for select/multiselect (from the manifest or a bound `.allowedValues`) */
  options?: readonly string[] | undefined;
  required: boolean;
  description?: string | undefined;
  multiline?: boolean | undefined;
  /** extra help under the field, e.g. a regex Harness checks */
  rule?: string | undefined;
}

const BOOL_OPTIONS = [option('Yes', 'true'), option('No', 'false')];

/** Distinct choices; a select can show them only when there are 1–100. */
export function choicesOf(f: FieldLike): string[] | null {
  const list = [...new Set(f.options ?? [])];
  return list.length > 0 && list.length <= LIMITS.selectOptions ? list : null;
}

function initialText(v: unknown): string | undefined {
  const t = textOf(v);
  return t.trim() === '' ? undefined : truncate(t, LIMITS.plainTextInput);
}

function initialOptions(choices: Option[], raw: readonly string[], v: unknown): Option[] {
  const wanted = (Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [v]).map((x) =>
    textOf(x).trim(),
  );
  return choices.filter((_, i) => wanted.includes(raw[i]!));
}

function element(f: FieldLike, actionId: string, initial: unknown): InputElement {
  const choices = f.type === 'select' || f.type === 'multiselect' || f.type === 'text' ? choicesOf(f) : null;
  if (choices && f.type !== 'text') {
    const opts = choices.map((c) => option(c, c));
    const init = initialOptions(opts, choices, initial);
    if (f.type === 'multiselect')
      return {
        type: 'multi_static_select',
        action_id: actionId,
        options: opts,
        ...(init.length ? { initial_options: init } : {}),
      };
    return {
      type: 'static_select',
      action_id: actionId,
      options: opts,
      ...(init[0] ? { initial_option: init[0] } : {}),
    };
  }
  if (choices && f.type === 'text') {
    // A text input whose Harness placeholder only takes some values: offer exactly those.
    const opts = choices.map((c) => option(c, c));
    const init = initialOptions(opts, choices, initial);
    return {
      type: 'static_select',
      action_id: actionId,
      options: opts,
      ...(init[0] ? { initial_option: init[0] } : {}),
    };
  }
  switch (f.type) {
    case 'number': {
      const t = textOf(initial).trim();
      return {
        type: 'number_input',
        action_id: actionId,
        is_decimal_allowed: true,
        ...(/^-?\d+(\.\d+)?$/.test(t) ? { initial_value: t } : {}),
      };
    }
    case 'boolean': {
      const t = textOf(initial).trim().toLowerCase();
      const init = ['true', 'yes', 'on', '1'].includes(t)
        ? BOOL_OPTIONS[0]
        : ['false', 'no', 'off', '0'].includes(t)
          ? BOOL_OPTIONS[1]
          : undefined;
      return {
        type: 'radio_buttons',
        action_id: actionId,
        options: BOOL_OPTIONS,
        ...(init ? { initial_option: init } : {}),
      };
    }
    case 'user': {
      const m = /^<?@?([UW][A-Z0-9]{2,})(\|[^>]*)?>?$/.exec(textOf(initial).trim());
      return { type: 'users_select', action_id: actionId, ...(m ? { initial_user: m[1]! } : {}) };
    }
    default: {
      const init = initialText(initial);
      return {
        type: 'plain_text_input',
        action_id: actionId,
        ...(f.multiline ? { multiline: true } : {}),
        ...(init !== undefined ? { initial_value: init } : {}),
      };
    }
  }
}

/** The hint under a field: its description, the allowed values when they do not fit a select, a rule. */
function hintOf(f: FieldLike): string | undefined {
  const parts: string[] = [];
  if (f.description) parts.push(oneLine(f.description));
  const distinct = [...new Set(f.options ?? [])];
  if (distinct.length > LIMITS.selectOptions) parts.push(`One of: ${distinct.join(', ')}`);
  if (f.rule) parts.push(f.rule);
  return parts.length ? truncate(parts.join(' · '), LIMITS.inputHint) : undefined;
}

export function fieldInput(
  f: FieldLike,
  blockId: string,
  initial: unknown,
  actionId: string = ids.INPUT_ACTION,
): InputBlock {
  const hint = hintOf(f);
  return input({
    blockId,
    label: f.label?.trim() ? f.label : f.name,
    element: element(f, actionId, initial),
    optional: !f.required,
    ...(hint ? { hint } : {}),
  });
}

/**
 * Slack's state back to a value: numbers as numbers (the raw text when not a number, so the
 * domain's validation names it), booleans, option values mapped back to the original choice.
 * `undefined` = the block was not in the view (the caller keeps its default).
 */
export function fieldValue(f: FieldLike, read: StateRead): unknown {
  if (read === undefined) return undefined;
  const choices = choicesOf(f);
  const back = (v: string): string => (choices ? (matchOptionValue(v, choices) ?? v) : v);
  if (f.type === 'multiselect') {
    const list = Array.isArray(read) ? read : read === null ? [] : [read];
    return list.map(back);
  }
  const one = Array.isArray(read) ? (read[0] ?? null) : read;
  if (one === null || one.trim() === '') return null;
  switch (f.type) {
    case 'number': {
      const n = Number(one.trim());
      return Number.isFinite(n) ? n : one;
    }
    case 'boolean':
      return one === 'true' ? true : one === 'false' ? false : one;
    default:
      return back(one);
  }
}
