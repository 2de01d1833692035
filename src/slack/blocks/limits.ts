/**
 * Block Kit limits: the table, the truncation every builder uses, and the checker the tests run
 * on every payload.
 */
export { LIMITS } from './limits-table.ts';
export { truncate } from './text.ts';
export { checkMessage, checkView } from './limits-check.ts';
export type { Violation } from './limits-check.ts';
