/**
 * Harness deployment-freeze client (reference harness-api.md §6): get, create, update and status
 * toggle of one freeze window by identifier, at account, org or project scope. Bodies are YAML.
 * Every call here is safe to repeat (identifiers are deterministic; a create that meets an existing
 * window is reported as `exists`), so all of them use the read retry policy of retry.ts.
 * Every attempt waits for `opts.limiter`, the budget shared with the pipeline client (src/app.ts):
 * Harness counts requests per API key, so freeze calls spend the same budget and a 429 pauses both.
 */
import { AppError } from '../errors.ts';
import type { CallContext } from './errors.ts';
import { backoffDelayMs, shouldRetry } from './retry.ts';
import { requestReporter } from './transport.ts';
import { attemptJudged } from './attempt.ts';
import type { HttpRequest } from './transport.ts';
import type { HarnessClientOptions } from './types.ts';
import { apiUrl } from './urls.ts';
import { requireIdentifier, validateClientOptions } from './validate.ts';

export interface FreezeScope {
  org?: string | undefined;
  project?: string | undefined;
}

export type FreezeStatus = 'Enabled' | 'Disabled';

export interface FreezeWindowInfo {
  identifier: string;
  status: FreezeStatus | string;
  yaml: string;
}

export interface FreezeClient {
  /** The window, or null when Harness has none with this identifier in this scope. */
  get(identifier: string, scope: FreezeScope): Promise<FreezeWindowInfo | null>;
  /** Creates the window; `exists` when one with this identifier was already there. */
  create(yaml: string, scope: FreezeScope): Promise<'created' | 'exists'>;
  /** Replaces the window's YAML (Harness refuses this while the window is enabled). */
  update(identifier: string, yaml: string, scope: FreezeScope): Promise<void>;
  setStatus(identifier: string, status: FreezeStatus, scope: FreezeScope): Promise<void>;
}

const PATH = '/ng/api/freeze';
const DUPLICATE_CODES = new Set(['DUPLICATE_FIELD', 'DUPLICATE_IDENTIFIER', 'ENTITY_ALREADY_EXISTS']);
const NOT_FOUND_CODES = new Set(['RESOURCE_NOT_FOUND', 'RESOURCE_NOT_FOUND_EXCEPTION', 'ENTITY_NOT_FOUND']);
const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createFreezeClient(opts: HarnessClientOptions): FreezeClient {
  const cfg = validateClientOptions(opts);
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? sleepMs;
  const random = opts.random ?? Math.random;
  const redact = (s: string): string => s.split(cfg.apiKey).join('[redacted]');
  const headers = (contentType?: string): Record<string, string> => ({
    'x-api-key': cfg.apiKey,
    'Harness-Account': cfg.accountId,
    Accept: 'application/json',
    ...(contentType ? { 'Content-Type': contentType } : {}),
  });
  const query = (scope: FreezeScope, extra: Record<string, string> = {}) => ({
    accountIdentifier: cfg.accountId,
    orgIdentifier: scope.org,
    projectIdentifier: scope.project,
    ...extra,
  });
  const where = (scope: FreezeScope): string =>
    scope.project
      ? `org "${scope.org}", project "${scope.project}"`
      : scope.org
        ? `org "${scope.org}"`
        : 'the account';

  const attemptDeps = {
    fetchImpl,
    timeoutMs: cfg.timeoutMs,
    limiter: opts.limiter,
    report: requestReporter(opts.onRequest),
  };

  /** 2xx JSON (an ERROR envelope in a 2xx is a refusal); retries 429, 5xx and network failures. */
  async function send(ctx: CallContext, req: HttpRequest): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const judged = await attemptJudged(attemptDeps, ctx, req);
      if (judged.ok) return judged.value;
      const { problem, error } = judged;
      if (attempt <= cfg.maxRetries && shouldRetry('read', problem)) {
        await sleep(backoffDelayMs(attempt, random));
        continue;
      }
      if (attempt > 1) error.details.attempts = attempt;
      throw error;
    }
  }

  const ctxFor = (
    action: string,
    identifier: string,
    scope: FreezeScope,
    method: string,
    path: string,
  ): CallContext => {
    const target = `freeze window "${identifier}" in ${where(scope)}`;
    return { op: 'status', action: `${action} ${target}`, target, method, path, redact };
  };
  const code = (e: unknown): string => (e instanceof AppError ? String(e.details.harnessCode ?? '') : '');

  return {
    async get(identifier, scope) {
      const id = requireIdentifier('freeze identifier', identifier);
      const path = `${PATH}/${encodeURIComponent(id)}`;
      try {
        const json = await send(ctxFor('reading', id, scope, 'GET', path), {
          method: 'GET',
          url: apiUrl(cfg.baseUrl, path, query(scope)),
          headers: headers(),
        });
        const data = (json as { data?: Record<string, unknown> | null }).data;
        if (!data || typeof data !== 'object') return null;
        return {
          identifier: String(data['identifier'] ?? id),
          status: String(data['status'] ?? 'Disabled'),
          yaml: typeof data['yaml'] === 'string' ? data['yaml'] : '',
        };
      } catch (e) {
        if (e instanceof AppError && (e.code === 'HARNESS_NOT_FOUND' || NOT_FOUND_CODES.has(code(e))))
          return null;
        throw e;
      }
    },

    async create(yaml, scope) {
      const ctx = ctxFor('creating', identifierIn(yaml), scope, 'POST', PATH);
      try {
        await send(ctx, {
          method: 'POST',
          url: apiUrl(cfg.baseUrl, PATH, query(scope)),
          headers: headers('application/yaml'),
          body: yaml,
        });
        return 'created';
      } catch (e) {
        // A retried create whose first attempt got through, or a window from before a crash.
        if (DUPLICATE_CODES.has(code(e))) return 'exists';
        throw e;
      }
    },

    async update(identifier, yaml, scope) {
      const id = requireIdentifier('freeze identifier', identifier);
      const path = `${PATH}/${encodeURIComponent(id)}`;
      await send(ctxFor('updating', id, scope, 'PUT', path), {
        method: 'PUT',
        url: apiUrl(cfg.baseUrl, path, query(scope)),
        headers: headers('application/yaml'),
        body: yaml,
      });
    },

    async setStatus(identifier, status, scope) {
      const id = requireIdentifier('freeze identifier', identifier);
      const path = `${PATH}/updateFreezeStatus`;
      const ctx = ctxFor(status === 'Enabled' ? 'enabling' : 'disabling', id, scope, 'POST', path);
      const json = await send(ctx, {
        method: 'POST',
        url: apiUrl(cfg.baseUrl, path, query(scope, { status })),
        headers: headers('application/json'),
        body: JSON.stringify([id]),
      });
      // The toggle answers 200 with per-window results: a failed window is only visible here.
      const data = (json as { data?: { noOfFailed?: number; freezeErrorResponseDTOList?: unknown[] } }).data;
      if ((data?.noOfFailed ?? 0) > 0) {
        const first = data?.freezeErrorResponseDTOList?.[0] as { errorMessage?: string } | undefined;
        throw new AppError(
          'HARNESS_REQUEST_REJECTED',
          `Harness refused ${ctx.action}: ${redact(first?.errorMessage ?? 'no reason given')}`,
          { details: { harnessCode: 'FREEZE_STATUS_FAILED' } },
        );
      }
    },
  };
}

function identifierIn(yaml: string): string {
  return /^\s*identifier:\s*["']?([A-Za-z0-9_$]+)/m.exec(yaml)?.[1] ?? 'unknown';
}
