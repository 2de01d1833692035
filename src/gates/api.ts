/**
 * `GET /api/gates/deploy?service=<s>&environment=<e>` for pipelines and CD tools: 200 {"open":true}
 * or 423 {"open":false,"reasons":[…]}. Its bearer token is API_TOKEN or the read-only GATE_TOKEN,
 * so a pipeline can ask without being able to open incidents. Off (falls through) when neither is set.
 * It needs nothing but SQLite: no Slack, no Harness, answered from the open incidents right now.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requireBearer } from '../http/api/auth.ts';
import { HttpError, sendError, sendJson } from '../http/api/errors.ts';
import type { DeployTarget } from './evaluate.ts';

export const GATE_PATH = '/api/gates/deploy';

export interface GateApiDeps {
  check(target: DeployTarget): { open: boolean };
  tokens: (string | undefined)[];
  log?: Logger;
}

const MAX_VALUE = 200;

export function createGateApiHandler(
  deps: GateApiDeps,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const tokens = deps.tokens.filter((t): t is string => typeof t === 'string' && t !== '');
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/+$/, '') !== GATE_PATH || tokens.length === 0) return false;
    try {
      authorize(req.headers.authorization, tokens);
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD')
        throw new HttpError(405, `${method} is not allowed on ${GATE_PATH}; allowed: GET`, [], {
          allow: 'GET',
        });
      const target = targetOf(url.searchParams);
      const answer = deps.check(target);
      sendJson(res, answer.open ? 200 : 423, answer);
    } catch (e) {
      if (e instanceof HttpError) sendError(res, e);
      else {
        deps.log?.error({ err: (e as Error).message }, 'gate check failed');
        sendError(res, new HttpError(500, `the gate check failed: ${(e as Error).message}`));
      }
    }
    return true;
  };
}

/** Either token will do; the last refusal (bad token) is the one reported. */
function authorize(header: string | string[] | undefined, tokens: string[]): void {
  let last: unknown;
  for (const t of tokens) {
    try {
      return requireBearer(header, t);
    } catch (e) {
      last = e;
    }
  }
  if (last instanceof HttpError)
    throw new HttpError(
      last.status,
      last.message.replace('<API_TOKEN>', '<API_TOKEN or GATE_TOKEN>'),
      [],
      last.headers,
    );
  throw last;
}

function targetOf(params: URLSearchParams): DeployTarget {
  const problems: { field: string; message: string }[] = [];
  const known = new Set(['service', 'environment']);
  for (const k of params.keys())
    if (!known.has(k))
      problems.push({ field: k, message: `unknown parameter "${k}"; allowed: service, environment` });
  const one = (name: string): string | undefined => {
    const all = params.getAll(name);
    if (all.length > 1)
      problems.push({ field: name, message: `give ${name} once, got ${all.length} values` });
    const v = all[0]?.trim();
    if (v !== undefined && v.length > MAX_VALUE)
      problems.push({ field: name, message: `${name} is at most ${MAX_VALUE} characters` });
    return v === '' ? undefined : v;
  };
  const service = one('service');
  const environment = one('environment');
  if (service === undefined && environment === undefined)
    problems.push({
      field: 'query',
      message: 'give service and environment, e.g. ?service=checkout&environment=prod',
    });
  if (problems.length)
    throw new HttpError(
      400,
      problems.length === 1 ? problems[0]!.message : `${problems.length} problems in the query`,
      problems,
    );
  return { service, environment };
}
