/**
 * A local Block Kit checker: walks any payload (built by us or by hand) and lists every limit it
 * breaks, with a JSON path. Slack has no offline validator and answers `invalid_blocks` without
 * saying which; peers' trackers are full of these bugs, so every builder output is checked in tests.
 */
import { LIMITS } from './limits-table.ts';
import { wellFormed } from './text.ts';

export interface Violation {
  /** e.g. `blocks[3].accessory.text.text` */
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly out: Violation[] = [];
  add(path: string, message: string): void {
    this.out.push({ path, message });
  }

  /** A text object; `kind` restricts plain_text-only places. */
  text(v: unknown, path: string, max: number, kind: 'plain' | 'any' = 'any', required = true): void {
    if (v === undefined) {
      if (required) this.add(path, 'is required');
      return;
    }
    if (!isObj(v)) return this.add(path, 'must be a text object');
    if (v.type !== 'plain_text' && v.type !== 'mrkdwn')
      return this.add(`${path}.type`, `must be plain_text or mrkdwn, got ${String(v.type)}`);
    if (kind === 'plain' && v.type !== 'plain_text') this.add(`${path}.type`, 'must be plain_text here');
    this.str(v.text, `${path}.text`, max, 1);
  }

  /** A string between min and max characters; whitespace-only counts as empty. */
  str(v: unknown, path: string, max: number, min = 0): void {
    if (typeof v !== 'string') return this.add(path, 'must be a string');
    if (v.length > max) this.add(path, `is ${v.length} characters, the limit is ${max}`);
    if (min > 0 && v.trim().length < min) this.add(path, 'must not be empty');
    if (wellFormed(v) !== v) this.add(path, 'has a broken character (lone UTF-16 surrogate)');
  }

  optStr(v: unknown, path: string, max: number, min = 0): void {
    if (v !== undefined) this.str(v, path, max, min);
  }

  list(v: unknown, path: string, max: number, min = 1): unknown[] {
    if (!Array.isArray(v)) {
      this.add(path, 'must be a list');
      return [];
    }
    if (v.length > max) this.add(path, `has ${v.length} items, the limit is ${max}`);
    if (v.length < min) this.add(path, `needs at least ${min} item(s)`);
    return v;
  }

  blocks(v: unknown, path: string, max: number): void {
    const blocks = this.list(v, path, max, 0);
    const ids = new Set<string>();
    blocks.forEach((b, i) => {
      const p = `${path}[${i}]`;
      if (!isObj(b)) return this.add(p, 'must be a block object');
      if (b.block_id !== undefined) {
        this.str(b.block_id, `${p}.block_id`, LIMITS.blockId, 1);
        if (typeof b.block_id === 'string') {
          if (ids.has(b.block_id)) this.add(`${p}.block_id`, `"${b.block_id}" is used twice`);
          ids.add(b.block_id);
        }
      }
      this.block(b, p);
    });
  }

  block(b: Obj, p: string): void {
    const actionIds = new Set<string>();
    const el = (e: unknown, ep: string) => this.element(e, ep, actionIds);
    switch (b.type) {
      case 'section':
        if (b.text === undefined && b.fields === undefined) this.add(p, 'needs text or fields');
        if (b.text !== undefined) this.text(b.text, `${p}.text`, LIMITS.sectionText);
        if (b.fields !== undefined)
          this.list(b.fields, `${p}.fields`, LIMITS.sectionFields).forEach((f, i) =>
            this.text(f, `${p}.fields[${i}]`, LIMITS.fieldText),
          );
        if (b.accessory !== undefined) el(b.accessory, `${p}.accessory`);
        return;
      case 'header':
        return this.text(b.text, `${p}.text`, LIMITS.headerText, 'plain');
      case 'divider':
        return;
      case 'context':
        this.list(b.elements, `${p}.elements`, LIMITS.contextElements).forEach((e, i) => {
          if (isObj(e) && e.type === 'image') this.str(e.alt_text, `${p}.elements[${i}].alt_text`, 2000, 1);
          else this.text(e, `${p}.elements[${i}]`, LIMITS.textObject);
        });
        return;
      case 'actions':
        this.list(b.elements, `${p}.elements`, LIMITS.actionsElements).forEach((e, i) =>
          el(e, `${p}.elements[${i}]`),
        );
        return;
      case 'input':
        this.text(b.label, `${p}.label`, LIMITS.inputLabel, 'plain');
        if (b.hint !== undefined) this.text(b.hint, `${p}.hint`, LIMITS.inputHint, 'plain');
        if (b.optional !== undefined && typeof b.optional !== 'boolean')
          this.add(`${p}.optional`, 'must be true or false');
        return el(b.element, `${p}.element`);
      case 'markdown':
        return this.str(b.text, `${p}.text`, LIMITS.markdownText, 1);
      case 'image':
        this.str(b.alt_text, `${p}.alt_text`, LIMITS.imageAltText, 1);
        return this.optStr(b.image_url, `${p}.image_url`, LIMITS.url, 1);
      default:
        this.add(`${p}.type`, `unknown or unsupported block type ${JSON.stringify(b.type)}`);
    }
  }

