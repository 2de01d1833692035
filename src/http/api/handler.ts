/**
 * The `/api/*` entry point: turns the API off when API_TOKEN is unset, checks the bearer token,
 * routes, reads JSON bodies, and answers every failure as JSON. Returns whether the request was
 * ours, so the HTTP server can fall through to its other routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiDeps } from './deps.ts';
import { requireBearer } from './auth.ts';
import { BODY_LIMIT, readJsonBody } from './body.ts';
import { errorText, HttpError, sendError, sendJson, toHttpError } from './errors.ts';
import { createIncident, getIncident, getRun, patchIncident, type ApiReply } from './incidents.ts';
import { receiveAlertmanager } from './alertmanager.ts';

export type { ApiDeps, SetupChannel } from './deps.ts';

type Body = () => Promise<unknown>;
type Action = (id: string | undefined, body: Body) => ApiReply | Promise<ApiReply>;

interface Route {
  pattern: RegExp;
  methods: Record<string, Action>;
}

export const ROUTES_TEXT =
  'POST /api/incidents, GET|PATCH /api/incidents/{id}, GET /api/runs/{id}, POST /api/alertmanager';

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = deps.bodyLimit ?? BODY_LIMIT;
  const routes: Route[] = [
    {
      pattern: /^\/api\/incidents\/?$/,
      methods: { POST: async (_id, body) => createIncident(deps, await body()) },
    },
    {
      pattern: /^\/api\/incidents\/([^/]+)\/?$/,
      methods: {
        GET: (id) => getIncident(deps, id!),
        PATCH: async (id, body) => patchIncident(deps, id!, await body()),
      },
    },
    { pattern: /^\/api\/runs\/([^/]+)\/?$/, methods: { GET: (id) => getRun(deps, id!) } },
    {
      pattern: /^\/api\/alertmanager\/?$/,
      methods: { POST: async (_id, body) => receiveAlertmanager(deps, await body()) },
    },
  ];

  function route(method: string, path: string): { action: Action; id: string | undefined } {
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      const action = r.methods[method];
      const allowed = Object.keys(r.methods).join(', ');
      if (!action) {
        throw new HttpError(405, `${method} is not allowed on ${path}; allowed: ${allowed}`, [], {
          allow: allowed,
        });
      }
      let id: string | undefined;
      try {
        id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      } catch {
        throw new HttpError(404, `the id in ${path} is not valid URL encoding`);
      }
      return { action, id };
    }
    throw new HttpError(404, `no API route ${method} ${path}; routes: ${ROUTES_TEXT}`);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const started = deps.clock.now();
    const method = (req.method ?? 'GET').toUpperCase();
    let status = 500;
    try {
      requireBearer(req.headers.authorization, deps.apiToken!);
      const { action, id } = route(method, path);
      const reply = await action(id, () => readJsonBody(req, limit));
      status = reply.status;
      sendJson(res, reply.status, reply.body, reply.headers);
    } catch (e) {
      const err = toHttpError(e);
      status = err.status;
      if (err.status >= 500) deps.log.error({ err: errorText(e), method, path }, 'API request failed');
      // A body we did not read (refused before reading) is drained by Node after the answer.
      sendError(res, err);
    } finally {
      deps.log.info({ method, path, status, ms: deps.clock.now() - started }, 'API request');
    }
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/api' && !path.startsWith('/api/')) return false;
    if (!deps.apiToken) {
      sendError(res, new HttpError(404, 'the incident API is off; set API_TOKEN to turn it on'));
      return true;
    }
    serve(req, res, path).catch((e) => {
      // Only a failure while answering gets here; the socket may be gone already.
      deps.log.error({ err: errorText(e), path }, 'API response failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
    return true;
  };
}
