/**
 * Pure Block Kit builders for every Slack surface (messages, modals, App Home), their parsers, and
 * the limits checker. Functions of data only: no Slack client, no clock, no store.
 */
export type { Block, HomeView, Message, ModalView, View } from './kit.ts';
export { LIMITS, checkMessage, checkView, truncate } from './limits.ts';
export type { Violation } from './limits.ts';
export { escapeMrkdwn } from './text.ts';
export { noticeView } from './kit.ts';
export { runMessage, runThreadReply } from './run-message.ts';
export type { RunMessageData } from './run-message.ts';
export { incidentSummary } from './incident-summary.ts';
export { declareModal, parseDeclareMeta, severityOptions } from './declare-modal.ts';
export type { DeclareModalOptions, DeclareMeta } from './declare-modal.ts';
export { parseDeclareModal, declareErrorsToBlocks, parseDeclareArgs } from './declare-parse.ts';
export { TEST_MARK, testBanner, testPrefix } from './test-mark.ts';
export type { ParsedDeclare } from './declare-parse.ts';
export { runbookPickerModal, parsePickerModal, runbookFromPickValue } from './runbook-picker.ts';
export { runbookInputModal, needsIncident } from './input-modal.ts';
export type { InputModalOptions } from './input-modal.ts';
export { parseInputModal, inputErrorsToBlocks, parseMeta as parseInputMeta } from './input-parse.ts';
export type { ParsedInputModal, SubmittedView } from './input-parse.ts';
export { homeView } from './home.ts';
export { helpText, runbookChoices, runList, explainText } from './ephemeral.ts';
export type { ExplainRow, RunListOptions } from './ephemeral.ts';
export { incidentLine, runLine, runbookSummaryLine } from './lines.ts';
export { harnessUrlOf, stageLine, isActive } from './format.ts';
export { readState, readOne } from './state.ts';
