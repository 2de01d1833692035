/**
 * What Slack sends as `view.state.values` when a user submits a modal: for each input block, its
 * element's current value — the initial value unless the test "types" something else. Shapes from
 * slack-fixtures/view_state.all_element_types.json.
 */
type Json = Record<string, unknown>;
type Option = { text: Json; value: string };

export function stateFor(
  view: Json,
  typed: Record<string, string | string[] | null> = {},
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  for (const block of (view.blocks as Json[]) ?? []) {
    if (block.type !== 'input') continue;
    const blockId = String(block.block_id);
    const el = block.element as Json;
    const actionId = String(el.action_id);
    const has = Object.prototype.hasOwnProperty.call(typed, blockId);
    const v = typed[blockId];
    const options = (el.options as Option[] | undefined) ?? [];
    const pick = (value: string) => {
      const o = options.find((x) => x.value === value);
      if (!o)
        throw new Error(
          `${blockId}: "${value}" is not an option (${options.map((x) => x.value).join(', ')})`,
        );
      return o;
    };
    let state: Json;
    switch (el.type) {
      case 'static_select':
      case 'radio_buttons':
        state = {
          type: el.type,
          selected_option: has ? (v === null ? null : pick(String(v))) : (el.initial_option ?? null),
        };
        break;
      case 'multi_static_select':
      case 'checkboxes':
        state = {
          type: el.type,
          selected_options: has ? ((v as string[] | null) ?? []).map(pick) : (el.initial_options ?? []),
        };
        break;
      case 'users_select':
        state = { type: el.type, selected_user: has ? v : (el.initial_user ?? null) };
        break;
      case 'conversations_select':
      case 'channels_select':
        state = { type: el.type, selected_conversation: has ? v : (el.initial_conversation ?? null) };
        break;
      default:
        state = { type: el.type, value: has ? v : (el.initial_value ?? null) };
    }
    values[blockId] = { [actionId]: state };
  }
  return values;
}
