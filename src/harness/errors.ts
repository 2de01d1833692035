import { AppError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { errorEnvelopeSchema } from './schemas.ts';
import type { ErrorEnvelope } from './schemas.ts';

/**
 * Turns what Harness (or whatever sits in front of it) answered into an AppError a human can act
 * on: what we were doing, what Harness said, and what to check. The API key never appears: every
 * message goes through `ctx.redact`, and request headers are never part of a message.
 */

export interface CallContext {
  op: 'execute' | 'status' | 'abort' | 'list';
  /** What we were doing, e.g. `starting pipeline "x" in org "o", project "p"`. */
  action: string;
  /** What a 404 means was not found, e.g. `pipeline "x" in org "o", project "p"`. */
  target: string;
  method: string;
  /** Path without query. */
  path: string;
  redact: (s: string) => string;
}

export type TransportFailure =
  | { kind: 'timeout'; timeoutMs: number }
  /** `neverSent`: the connection was never made, so Harness cannot have seen the request. */
  | { kind: 'network'; code?: string; detail: string; neverSent: boolean };

const NOT_FOUND_CODES = new Set(['RESOURCE_NOT_FOUND', 'RESOURCE_NOT_FOUND_EXCEPTION', 'ENTITY_NOT_FOUND']);
const ACCESS_CODES = new Set(['ACCESS_DENIED', 'NG_ACCESS_DENIED', 'INVALID_TOKEN', 'EXPIRED_TOKEN']);
const MAX_TEXT = 600;

/** Parses an NG error envelope; undefined when the body is not one (not JSON, or no code/message). */
export function parseErrorEnvelope(text: string): ErrorEnvelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = errorEnvelopeSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const env = parsed.data;
  return env.code || env.message || (env.responseMessages?.length ?? 0) > 0 || (env.errors?.length ?? 0) > 0
    ? env
    : undefined;
}

/** All the human text in an envelope: the message, other response messages, field errors. */
export function envelopeText(env: ErrorEnvelope): string {
  const parts: string[] = [];
  const add = (s: string | null | undefined): void => {
    const t = s?.trim();
    if (t && !parts.some((p) => p.includes(t))) parts.push(t);
  };
  add(env.message);
  for (const m of env.responseMessages ?? []) add(m.message);
  add(env.detailedMessage);
  for (const e of env.errors ?? []) add(e.fieldId ? `${e.fieldId}: ${e.error ?? 'invalid'}` : e.error);
  return truncate(parts.join('; '));
}

/** Proxies and WAFs answer with HTML; it must not be JSON-parsed or pasted into Slack. */
export function looksLikeHtml(contentType: string, text: string): boolean {
  if (/text\/html/i.test(contentType)) return true;
  return /^\s*(<!doctype html|<html|<head|<body)/i.test(text);
}

function htmlTitle(text: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(text);
  return m?.[1]?.trim() || undefined;
}

