/**
 * A loopback fake of the Harness pipeline API (execute, execution detail v2, AbortAll interrupt)
 * for tests: a real node:http server on 127.0.0.1 that checks requests the way Harness does and
 * can be told to misbehave (429, 500, HTML 502, hang, socket reset, slow answers).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  NGINX_502,
  checkRuntimeYaml,
  deriveStageStatus,
  errorEnvelope,
  executeResponse,
  executionDetailResponse,
  failureEnvelope,
  harnessId,
} from './harness-fake-bodies.ts';
import type { ExecutionFacts, StageView } from './harness-fake-bodies.ts';

export type FakeRoute = 'execute' | 'status' | 'abort';
/**
 * - `429`, `500`: JSON error envelope with that status, request not processed.
 * - `html502`: an nginx HTML 502 page, request not processed.
 * - `hang`: never answers (the client must time out).
 * - `reset`: destroys the socket without processing.
 * - `reset-after-processing`: processes (an execute starts a run), then destroys the socket.
 * - `invalid-json`: processes, then answers 200 with a truncated JSON body.
 */
export type FakeFailure = '429' | '500' | 'html502' | 'hang' | 'reset' | 'reset-after-processing' | 'invalid-json';

export interface FakeStage {
  identifier: string;
  name?: string;
  type?: string;
  /** Per status step, in lockstep with the pipeline's `statuses`; derived when absent. */
  statuses?: string[];
}

export interface FakeProgram {
  /** Pipeline display statuses, advanced per status poll (or by time). Default Running → Success. */
  statuses?: string[];
  /** Advance one status every N ms since the execute instead of per poll. */
  advanceEveryMs?: number;
  stages?: FakeStage[];
  /** The execute is processed at once but answered after this delay. */
  executeDelayMs?: number;
  statusDelayMs?: number;
  failureMessage?: string;
  /** false: execute answers 404 as for a pipeline that does not exist. */
  exists?: boolean;
}

export interface RecordedRequest {
  route: FakeRoute | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; the x-api-key value is replaced by `[redacted]`. */
  headers: Record<string, string>;
  apiKey: 'valid' | 'invalid' | 'missing';
  body: string;
}

export interface FakeExecution {
  id: string;
  pipeline: string;
  org: string;
  project: string;
  yaml: string;
  module?: string;
  notes?: string;
  status: string;
  polls: number;
  aborts: number;
}

export interface HarnessFake {
  url: string;
  port: number;
  apiKey: string;
  accountId: string;
  requests: RecordedRequest[];
  requestsTo(route: FakeRoute): RecordedRequest[];
  program(pipeline: string, program: FakeProgram): void;
  failNext(route: FakeRoute, n: number, kind: FakeFailure): void;
  /** Forces an execution's status from now on (overrides the sequence). */
  setStatus(executionId: string, status: string): void;
  executions(): FakeExecution[];
  /** Stops listening and drops connections, keeping all state (Harness is down). */
  stop(): Promise<void>;
  /** Listens again on the same port (Harness is back). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface ExecState extends ExecutionFacts {
  yaml: string;
  notes?: string;
  program: FakeProgram;
  stageUuids: string[];
  polls: number;
  aborts: number;
  forced?: string;
}

const DEFAULT_STATUSES = ['Running', 'Success'];
const DEFAULT_STAGES: FakeStage[] = [{ identifier: 'deploy', name: 'Deploy' }];
const DEFAULT_FAILURE = 'Shell Script execution failed. Please check execution logs.';
const ROUTES: { route: FakeRoute; method: string; re: RegExp }[] = [
  { route: 'abort', method: 'PUT', re: /^\/pipeline\/api\/pipeline\/execute\/interrupt\/([^/]+)$/ },
  { route: 'execute', method: 'POST', re: /^\/pipeline\/api\/pipeline\/execute\/([^/]+)$/ },
  { route: 'status', method: 'GET', re: /^\/pipeline\/api\/pipelines\/execution\/v2\/([^/]+)$/ },
];

export async function startHarnessFake(
  opts: { apiKey?: string; accountId?: string; port?: number } = {},
): Promise<HarnessFake> {
  const apiKey = opts.apiKey ?? 'pat.fake-account.fake-token.s3cr3t';
  const accountId = opts.accountId ?? 'fakeAccount_123';
  const requests: RecordedRequest[] = [];
  const programs = new Map<string, FakeProgram>();
  const failures = new Map<FakeRoute, FakeFailure[]>();
  const execs = new Map<string, ExecState>();
  const runSequences = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let port = opts.port ?? 0;

  const send = (res: ServerResponse, status: number, body: unknown, delayMs = 0): void => {
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

  const statusOf = (ex: ExecState): { status: string; step: number } => {
    const statuses = ex.program.statuses ?? DEFAULT_STATUSES;
    const step = ex.program.advanceEveryMs
      ? Math.floor((Date.now() - ex.createdAt) / ex.program.advanceEveryMs)
      : Math.max(0, ex.polls - 1);
    const i = Math.min(step, statuses.length - 1);
    return { status: ex.forced ?? statuses[i] ?? 'Running', step: i };
  };

  const stagesOf = (ex: ExecState, status: string, step: number): StageView[] => {
    const stages = ex.program.stages ?? DEFAULT_STAGES;
    return stages.map((s, i) => ({
      uuid: ex.stageUuids[i] ?? harnessId(),
      identifier: s.identifier,
      name: s.name ?? s.identifier,
      type: s.type ?? 'Deployment',
      status:
        (ex.forced === undefined ? s.statuses?.[Math.min(step, s.statuses.length - 1)] : undefined) ??
        deriveStageStatus(status, i, stages.length),
    }));
  };

  /** Query and scope checks shared by all routes; answers and returns false on a problem. */
  const checkScope = (rec: RecordedRequest, res: ServerResponse): boolean => {
    if (rec.apiKey !== 'valid') {
      send(res, 401, errorEnvelope('INVALID_TOKEN', 'Token is not valid.'));
      return false;
    }
    const missing = ['accountIdentifier', 'orgIdentifier', 'projectIdentifier'].filter((k) => !rec.query[k]);
    if (missing.length > 0) {
      const errors = missing.map((fieldId) => ({ fieldId, error: 'must not be null' }));
      send(res, 400, failureEnvelope('INVALID_REQUEST', 'Invalid request: missing query parameters', errors));
      return false;
    }
    if (rec.query.accountIdentifier !== accountId) {
      send(res, 403, errorEnvelope('NG_ACCESS_DENIED', `Not authorized to access account ${rec.query.accountIdentifier}`));
      return false;
    }
    return true;
  };

