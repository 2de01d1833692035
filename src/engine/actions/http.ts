/**
 * One HTTP call for the follow-up actions, and the one place that decides what a failure means:
 * network errors, 408, 429 and 5xx are temporary (retried by the engine, honouring `Retry-After`);
 * any other 4xx is final and carries the target's own message. 3xx is final too: a webhook that
 * redirects a POST is misconfigured, and following it would silently turn the POST into a GET.
 */
import { AppError } from '../../errors.ts';
import { scrub } from './followup-kit.ts';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** How messages name the request, e.g. "POST /rest/api/3/issue/OPS-1/comment" (default: the method). */
  label?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpTarget {
  /** Words for messages: "Jira", "ServiceNow", "webhook status.example.com". Never holds a secret. */
  name: string;
  /** Values to scrub from any message (tokens, passwords, secret URLs). */
  secrets: readonly (string | undefined)[];
  /** Pulls the human message out of an error body (Jira's errorMessages, ServiceNow's error.detail…). */
  describe?: (json: unknown, text: string) => string | undefined;
}

const TEMPORARY = (status: number) => status === 408 || status === 429 || status >= 500;

/** Sends; resolves with any HTTP answer, throws a retryable AppError when there was none. */
export async function send(fetchFn: typeof fetch, call: HttpCall, target: HttpTarget): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetchFn(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError' || err.name === 'AbortError'
        ? `no answer within ${Math.round(call.timeoutMs / 1000)}s`
        : `could not reach it (${err.cause?.code ?? err.cause?.message ?? err.message})`;
    throw new AppError('ACTION_FAILED', scrub(`${target.name}: ${why}`, target.secrets), { retryable: true });
  }
  let text = '';
  try {
    text = await res.text();
  } catch {
    // A body cut off mid-way: the status line is what counts.
  }
  return { status: res.status, headers: res.headers, text };
}

/** Throws the AppError a non-2xx answer means; returns the answer when it is 2xx. */
export function ensureOk(answer: HttpAnswer, call: HttpCall, target: HttpTarget, now: number): HttpAnswer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw httpFailure(answer, call, target, now);
}

export function httpFailure(answer: HttpAnswer, call: HttpCall, target: HttpTarget, now: number): AppError {
  const { status } = answer;
  let detail: string | undefined;
  if (status >= 300 && status < 400) {
    detail = `redirected${answer.headers.get('location') ? ` to ${answer.headers.get('location')}` : ''}; configure the final URL`;
  } else {
    detail = target.describe?.(parseJson(answer.text), answer.text) ?? genericMessage(answer.text);
  }
  const message = scrub(
    `${target.name} answered ${status}${statusWord(status) ? ` ${statusWord(status)}` : ''} to ${call.label ?? call.method}${detail ? `: ${detail}` : ''}`,
    target.secrets,
  );
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), now);
  return new AppError('ACTION_FAILED', message, {
    retryable: TEMPORARY(status),
    details: { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
  });
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short message from an unknown JSON or text error body. */
function genericMessage(text: string): string | undefined {
  const json = parseJson(text) as Record<string, unknown> | undefined;
  if (json && typeof json === 'object') {
    for (const k of ['message', 'error_description', 'error', 'detail', 'title']) {
      const v = json[k];
      if (typeof v === 'string' && v.trim()) return oneLine(v);
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string')
        return oneLine((v as { message: string }).message);
    }
  }
  const plain = text.replace(/<[^>]*>/g, ' ');
  return plain.trim() ? oneLine(plain) : undefined;
}

export function oneLine(s: string, max = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function statusWord(status: number): string {
  const words: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    408: 'Request Timeout',
    409: 'Conflict',
    410: 'Gone',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Entity',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return words[status] ?? '';
}

/** `Basic base64(user:secret)`. */
export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}
