/**
 * The one error type of runbook-bot. Every failure a user or operator can see is an AppError with
 * a stable `code`, a message written for a human, and retry intent (as inngest's NonRetriableError):
 * the engine retries `retryable` errors on its own schedule and records the rest as final.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'MANIFEST_INVALID'
  | 'RUNBOOK_NOT_FOUND'
  | 'INPUT_INVALID'
  | 'INCIDENT_NOT_FOUND'
  | 'RUN_NOT_FOUND'
  | 'HARNESS_REQUEST_REJECTED'
  | 'HARNESS_AUTH'
  | 'HARNESS_NOT_FOUND'
  | 'HARNESS_THROTTLED'
  | 'HARNESS_UNAVAILABLE'
  | 'HARNESS_AMBIGUOUS'
  | 'HARNESS_BAD_RESPONSE'
  | 'ACTION_FAILED'
  | 'INVALID_TRANSITION'
  /** A `deploys: true` runbook while a DeploymentGate covering it is closed (src/gates). */
  | 'GATE_CLOSED'
  | 'INTERNAL';

export interface AppErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details ?? {};
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Wraps anything thrown into an AppError without losing the original as `cause`. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AppError('INTERNAL', `Unexpected error: ${message}`, { cause: e });
}

/** The one place that turns errors into user-facing text (CLI, Slack, API). */
export function userMessage(e: unknown): string {
  const err = toAppError(e);
  return err.message;
}
