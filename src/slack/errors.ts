/** The one place that turns errors into Slack text. */
import { toAppError } from '../errors.ts';

export function errorText(e: unknown): string {
  const err = toAppError(e);
  const icon = err.code === 'INPUT_INVALID' || err.code === 'RUNBOOK_NOT_FOUND' ? ':warning:' : ':x:';
  return `${icon} ${err.message}`;
}
