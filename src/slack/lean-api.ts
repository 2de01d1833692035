/**
 * A lean Web API caller for the calls that follow an ack (views.open, views.update). Profiling the
 * ack benchmark showed @slack/web-api's WebClient spending ~0.5 ms of CPU per views.open on
 * loopback — more than Bolt's whole ack path — in work that is not the request: it form-encodes
 * the view's JSON, and builds redacted copies of the request and answer for debug lines even when
 * debug is off. That CPU sits on the event loop the next ack waits on. Slack takes JSON bodies
 * with the token in `Authorization: Bearer` for these methods, so this posts JSON over a pool of
 * keep-alive connections. The pool is undici's (the HTTP client inside Node's fetch, already a
 * dependency of Bolt's socket mode) rather than node:http's Agent, driven through `dispatch` with a
 * handler that only collects the answer's chunks (no response stream, no body mixin): in the ack
 * benchmark the bot's CPU per request (ack + modal) at 32 in flight went 0.33 ms (node:http) →
 * 0.27–0.29 ms (undici `request`) → 0.24 ms (this).
 *
 * Errors are @slack/web-api's own classes with the same meaning, so callers (errorText,
 * slackErrorCode) cannot tell the difference: `ok:false` → WebAPIPlatformError, 429 →
 * WebAPIRateLimitedError (rejected at once, as webClientOptions does), another HTTP status →
 * WebAPIHTTPError, no answer → WebAPIRequestError. Transport errors and 5xx are retried twice
 * (200 ms, 400 ms), as in webClientOptions; Slack errors are not.
 */
import { Pool } from 'undici';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  type WebAPICallResult,
} from '@slack/web-api';

export interface LeanSlackApi {
  /** POSTs `args` as JSON to `<SLACK_API_URL><method>`; resolves with Slack's answer when `ok`. */
  call(method: string, args: Record<string, unknown>): Promise<WebAPICallResult>;
  /** Same, with a body already serialized (e.g. a cached view inside it). */
  callRaw(method: string, json: string): Promise<WebAPICallResult>;
  /**
   * For calls whose answer is not needed (views.open echoes the whole view back): resolves once
   * Slack said `ok`, without parsing the rest of the answer; errors as in `call`.
   */
  send(method: string, json: string): Promise<void>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

export interface LeanSlackOptions {
  token: string;
  /** SLACK_API_URL, ending with `/`. */
  slackApiUrl: string;
  timeoutMs?: number;
  retries?: number;
  /** Called once per attempt: without an error when Slack answered ok (metrics count them). */
  onOutcome?: (method: string, error?: unknown) => void;
}

const OK_PREFIX = /^\s*\{\s*"ok"\s*:\s*true\s*[,}]/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** undici's raw headers (name, value, name, value…) as an object with lower-case names. */
function headersOf(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2)
    out[raw[i]!.toString('latin1').toLowerCase()] = raw[i + 1]!.toString('latin1');
  return out;
}

export function createLeanSlackApi(opts: LeanSlackOptions): LeanSlackApi {
  const base = new URL(opts.slackApiUrl);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const retries = opts.retries ?? 2;
  const auth = `Bearer ${opts.token}`;

  // Warm keep-alive sockets are reused: past 32 calls in flight the next one waits for a socket
  // (milliseconds on a warm connection) instead of opening another one (a TLS handshake to Slack).
  const pool = new Pool(base.origin, { connections: 32, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const headers = { authorization: auth, 'content-type': 'application/json; charset=utf-8' };
  /** One POST through the pool's dispatcher: no response stream, just the chunks. */
  const post = (method: string, body: string) =>
    new Promise<{ status: number; rawHeaders: Buffer[]; chunks: Buffer[] }>((resolve, reject) => {
      let status = 0;
      let rawHeaders: Buffer[] = [];
      const chunks: Buffer[] = [];
      pool.dispatch(
        { origin: base.origin, path: `${base.pathname}${method}`, method: 'POST', headers, body },
        {
          onConnect() {},
          onHeaders(statusCode: number, raw: Buffer[]) {
            status = statusCode;
            rawHeaders = raw; // read only when the answer is not a 200 (see headersOf)
            return true;
          },
          onData(chunk: Buffer) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            resolve({ status, rawHeaders, chunks });
          },
          onError(error: Error) {
            reject(error);
          },
        } as never,
      );
    });

  const once = async (method: string, body: string, parse: boolean): Promise<WebAPICallResult> => {
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res = await post(method, body);
    } catch (e) {
      throw new WebAPIRequestError(e as Error);
    }
    const { status } = res;
    // Slack answers `{"ok":true,…`: when the caller does not need the answer, that is all there is
    // to read (no 3 KB string, no parsed copy of the view for the GC).
    if (!parse && status === 200 && OK_PREFIX.test(res.chunks[0]?.toString('latin1', 0, 32) ?? ''))
      return { ok: true };
    const text = Buffer.concat(res.chunks).toString('utf8');
    if (status === 429) {
      const after = Number(headersOf(res.rawHeaders)['retry-after']);
      throw new WebAPIRateLimitedError(Number.isFinite(after) ? after : 1);
    }
    if (status !== 200) throw new WebAPIHTTPError(status, '', headersOf(res.rawHeaders), text);
    let result: WebAPICallResult;
    try {
      result = JSON.parse(text) as WebAPICallResult;
    } catch (e) {
      throw new WebAPIRequestError(e as Error);
    }
    if (!result.ok) throw new WebAPIPlatformError(result as never);
    return result;
  };

  const retryable = (e: unknown) =>
    e instanceof WebAPIRequestError || (e instanceof WebAPIHTTPError && e.statusCode >= 500);

  async function attempt(method: string, json: string, parse: boolean): Promise<WebAPICallResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await once(method, json, parse);
        opts.onOutcome?.(method);
        return r;
      } catch (e) {
        opts.onOutcome?.(method, e);
        if (attempt >= retries || !retryable(e)) throw e;
        await sleep(200 * 2 ** attempt);
      }
    }
  }

  return {
    callRaw: (method, json) => attempt(method, json, true),
    call: (method, args) => attempt(method, JSON.stringify(args), true),
    send: async (method, json) => void (await attempt(method, json, false)),
    close: () => void pool.close().catch(() => undefined),
  };
}
