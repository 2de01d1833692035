/**
 * Reading `view.state.values` (reference/slack-fixtures/view_state.all_element_types.json): one
 * entry per block_id, inside it one per action_id, whose shape depends on the element type.
 * Everything is read defensively: a payload is untrusted input, never a reason to crash.
 */

/** What a value read from the state can be: absent block (undefined), empty (null), one or many. */
export type StateRead = string | string[] | null | undefined;
export type StateValues = Record<string, Record<string, unknown>>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const optionValue = (o: unknown): string | null => (isObj(o) ? str(o.value) : null);
const strings = (v: unknown, pick: (x: unknown) => string | null): string[] =>
  Array.isArray(v) ? v.map(pick).filter((x): x is string => x !== null) : [];

/** The element state of a block (its first action), or undefined when the block is not there. */
export function blockState(values: unknown, blockId: string): Obj | undefined {
  if (!isObj(values)) return undefined;
  const block = values[blockId];
  if (!isObj(block)) return undefined;
  const first = Object.values(block).find(isObj);
  return first;
}

/** Reads one element's value whatever its type; see StateRead for the meaning of the result. */
export function readElement(el: Obj): StateRead {
  switch (el.type) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
      return str(el.value);
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return optionValue(el.selected_option);
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return strings(el.selected_options, optionValue);
    case 'users_select':
      return str(el.selected_user);
    case 'multi_users_select':
      return strings(el.selected_users, str);
    case 'conversations_select':
      return str(el.selected_conversation);
    case 'multi_conversations_select':
      return strings(el.selected_conversations, str);
    case 'channels_select':
      return str(el.selected_channel);
    case 'multi_channels_select':
      return strings(el.selected_channels, str);
    case 'datepicker':
      return str(el.selected_date);
    case 'timepicker':
      return str(el.selected_time);
    case 'datetimepicker':
      return typeof el.selected_date_time === 'number' ? String(el.selected_date_time) : null;
    default:
      // Unknown element type: take the first value-looking key, so a new Slack type degrades gently.
      if ('value' in el) return str(el.value);
      if ('selected_option' in el) return optionValue(el.selected_option);
      if ('selected_options' in el) return strings(el.selected_options, optionValue);
      return null;
  }
}

export function readState(values: unknown, blockId: string): StateRead {
  const el = blockState(values, blockId);
  return el === undefined ? undefined : readElement(el);
}

/** One text value: a list becomes its first item; blank becomes null. */
export function readOne(values: unknown, blockId: string): string | null | undefined {
  const v = readState(values, blockId);
  if (Array.isArray(v)) return v[0] ?? null;
  if (typeof v === 'string' && v.trim() === '') return null;
  return v;
}