function truncate(s: string, max = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function codeFor(status: number, harnessCode: string | undefined): ErrorCode {
  if (status >= 400 && status < 500 && harnessCode !== undefined) {
    if (NOT_FOUND_CODES.has(harnessCode)) return 'HARNESS_NOT_FOUND';
    if (ACCESS_CODES.has(harnessCode)) return 'HARNESS_AUTH';
    if (harnessCode === 'TOO_MANY_REQUESTS') return 'HARNESS_THROTTLED';
  }
  if (status === 401 || status === 403) return 'HARNESS_AUTH';
  if (status === 404) return 'HARNESS_NOT_FOUND';
  if (status === 429) return 'HARNESS_THROTTLED';
  if (status >= 500) return 'HARNESS_UNAVAILABLE';
  return 'HARNESS_REQUEST_REJECTED';
}

function hintFor(code: ErrorCode, status: number): string {
  switch (code) {
    case 'HARNESS_AUTH':
      return status === 401
        ? 'Check HARNESS_API_KEY: it may be wrong, expired or revoked.'
        : 'Check that HARNESS_ACCOUNT_ID is the account of the API key, that its service account may ' +
            'access this pipeline (RBAC), and that this host is on the account IP allow-list.';
    case 'HARNESS_NOT_FOUND':
      return 'Check the identifiers in the runbook (they are case-sensitive) and that HARNESS_BASE_URL points at your Harness.';
    case 'HARNESS_THROTTLED':
      return 'Harness rate-limits each API key; wait and try again.';
    case 'HARNESS_UNAVAILABLE':
      return 'Harness or a proxy in front of it is having trouble; try again shortly.';
    default:
      return '';
  }
}

/** A non-2xx answer (or a 2xx carrying an ERROR/FAILURE envelope) as an AppError. */
export function httpError(ctx: CallContext, status: number, contentType: string, text: string): AppError {
  const details: Record<string, unknown> = { httpStatus: status, method: ctx.method, path: ctx.path };
  let code: ErrorCode;
  let message: string;
  if (looksLikeHtml(contentType, text)) {
    code = codeFor(status, undefined);
    const title = htmlTitle(text);
    message =
      `Harness returned an HTML page (HTTP ${status}) — likely a proxy or gateway error` +
      `${title ? ` ("${title}")` : ''} while ${ctx.action}.`;
  } else {
    const env = parseErrorEnvelope(text);
    const harnessCode = env?.code ?? undefined;
    code = codeFor(status, harnessCode);
    if (harnessCode) details.harnessCode = harnessCode;
    if (env?.correlationId) details.correlationId = env.correlationId;
    const said = env ? envelopeText(env) : truncate(text.trim().replace(/\s+/g, ' '), 200);
    const label = harnessCode ? `HTTP ${status}, ${harnessCode}` : `HTTP ${status}`;
    const lead =
      code === 'HARNESS_REQUEST_REJECTED'
        ? `Harness rejected the request (${harnessCode ?? `HTTP ${status}`})`
        : code === 'HARNESS_AUTH'
          ? `Harness refused access (${label})`
          : code === 'HARNESS_NOT_FOUND'
            ? `Harness could not find ${ctx.target} (${label})`
            : code === 'HARNESS_THROTTLED'
              ? `Harness is throttling requests (${label})`
              : `Harness failed (${label})`;
    // For "not found" the target already says what we were doing.
    const during = code === 'HARNESS_NOT_FOUND' ? '' : ` while ${ctx.action}`;
    message = `${lead}${during}: ${said.replace(/[.\s]+$/, '') || 'no details given'}.`;
    if (env?.correlationId) message += ` [correlationId ${env.correlationId}]`;
  }
  const hint = hintFor(code, status);
  const retryable = code === 'HARNESS_THROTTLED' || code === 'HARNESS_UNAVAILABLE';
  return withSummary(
    new AppError(code, ctx.redact(hint ? `${message} ${hint}` : message), { retryable, details }),
    ctx.redact(message),
  );
}

/**
 * What went wrong without the advice, for wrapping in HARNESS_AMBIGUOUS: "try again shortly"
 * must not appear inside "check Harness before running it again".
 */
const summaries = new WeakMap<AppError, string>();
function withSummary(err: AppError, summary: string): AppError {
  summaries.set(err, summary);
  return err;
}

/** No answer at all: timeout or network failure. Retryable: nothing says Harness is wrong. */
export function transportError(ctx: CallContext, failure: TransportFailure, cause?: unknown): AppError {
  const details: Record<string, unknown> = { method: ctx.method, path: ctx.path };
  let message: string;
  if (failure.kind === 'timeout') {
    details.timeoutMs = failure.timeoutMs;
    message = `Harness did not answer within ${failure.timeoutMs} ms while ${ctx.action}.`;
  } else {
    if (failure.code) details.networkCode = failure.code;
    message = `Could not reach Harness while ${ctx.action} (${failure.code ?? 'network error'}: ${failure.detail}).`;
  }
  const hint = failure.kind === 'network' ? ' Check HARNESS_BASE_URL and the network.' : '';
  const err = new AppError('HARNESS_UNAVAILABLE', ctx.redact(message + hint), {
    retryable: true,
    details,
    cause,
  });
  return withSummary(err, ctx.redact(message));
}

export function badResponseError(
  ctx: CallContext,
  httpStatus: number,
  problem: string,
  correlationId?: string,
): AppError {
  const details: Record<string, unknown> = { httpStatus, method: ctx.method, path: ctx.path };
  if (correlationId) details.correlationId = correlationId;
  const message = `Harness sent a response we could not understand (HTTP ${httpStatus}) while ${ctx.action}: ${truncate(problem, 300)}.`;
  return new AppError('HARNESS_BAD_RESPONSE', ctx.redact(message), { details });
}

/**
 * Execute failed in a way that does not tell whether Harness started the pipeline. Retrying could
 * run a rollback twice, so this is final and points the human at the executions list.
 */
export function ambiguousError(ctx: CallContext, reason: AppError, executionsListUrl: string): AppError {
  const message =
    `Harness may or may not have started the pipeline (${(summaries.get(reason) ?? reason.message).replace(/\.$/, '')}). ` +
    `Check Harness before running it again: ${executionsListUrl}`;
  return new AppError('HARNESS_AMBIGUOUS', ctx.redact(message), {
    retryable: false,
    details: { ...reason.details, reasonCode: reason.code, executionsListUrl },
    cause: reason,
  });
}