  element(e: unknown, p: string, actionIds: Set<string>): void {
    if (!isObj(e)) return this.add(p, 'must be an element object');
    if (e.action_id !== undefined) {
      this.str(e.action_id, `${p}.action_id`, LIMITS.actionId, 1);
      if (typeof e.action_id === 'string') {
        if (actionIds.has(e.action_id))
          this.add(`${p}.action_id`, `"${e.action_id}" is used twice in the block`);
        actionIds.add(e.action_id);
      }
    }
    if (e.placeholder !== undefined)
      this.text(e.placeholder, `${p}.placeholder`, LIMITS.placeholder, 'plain');
    if (e.confirm !== undefined) this.confirm(e.confirm, `${p}.confirm`);
    switch (e.type) {
      case 'button':
        this.text(e.text, `${p}.text`, LIMITS.buttonText, 'plain');
        this.optStr(e.value, `${p}.value`, LIMITS.buttonValue);
        this.optStr(e.url, `${p}.url`, LIMITS.url, 1);
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
          this.add(`${p}.style`, 'must be primary or danger');
        return;
      case 'static_select':
      case 'multi_static_select':
        return this.selectOptions(e, p);
      case 'checkboxes':
        return this.choiceOptions(e, p, LIMITS.checkboxOptions);
      case 'radio_buttons':
        return this.choiceOptions(e, p, LIMITS.radioOptions);
      case 'overflow':
        this.list(e.options, `${p}.options`, LIMITS.overflowOptions, 2).forEach((o, i) =>
          this.option(o, `${p}.options[${i}]`),
        );
        return;
      case 'plain_text_input': {
        const max = typeof e.max_length === 'number' ? e.max_length : LIMITS.plainTextInput;
        if (max > LIMITS.plainTextInput) this.add(`${p}.max_length`, `the limit is ${LIMITS.plainTextInput}`);
        return this.optStr(e.initial_value, `${p}.initial_value`, Math.min(max, LIMITS.plainTextInput));
      }
      case 'number_input':
        if (typeof e.is_decimal_allowed !== 'boolean') this.add(`${p}.is_decimal_allowed`, 'is required');
        if (e.initial_value !== undefined) {
          const ok =
            typeof e.initial_value === 'string' &&
            (e.is_decimal_allowed ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/).test(e.initial_value);
          if (!ok) this.add(`${p}.initial_value`, 'must be a number written as a string');
        }
        return;
      case 'users_select':
        return this.optStr(e.initial_user, `${p}.initial_user`, 64, 1);
      case 'multi_users_select':
      case 'conversations_select':
      case 'channels_select':
      case 'datepicker':
      case 'timepicker':
      case 'email_text_input':
      case 'url_text_input':
        return;
      default:
        this.add(`${p}.type`, `unknown or unsupported element type ${JSON.stringify(e.type)}`);
    }
  }

  /** Options of a select: plain options or groups, ≤ 100, unique values, initial option among them. */
  selectOptions(e: Obj, p: string): void {
    const all: Obj[] = [];
    if (e.options !== undefined && e.option_groups !== undefined)
      this.add(p, 'has both options and option_groups');
    if (e.option_groups !== undefined) {
      this.list(e.option_groups, `${p}.option_groups`, LIMITS.optionGroups).forEach((g, gi) => {
        const gp = `${p}.option_groups[${gi}]`;
        if (!isObj(g)) return this.add(gp, 'must be an option group');
        this.text(g.label, `${gp}.label`, LIMITS.optionGroupLabel, 'plain');
        this.list(g.options, `${gp}.options`, LIMITS.selectOptions).forEach((o, i) => {
          this.option(o, `${gp}.options[${i}]`);
          if (isObj(o)) all.push(o);
        });
      });
    } else {
      this.list(e.options, `${p}.options`, LIMITS.selectOptions).forEach((o, i) => {
        this.option(o, `${p}.options[${i}]`);
        if (isObj(o)) all.push(o);
      });
    }
    this.uniqueAndInitial(e, p, all);
  }

