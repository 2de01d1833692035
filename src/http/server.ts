/**
 * The one HTTP listener: Slack (`/slack/events`, handed to Bolt's receiver), health and readiness,
 * and — as they arrive — the JSON API and metrics. `/healthz`: the process is up. `/readyz`: the
 * database answers and the manifests loaded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface HealthChecks {
  ready(): { ok: boolean; checks: Record<string, string> };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Answers a request when it is its own (`/api/*`), returning true; false lets the server go on. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createHttpServer(opts: {
  health: HealthChecks;
  slack?: Handler | undefined;
  api?: ApiHandler | undefined;
  /** POST /api/harness/events (harness-events.ts); asked before the bearer-token API. */
  harnessEvents?: ApiHandler | undefined;
  /** GET /api/gates/deploy (src/gates/api.ts): its own tokens, so it comes before `api`. */
  gates?: ApiHandler | undefined;
  /** Prometheus exposition for `GET /metrics` (src/observability/metrics.ts). */
  metrics?: (() => Promise<{ contentType: string; body: string }>) | undefined;
}): Server {
  return createServer((req, res) => {
    // Slack's requests first, before anything is built for the other routes: every ack waits on this.
    if (opts.slack && (req.url === '/slack/events' || req.url?.startsWith('/slack/events?')))
      return opts.slack(req, res);
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (opts.harnessEvents?.(req, res)) return;
    if (opts.gates?.(req, res)) return;
    if (opts.api?.(req, res)) return;
    if (req.method === 'GET' && path === '/healthz') return send(200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') {
      const r = opts.health.ready();
      return send(r.ok ? 200 : 503, r);
    }
    if (req.method === 'GET' && path === '/metrics' && opts.metrics) {
      opts.metrics().then(
        (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
        (e: unknown) => send(500, { error: `metrics failed: ${(e as Error).message}` }),
      );
      return;
    }
    send(404, { error: `no route ${req.method} ${path}` });
  });
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
