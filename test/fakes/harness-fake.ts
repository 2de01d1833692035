/**
 * A loopback fake of the Harness pipeline API (execute, execution detail v2, execution list, AbortAll interrupt)
 * for tests: a real node:http server on 127.0.0.1 that checks requests the way Harness does
 * (harness-fake-state.ts) and can be told to misbehave: 429, 500, HTML 502, hang, socket reset,
 * slow answers. It can stop and listen again on the same port ("Harness down, then back").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { restartableServer } from './restartable-server.ts';
import { NGINX_502, errorEnvelope } from './harness-fake-bodies.ts';
import { createFakeState } from './harness-fake-state.ts';
import { createFreezeFake, type FreezeFake } from './harness-fake-freeze.ts';
import { createTemplateFake, TEMPLATE_PATH, type TemplateFake } from './harness-fake-template.ts';
import type { FakeExecution, FakeProgram, FakeRoute, RecordedRequest } from './harness-fake-state.ts';

export type {
  FakeExecution,
  FakeProgram,
  FakeRoute,
  FakeStage,
  RecordedRequest,
} from './harness-fake-state.ts';

/**
 * - `429`, `500`: JSON error envelope with that status, request not processed.
 * - `html502`: an nginx HTML 502 page, request not processed.
 * - `hang`: never answers (the client must time out).
 * - `reset`: destroys the socket without processing.
 * - `reset-after-processing`: processes (an execute starts a run), then destroys the socket.
 * - `invalid-json`: processes, then answers 200 with a truncated JSON body.
 */
export type FakeFailure =
  '429' | '500' | 'html502' | 'hang' | 'reset' | 'reset-after-processing' | 'invalid-json';

export interface HarnessFake {
  readonly url: string;
  readonly port: number;
  apiKey: string;
  accountId: string;
  /** Every request in arrival order, failed ones included. */
  requests: RecordedRequest[];
  requestsTo(route: FakeRoute): RecordedRequest[];
  program(pipeline: string, program: FakeProgram): void;
  /** The next `n` requests to `route` fail with `kind` (queued after any already queued). */
  failNext(route: FakeRoute, n: number, kind: FakeFailure): void;
  /** Forces an execution's status from now on (overrides the sequence). */
  setStatus(executionId: string, status: string): void;
  executions(): FakeExecution[];
  /** Deployment freeze windows (harness-fake-freeze.ts). */
  freeze: FreezeFake;
  /** Runtime-input templates (harness-fake-template.ts). */
  templates: TemplateFake;
  /** Stops listening and drops connections, keeping all state (Harness is down). */
  stop(): Promise<void>;
  /** Listens again on the same port (Harness is back). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const ROUTES: { route: FakeRoute; method: string; re: RegExp }[] = [
  { route: 'abort', method: 'PUT', re: /^\/pipeline\/api\/pipeline\/execute\/interrupt\/([^/]+)$/ },
  { route: 'execute', method: 'POST', re: /^\/pipeline\/api\/pipeline\/execute\/([^/]+)$/ },
  { route: 'status', method: 'GET', re: /^\/pipeline\/api\/pipelines\/execution\/v2\/([^/]+)$/ },
  { route: 'list', method: 'POST', re: /^\/pipeline\/api\/pipelines\/execution\/summary$/ },
];

export async function startHarnessFake(
  opts: {
    apiKey?: string;
    accountId?: string;
    port?: number;
    /** Harness's "now" for freeze windows (a window that is over cannot be enabled): a test's clock. */
    now?: () => number;
  } = {},
): Promise<HarnessFake> {
  const apiKey = opts.apiKey ?? 'pat.fake-account.fake-token.s3cr3t';
  const accountId = opts.accountId ?? 'fakeAccount_123';
  const state = createFakeState(accountId);
  const freeze = createFreezeFake(accountId, opts.now);
  const templates = createTemplateFake(accountId);
  const requests: RecordedRequest[] = [];
  const failures = new Map<FakeRoute, FakeFailure[]>();

  const sendJson = (res: ServerResponse, status: number, body: unknown, delayMs = 0): void => {
    const write = (): void => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (delayMs <= 0) return write();
    const t = setTimeout(() => {
      timers.delete(t);
      write();
    }, delayMs);
    timers.add(t);
  };

  const record = (
    req: IncomingMessage,
    body: string,
    u: URL,
    route: FakeRoute | 'unknown',
  ): RecordedRequest => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined)
        headers[k] = k === 'x-api-key' ? '[redacted]' : Array.isArray(v) ? v.join(', ') : v;
    }
    const key = req.headers['x-api-key'];
    const rec: RecordedRequest = {
      route,
      method: req.method ?? '',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers,
      apiKey: key === undefined ? 'missing' : key === apiKey ? 'valid' : 'invalid',
      body,
    };
    requests.push(rec);
    return rec;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Accept the `/gateway` prefix of HARNESS_BASE_URL=https://app.harness.io/gateway.
    const path = u.pathname.replace(/^\/gateway(?=\/)/, '');
    if (path.startsWith('/ng/api/freeze')) {
      const answer = freeze.handle(record(req, body, u, 'unknown'), path);
      return sendJson(res, answer.status, answer.body);
    }
    if (path === TEMPLATE_PATH) {
      const answer = templates.handle(record(req, body, u, 'unknown'));
      return sendJson(res, answer.status, answer.body);
    }
    const found = ROUTES.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m !== null);
    const rec = record(req, body, u, found?.r.route ?? 'unknown');
    if (!found?.m) return sendJson(res, 404, errorEnvelope('RESOURCE_NOT_FOUND', `No API at ${u.pathname}`));
    if (req.method !== found.r.method) {
      return sendJson(res, 405, errorEnvelope('INVALID_REQUEST', `Method ${req.method} not allowed`));
    }
    const route = found.r.route;

    // Edge failures happen before Harness looks at the request (auth included).
    const failure = failures.get(route)?.shift();
    if (failure === 'hang') return;
    if (failure === 'reset') return void req.socket.destroy();
    if (failure === '429') return sendJson(res, 429, errorEnvelope('TOO_MANY_REQUESTS', 'Too many requests'));
    if (failure === '500') {
      return sendJson(res, 500, errorEnvelope('UNEXPECTED', 'Oops, something went wrong on our end.'));
    }
    if (failure === 'html502') return void res.writeHead(502, { 'content-type': 'text/html' }).end(NGINX_502);

    const answer =
      route === 'list'
        ? state.list(rec, u.searchParams.getAll('status'))
        : state.handle(route, decodeURIComponent(found.m[1] ?? ''), rec);
    if (answer.processed && failure === 'reset-after-processing') return void req.socket.destroy();
    if (answer.processed && failure === 'invalid-json') {
      const cut = JSON.stringify(answer.body).slice(0, 25);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(cut);
    }
    sendJson(res, answer.status, answer.body, answer.delayMs);
  };

  const http = restartableServer((req, res, body) => handle(req, res, body), opts.port ?? 0);
  const { timers, listen, stop } = http;

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${http.port}`;
    },
    get port() {
      return http.port;
    },
    apiKey,
    accountId,
    requests,
    requestsTo: (route) => requests.filter((r) => r.route === route),
    program: state.program,
    failNext: (route, n, kind) => {
      const queue = failures.get(route) ?? [];
      for (let i = 0; i < n; i++) queue.push(kind);
      failures.set(route, queue);
    },
    setStatus: state.setStatus,
    executions: state.executions,
    freeze: freeze.fake,
    templates: templates.fake,
    stop,
    restart: listen,
    close: stop,
  };
}
