import type { TransportFailure } from './errors.ts';

/**
 * Retry policy for Harness calls. Two rules, because execute is not idempotent (DESIGN §4.6):
 * - reads (GET status, and abort, which Harness makes idempotent with ABORT_ALL_ALREADY) retry on
 *   throttling, server errors, network errors and timeouts;
 * - execute retries only when Harness certainly never saw the request: the connection was never
 *   made, or the edge answered 429 (Cloud Armor rejects before the request reaches the backend).
 */

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 10_000;

/**
 * Delay before retry number `attempt` (1-based): base × 2^(attempt-1) × jitter in [0.5, 1.0),
 * capped. Harness sends no Retry-After (reference §4), so we pick our own schedule; jitter keeps
 * many runs that failed together from retrying together.
 */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const exp = BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(Math.min(BACKOFF_CAP_MS, exp * (0.5 + 0.5 * r)));
}

/**
 * Connection-phase errors: no TCP connection, so no request bytes left this host.
 * UND_ERR_CONNECT_TIMEOUT is undici's own connect-phase timeout.
 */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function asErrorLike(e: unknown): ErrorLike | undefined {
  return typeof e === 'object' && e !== null ? (e as ErrorLike) : undefined;
}

function codeOf(e: ErrorLike | undefined): string | undefined {
  return typeof e?.code === 'string' ? e.code : undefined;
}

/**
 * Classifies what fetch (undici) threw. Its network failures are `TypeError('fetch failed')` (or
 * `'terminated'` mid-body) with the socket error in `cause`; a connect to several addresses
 * can give an AggregateError whose `errors` hold the codes. `AbortSignal.timeout` rejects with
 * a `TimeoutError`.
 */
export function classifyFetchError(
  err: unknown,
  timeoutMs: number,
  responseStarted: boolean,
): TransportFailure {
  const e = asErrorLike(err);
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { kind: 'timeout', timeoutMs };
  const cause = asErrorLike(e?.cause);
  const nested = Array.isArray(cause?.errors) ? cause.errors.map((x) => codeOf(asErrorLike(x))) : [];
  const code = codeOf(cause) ?? nested.find((c) => c !== undefined) ?? codeOf(e);
  const allCodes = [codeOf(cause), ...nested].filter((c): c is string => c !== undefined);
  const neverSent = !responseStarted && allCodes.length > 0 && allCodes.every((c) => NEVER_SENT_CODES.has(c));
  const detail =
    (typeof cause?.message === 'string' && cause.message) ||
    (typeof e?.message === 'string' && e.message) ||
    'network error';
  return code === undefined
    ? { kind: 'network', detail, neverSent }
    : { kind: 'network', code, detail, neverSent };
}

export type CallKind = 'read' | 'execute';

/** What one attempt produced, reduced to what the retry decision needs. */
export type AttemptProblem =
  { kind: 'http'; status: number } | { kind: 'transport'; failure: TransportFailure } | { kind: 'bad_body' };

export function shouldRetry(call: CallKind, p: AttemptProblem): boolean {
  if (call === 'read') {
    if (p.kind === 'http') return p.status === 429 || p.status >= 500;
    return p.kind === 'transport';
  }
  if (p.kind === 'http') return p.status === 429;
  return p.kind === 'transport' && p.failure.kind === 'network' && p.failure.neverSent;
}

/**
 * For execute: did this failure leave us unsure whether Harness started the pipeline? Any answer
 * other than a clean 4xx, and any lost connection after it was made, is ambiguous.
 */
export function isAmbiguousForExecute(p: AttemptProblem): boolean {
  if (p.kind === 'bad_body') return true;
  if (p.kind === 'http') return p.status >= 500;
  return !(p.failure.kind === 'network' && p.failure.neverSent);
}
