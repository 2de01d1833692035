import type { TransportFailure } from './errors.ts';
import type { RequestInfo } from './types.ts';
import { classifyFetchError } from './retry.ts';

/**
 * One HTTP attempt with a hard timeout that covers headers and body. It never throws: the caller
 * gets either the full response text or a classified failure, and decides about retries.
 */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type HttpAttempt =
  | { ok: true; status: number; contentType: string; text: string }
  | { ok: false; failure: TransportFailure; error: unknown };

export async function attemptHttp(
  fetchImpl: typeof fetch,
  req: HttpRequest,
  timeoutMs: number,
): Promise<HttpAttempt> {
  let responseStarted = false;
  try {
    const init: RequestInit = {
      method: req.method,
      headers: req.headers,
      signal: AbortSignal.timeout(timeoutMs),
      // Harness answers; it does not redirect API calls. A redirect is most likely an SSO or
      // proxy page, and following it would resend the API key to another host.
      redirect: 'manual',
    };
    if (req.body !== undefined) init.body = req.body;
    const res = await fetchImpl(req.url, init);
    responseStarted = true;
    const text = await res.text();
    return { ok: true, status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  } catch (error) {
    return { ok: false, failure: classifyFetchError(error, timeoutMs, responseStarted), error };
  }
}

/** Tells an observer (metrics) about one finished request; an observer never breaks a Harness call. */
export function requestReporter(onRequest: ((info: RequestInfo) => void) | undefined) {
  return (method: string, path: string, status: number | undefined, started: number): void => {
    if (!onRequest) return;
    const info = { method, path, ms: Math.round(performance.now() - started) };
    try {
      onRequest(status === undefined ? info : { ...info, status });
    } catch {
      // An observer must never break a Harness call.
    }
  };
}
