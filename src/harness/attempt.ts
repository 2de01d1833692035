/**
 * One Harness HTTP attempt, judged: waits for the shared rate limiter, reports the request to the
 * observer, tells the limiter about 429s, and turns the answer into a value or an error with the
 * retry problem it represents. The pipeline client and the freeze client loop over this with their
 * own retry policies, so what counts as success, refusal or a broken body is decided once.
 */
import { AppError } from '../errors.ts';
import { badResponseError, httpError, parseErrorEnvelope, transportError } from './errors.ts';
import type { CallContext } from './errors.ts';
import type { AttemptProblem } from './retry.ts';
import type { RateLimiter } from './rate-limit.ts';
import { attemptHttp } from './transport.ts';
import type { HttpRequest } from './transport.ts';

export type Judged = { ok: true; value: unknown } | { ok: false; problem: AttemptProblem; error: AppError };

export interface AttemptDeps {
  fetchImpl: typeof fetch;
  timeoutMs: number;
  limiter?: RateLimiter | undefined;
  report: (method: string, path: string, status: number | undefined, started: number) => void;
}

export async function attemptJudged(d: AttemptDeps, ctx: CallContext, req: HttpRequest): Promise<Judged> {
  if (d.limiter) await d.limiter.acquire();
  const started = performance.now();
  const res = await attemptHttp(d.fetchImpl, req, d.timeoutMs);
  d.report(req.method, ctx.path, res.ok ? res.status : undefined, started);
  if (d.limiter && res.ok) {
    if (res.status === 429) d.limiter.throttled();
    else d.limiter.succeeded();
  }
  if (!res.ok)
    return {
      ok: false,
      problem: { kind: 'transport', failure: res.failure },
      error: transportError(ctx, res.failure, res.error),
    };
  if (res.status < 200 || res.status > 299) {
    const error = httpError(ctx, res.status, res.contentType, res.text);
    error.details.harnessCode ??= parseErrorEnvelope(res.text)?.code ?? undefined;
    return { ok: false, problem: { kind: 'http', status: res.status }, error };
  }
  const parsed = parseJson(res.text);
  if (!parsed.ok)
    return {
      ok: false,
      problem: { kind: 'bad_body' },
      error: badResponseError(ctx, res.status, parsed.problem),
    };
  // A 2xx carrying an ERROR/FAILURE envelope is a refusal, not a success (never retried).
  const status = envelopeStatus(parsed.value);
  if (status === 'ERROR' || status === 'FAILURE') throw httpError(ctx, res.status, res.contentType, res.text);
  return { ok: true, value: parsed.value };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (text.trim() === '') return { ok: false, problem: 'empty body' };
  if (/^\s*</.test(text)) return { ok: false, problem: 'an HTML or XML page instead of JSON' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: `invalid JSON starting with ${JSON.stringify(text.slice(0, 40))}` };
  }
}

function envelopeStatus(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const status = (value as { status?: unknown }).status;
  return typeof status === 'string' ? status.toUpperCase() : undefined;
}
