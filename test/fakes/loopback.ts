/**
 * The common part of the follow-up fakes (Jira, ServiceNow, Teams, webhook receiver): a real
 * node:http server on 127.0.0.1 that records every request and can be told to misbehave before the
 * vendor logic sees a request (an error status with Retry-After, a hang, a socket reset, being down)
 * or after it (processed, then answered late — what a crash between "sent" and "heard back" needs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { restartableServer } from './restartable-server.ts';

export interface Recorded {
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface Answer {
  status: number;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Before processing: `{status}` answers that (with headers/body); hang never answers; reset drops. */
export type Injected =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang'
  | 'reset'
  /** Processes the request, then answers after this many ms (or never, if the test ends first). */
  | { lateMs: number }
  /** Processes the request, then answers this instead (a gateway error after the work was done). */
  | { afterProcessing: Answer };

export interface LoopbackServer {
  readonly url: string;
  requests: Recorded[];
  requestsTo(route: string): Recorded[];
  /** The next `n` requests to `route` get `what` (queued after any already queued). */
  inject(route: string, n: number, what: Injected): void;
  /** Stops listening and drops connections, keeping all state (the target is down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `route` names the request (null: no such API → 404 from `notFound`); `handle` is the vendor logic. */
export interface Vendor {
  route(method: string, path: string): string | null;
  handle(req: Recorded): Answer;
  notFound(req: Recorded): Answer;
}

export async function startLoopback(vendor: Vendor): Promise<LoopbackServer> {
  const requests: Recorded[] = [];
  const queued = new Map<string, Injected[]>();

  const write = (res: ServerResponse, a: Answer): void => {
    if (res.destroyed || res.writableEnded) return;
    const text = typeof a.body === 'string' ? a.body : a.body === undefined ? '' : JSON.stringify(a.body);
    const type = typeof a.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    res.writeHead(a.status, { ...(a.body !== undefined ? { 'content-type': type } : {}), ...a.headers });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
    const method = req.method ?? '';
    const route = vendor.route(method, u.pathname);
    const rec: Recorded = {
      route: route ?? 'unknown',
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers,
      body,
    };
    requests.push(rec);
    if (route === null) return write(res, vendor.notFound(rec));
    const what = queued.get(route)?.shift();
    if (what === 'hang') return;
    if (what === 'reset') return void req.socket.destroy();
    if (what && 'status' in what) return write(res, what);
    const answer = vendor.handle(rec);
    if (what && 'afterProcessing' in what) return write(res, what.afterProcessing);
    if (what && 'lateMs' in what) {
      const t = setTimeout(() => {
        timers.delete(t);
        write(res, answer);
      }, what.lateMs);
      timers.add(t);
      return;
    }
    write(res, answer);
  };

  const http = restartableServer((req, res, body) => handle(req, res, body), 0);
  const { timers, listen, stop } = http;

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${http.port}`;
    },
    requests,
    requestsTo: (route) => requests.filter((r) => r.route === route),
    inject(route, n, what) {
      const q = queued.get(route) ?? [];
      for (let i = 0; i < n; i++) q.push(what);
      queued.set(route, q);
    },
    stop,
    restart: listen,
    close: stop,
  };
}

/** `Basic base64(user:secret)` → [user, secret], or null. */
export function basicCredentials(header: string | undefined): [string, string] | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : [text.slice(0, i), text.slice(i + 1)];
}