  const findExec = (id: string, rec: RecordedRequest, res: ServerResponse): ExecState | undefined => {
    const ex = execs.get(id);
    if (ex && ex.org === rec.query.orgIdentifier && ex.project === rec.query.projectIdentifier) return ex;
    send(res, 404, errorEnvelope('ENTITY_NOT_FOUND', `Plan Execution with id [${id}] is not present or deleted`));
    return undefined;
  };

  /** Runs the route; returns the answer to send (status, body, delay) or undefined if already sent. */
  const processRoute = (route: FakeRoute, id: string, rec: RecordedRequest, res: ServerResponse) => {
    if (!checkScope(rec, res)) return undefined;
    const org = rec.query.orgIdentifier ?? '';
    const project = rec.query.projectIdentifier ?? '';
    if (route === 'execute') {
      const program = programs.get(id) ?? {};
      if (program.exists === false) {
        const msg = `Pipeline [${id}] under Project[${project}], Organization [${org}] doesn't exist or has been deleted.`;
        send(res, 404, errorEnvelope('ENTITY_NOT_FOUND', msg));
        return undefined;
      }
      if (!/^application\/yaml\b/i.test(rec.headers['content-type'] ?? '')) {
        send(res, 415, errorEnvelope('INVALID_REQUEST', `Unsupported media type ${rec.headers['content-type'] ?? '(none)'}; use application/yaml`));
        return undefined;
      }
      const check = checkRuntimeYaml(rec.body, id);
      if (!check.ok) {
        send(res, 400, errorEnvelope(check.code, check.message));
        return undefined;
      }
      const runSequence = (runSequences.get(id) ?? 0) + 1;
      runSequences.set(id, runSequence);
      const ex: ExecState = {
        id: harnessId(), pipeline: id, org, project, runSequence, createdAt: Date.now(), yaml: rec.body, program,
        stageUuids: (program.stages ?? DEFAULT_STAGES).map(() => harnessId()), polls: 0, aborts: 0,
      };
      if (rec.query.moduleType) ex.module = rec.query.moduleType;
      if (rec.query.notesForPipelineExecution) ex.notes = rec.query.notesForPipelineExecution;
      execs.set(ex.id, ex);
      return { status: 200, body: executeResponse(accountId, ex), delayMs: program.executeDelayMs ?? 0 };
    }
    const ex = findExec(id, rec, res);
    if (!ex) return undefined;
    if (route === 'status') {
      ex.polls += 1;
      const { status, step } = statusOf(ex);
      const body = executionDetailResponse(ex, status, stagesOf(ex, status, step), Date.now(), ex.program.failureMessage ?? DEFAULT_FAILURE);
      return { status: 200, body, delayMs: ex.program.statusDelayMs ?? 0 };
    }
    if (rec.query.interruptType !== 'AbortAll') {
      send(res, 400, errorEnvelope('INVALID_REQUEST', `Invalid request: interruptType ${rec.query.interruptType ?? '(none)'} is not supported here`));
      return undefined;
    }
    ex.aborts += 1;
    if (ex.aborts > 1) {
      send(res, 400, errorEnvelope('ABORT_ALL_ALREADY_NG', 'Abort for this execution is already in progress or done.'));
      return undefined;
    }
    // Assumption: aborting a finished run is accepted and changes nothing (undocumented).
    if (!['Success', 'Failed', 'Errored', 'Expired', 'IgnoreFailed'].includes(statusOf(ex).status)) ex.forced = 'Aborted';
    const body = { status: 'SUCCESS', data: { id: harnessId(), planExecutionId: ex.id, type: 'AbortAll' }, metaData: null, correlationId: harnessId() };
    return { status: 200, body, delayMs: 0 };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname.replace(/^\/gateway(?=\/)/, '');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = k === 'x-api-key' ? '[redacted]' : Array.isArray(v) ? v.join(', ') : v;
    }
    const key = req.headers['x-api-key'];
    const match = ROUTES.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m !== null);
    const rec: RecordedRequest = {
      route: match?.r.route ?? 'unknown', method: req.method ?? '', path: u.pathname,
      query: Object.fromEntries(u.searchParams), headers,
      apiKey: key === undefined ? 'missing' : key === apiKey ? 'valid' : 'invalid', body,
    };
    requests.push(rec);
    if (!match || !match.m) return send(res, 404, errorEnvelope('RESOURCE_NOT_FOUND', `No API at ${u.pathname}`));
    if (req.method !== match.r.method) return send(res, 405, errorEnvelope('INVALID_REQUEST', `Method ${req.method} not allowed`));
    const route = match.r.route;
    const id = decodeURIComponent(match.m[1] ?? '');

    const failure = failures.get(route)?.shift();
    if (failure === 'hang') return;
    if (failure === 'reset') return void req.socket.destroy();
    if (failure === '429') return send(res, 429, errorEnvelope('TOO_MANY_REQUESTS', 'Too many requests, please retry later'));
    if (failure === '500') return send(res, 500, errorEnvelope('UNEXPECTED', 'Oops, something went wrong on our end. Please contact Harness Support.'));
    if (failure === 'html502') return void res.writeHead(502, { 'content-type': 'text/html' }).end(NGINX_502);

    const answer = processRoute(route, id, rec, res);
    if (!answer) return;
    if (failure === 'reset-after-processing') return void req.socket.destroy();
    if (failure === 'invalid-json') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body).slice(0, 25));
    }
    send(res, answer.status, answer.body, answer.delayMs);
  };

  const listen = async (): Promise<void> => {
    if (server) return;
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    s.on('connection', (sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = s.address();
    if (addr && typeof addr === 'object') port = addr.port;
    server = s;
  };

  const stop = async (): Promise<void> => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const sock of sockets) sock.destroy();
    await closed;
  };

  await listen();
  const fake: HarnessFake = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    apiKey,
    accountId,
    requests,
    requestsTo: (route) => requests.filter((r) => r.route === route),
    program: (pipeline, program) => void programs.set(pipeline, program),
    failNext: (route, n, kind) => {
      const queue = failures.get(route) ?? [];
      for (let i = 0; i < n; i++) queue.push(kind);
      failures.set(route, queue);
    },
    setStatus: (executionId, status) => {
      const ex = execs.get(executionId);
      if (!ex) throw new Error(`fake Harness: no execution ${executionId}`);
      ex.forced = status;
    },
    executions: () =>
      [...execs.values()].map((ex) => {
        const view: FakeExecution = {
          id: ex.id, pipeline: ex.pipeline, org: ex.org, project: ex.project, yaml: ex.yaml,
          status: statusOf(ex).status, polls: ex.polls, aborts: ex.aborts,
        };
        if (ex.module !== undefined) view.module = ex.module;
        if (ex.notes !== undefined) view.notes = ex.notes;
        return view;
      }),
    stop,
    restart: listen,
    close: stop,
  };
  return fake;
}
