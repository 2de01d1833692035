/**
 * Small Block Kit constructors. Each one enforces its own limits, so a builder cannot produce a
 * too-long header or an empty button by forgetting a truncate. Types come from @slack/types (via
 * Bolt) so the output can be handed to @slack/web-api as is; the values are plain JSON.
 */
import { createHash } from 'node:crypto';
import type { types } from '@slack/bolt';
import * as ids from '../ids.ts';
import { LIMITS } from './limits-table.ts';
import { nonBlank, oneLine, plain, truncate, truncateMrkdwn, wellFormed } from './text.ts';

export type Block = types.KnownBlock;
export type ModalView = types.ModalView;
export type HomeView = types.HomeView;
export type View = ModalView | HomeView;
export type Option = types.PlainTextOption;
export type PlainTextElement = types.PlainTextElement;
export type MrkdwnElement = types.MrkdwnElement;
export type InputElement = types.InputBlockElement;
export type Button = types.Button;
export type SectionBlock = types.SectionBlock;
export type InputBlock = types.InputBlock;
/** What a message builder returns: fallback text (notifications, screen readers) and blocks. */
export interface Message {
  text: string;
  blocks: Block[];
}

export function plainText(s: unknown, max: number, fallback = '—'): PlainTextElement {
  return { type: 'plain_text', text: plain(s, max, fallback), emoji: true };
}

/** `s` is mrkdwn we assembled from escaped parts; only the length is enforced here. */
export function mrkdwn(s: string, max: number = LIMITS.textObject): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateMrkdwn(nonBlank(s), max) };
}

export function header(s: unknown): Block {
  return { type: 'header', text: plainText(oneLine(s), LIMITS.headerText) };
}

export function section(s: string, extra: Partial<SectionBlock> = {}): SectionBlock {
  return { type: 'section', text: mrkdwn(s, LIMITS.sectionText), ...extra };
}

/** A two-column section; more than 10 fields keeps 9 and says how many were left out. */
export function fieldsSection(fields: string[], blockId?: string): SectionBlock {
  const kept =
    fields.length <= LIMITS.sectionFields
      ? fields
      : [
          ...fields.slice(0, LIMITS.sectionFields - 1),
          `_+${fields.length - (LIMITS.sectionFields - 1)} more_`,
        ];
  return {
    type: 'section',
    fields: kept.map((f) => mrkdwn(f, LIMITS.fieldText)),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

export function context(parts: string[]): Block {
  const kept = parts.filter((p) => p.trim() !== '').slice(0, LIMITS.contextElements);
  return { type: 'context', elements: (kept.length ? kept : ['—']).map((p) => mrkdwn(p)) };
}

export const divider = (): Block => ({ type: 'divider' });

export interface ButtonSpec {
  text: string;
  actionId: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export function button(b: ButtonSpec): Button {
  return {
    type: 'button',
    action_id: b.actionId,
    text: plainText(oneLine(b.text), LIMITS.buttonText),
    ...(b.value !== undefined ? { value: truncate(wellFormed(b.value), LIMITS.buttonValue) } : {}),
    ...(b.url !== undefined ? { url: b.url } : {}),
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: plainText(oneLine(b.confirm.title), LIMITS.confirmTitle),
            text: plainText(b.confirm.text, LIMITS.confirmText),
            confirm: plainText(oneLine(b.confirm.confirm), LIMITS.confirmButton),
            deny: plainText(oneLine(b.confirm.deny), LIMITS.confirmButton),
            style: 'danger',
          },
        }
      : {}),
  };
}

/**
 * Option values are ≤ 75 characters and must not be blank; longer or blank ones get a stable
 * short form (prefix + hash) that `matchOptionValue` maps back to the original.
 */
export function optionValue(s: string): string {
  const safe = wellFormed(s);
  if (s.length <= LIMITS.optionValue && s.trim() !== '' && safe === s) return s;
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 12);
  return `${safe.slice(0, LIMITS.optionValue - 14).replace(/[\uD800-\uDBFF]$/, '')}~${hash}`;
}

export function matchOptionValue(value: string, candidates: readonly string[]): string | undefined {
  return candidates.find((c) => c === value) ?? candidates.find((c) => optionValue(c) === value);
}

export function option(text: unknown, value: string, description?: string): Option {
  return {
    text: plainText(oneLine(text), LIMITS.optionText),
    value: optionValue(value),
    ...(description !== undefined && description.trim() !== ''
      ? { description: plainText(oneLine(description), LIMITS.optionDescription) }
      : {}),
  };
}

export interface InputSpec {
  blockId: string;
  label: string;
  element: InputElement;
  optional?: boolean;
  hint?: string;
  dispatchAction?: boolean;
}

export function input(i: InputSpec): InputBlock {
  return {
    type: 'input',
    block_id: i.blockId,
    label: plainText(oneLine(i.label), LIMITS.inputLabel),
    element: i.element,
    optional: i.optional ?? false,
    ...(i.hint !== undefined && i.hint.trim() !== '' ? { hint: plainText(i.hint, LIMITS.inputHint) } : {}),
    ...(i.dispatchAction ? { dispatch_action: true } : {}),
  };
}

export interface ModalSpec {
  callbackId: string;
  title: string;
  submit?: string;
  close?: string;
  blocks: Block[];
  privateMetadata?: string;
}

export function modal(m: ModalSpec): ModalView {
  return {
    type: 'modal',
    callback_id: m.callbackId,
    title: plainText(oneLine(m.title), LIMITS.modalTitle),
    ...(m.submit !== undefined ? { submit: plainText(oneLine(m.submit), LIMITS.modalButton) } : {}),
    close: plainText(oneLine(m.close ?? 'Cancel'), LIMITS.modalButton),
    blocks: capBlocks(m.blocks, LIMITS.viewBlocks),
    ...(m.privateMetadata !== undefined
      ? { private_metadata: truncate(m.privateMetadata, LIMITS.privateMetadata) }
      : {}),
  };
}

/** Room left for blocks in a view's JSON, keeping headroom for title, buttons and private_metadata. */
const VIEW_BLOCK_BYTES = LIMITS.viewBytes - 20_000;
const bytesOf = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * How many of `candidates` fit after the `fixed` blocks of a view: at most `maxBlocks` blocks in
 * all and Slack's 250 kB view size (120 selects of 100 long options would be ~2 MB).
 */
export function fitting(fixed: readonly Block[], candidates: readonly Block[], maxBlocks: number): number {
  let bytes = bytesOf(fixed);
  let n = 0;
  for (const b of candidates) {
    if (fixed.length + n + 1 > maxBlocks) break;
    bytes += bytesOf(b) + 1;
    if (bytes > VIEW_BLOCK_BYTES) break;
    n += 1;
  }
  return n;
}

/**
 * Last line of defence for block counts: builders budget their blocks, but if one overshoots,
 * the tail is replaced by a note rather than Slack refusing the whole payload.
 */
export function capBlocks(blocks: Block[], max: number): Block[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  return [...kept, context([`_+${blocks.length - kept.length} more not shown_`])];
}

/**
 * A modal that only says something (a refusal, a runbook that disappeared); no submit button.
 * `text` is mrkdwn: escape the user-provided parts of it.
 */
export function noticeView(title: string, text: string): ModalView {
  return modal({ callbackId: ids.NOTICE_MODAL, title, close: 'Close', blocks: [section(text)] });
}