  choiceOptions(e: Obj, p: string, max: number): void {
    const all: Obj[] = [];
    this.list(e.options, `${p}.options`, max).forEach((o, i) => {
      this.option(o, `${p}.options[${i}]`);
      if (isObj(o)) all.push(o);
    });
    this.uniqueAndInitial(e, p, all);
  }

  /** Slack refuses an initial option that is not exactly one of the options. */
  uniqueAndInitial(e: Obj, p: string, all: Obj[]): void {
    const values = new Set<string>();
    for (const o of all) {
      if (typeof o.value !== 'string') continue;
      if (values.has(o.value)) this.add(p, `option value "${o.value}" is used twice`);
      values.add(o.value);
    }
    const initial = [
      ...(e.initial_option !== undefined ? [e.initial_option] : []),
      ...(Array.isArray(e.initial_options) ? e.initial_options : []),
    ];
    for (const io of initial) {
      const match =
        isObj(io) &&
        all.some((o) => o.value === io.value && JSON.stringify(o.text) === JSON.stringify(io.text));
      if (!match) this.add(`${p}.initial_option`, 'must be one of the options (same text and value)');
    }
  }

  option(o: unknown, p: string): void {
    if (!isObj(o)) return this.add(p, 'must be an option object');
    this.text(o.text, `${p}.text`, LIMITS.optionText);
    this.str(o.value, `${p}.value`, LIMITS.optionValue, 1);
    if (o.description !== undefined) this.text(o.description, `${p}.description`, LIMITS.optionDescription);
  }

  confirm(c: unknown, p: string): void {
    if (!isObj(c)) return this.add(p, 'must be a confirm object');
    this.text(c.title, `${p}.title`, LIMITS.confirmTitle, 'plain');
    this.text(c.text, `${p}.text`, LIMITS.confirmText);
    this.text(c.confirm, `${p}.confirm`, LIMITS.confirmButton, 'plain');
    this.text(c.deny, `${p}.deny`, LIMITS.confirmButton, 'plain');
  }
}

/** Violations of a message: pass its blocks, or `{ text, blocks }` to check the fallback text too. */
export function checkMessage(message: unknown): Violation[] {
  const c = new Checker();
  if (Array.isArray(message)) {
    c.blocks(message, 'blocks', LIMITS.messageBlocks);
    return c.out;
  }
  if (!isObj(message)) return [{ path: '', message: 'must be a list of blocks or { text, blocks }' }];
  if (message.text !== undefined) c.str(message.text, 'text', LIMITS.messageText, 1);
  if (message.blocks !== undefined) c.blocks(message.blocks, 'blocks', LIMITS.messageBlocks);
  if (message.text === undefined && message.blocks === undefined) c.add('', 'needs text or blocks');
  return c.out;
}

/** Violations of a modal or Home tab view. */
export function checkView(view: unknown): Violation[] {
  const c = new Checker();
  if (!isObj(view)) return [{ path: '', message: 'must be a view object' }];
  if (view.type !== 'modal' && view.type !== 'home') c.add('type', 'must be modal or home');
  if (view.type === 'modal') {
    c.text(view.title, 'title', LIMITS.modalTitle, 'plain');
    c.text(view.submit, 'submit', LIMITS.modalButton, 'plain', false);
    c.text(view.close, 'close', LIMITS.modalButton, 'plain', false);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.add('submit', 'is required when the modal has input blocks');
  }
  c.optStr(view.private_metadata, 'private_metadata', LIMITS.privateMetadata);
  c.optStr(view.callback_id, 'callback_id', LIMITS.callbackId);
  c.blocks(view.blocks, 'blocks', LIMITS.viewBlocks);
  const bytes = Buffer.byteLength(JSON.stringify(view), 'utf8');
  if (bytes > LIMITS.viewBytes) c.add('', `is ${bytes} bytes of JSON, Slack's limit is ${LIMITS.viewBytes}`);
  return c.out;
}
