/**
 * The incident API for tests, all real: a SQLite file, the incident service, an engine on the same
 * store (so runs exist to read back), the API handler behind createHttpServer on 127.0.0.1, and a
 * recording setupChannel hook. `call` speaks raw HTTP so tests control every header and byte.
 */
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createStore, type Store, type IncidentRecord } from '../../src/store/index.ts';
import { createIncidentService, type IncidentEvent } from '../../src/incidents/service.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createLogger } from '../../src/log.ts';
import { createHttpServer, listen } from '../../src/http/server.ts';
import { createApiHandler, type SetupChannel } from '../../src/http/api/handler.ts';
import type { Catalog } from '../../src/manifests/schema.ts';
import { ManualClock, runbookFromYaml } from './engine-setup.ts';
import { testCatalog } from './incident-setup.ts';
import { tempDir } from './tmp.ts';

export const API_TOKEN = 'rbk_api_3f9a1c77e0b24d5e';

/** A runbook the engine can finish without Harness: two timeline events. */
export const NOTE_RUNBOOK = runbookFromYaml(`
kind: Runbook
id: post-note
name: Post a note
steps:
  - id: first
    uses: timeline.event
    with: { text: "Looking at {{ incident.service }}" }
  - id: second
    uses: timeline.event
    with: { text: "Still looking", key: true }
`);

export interface ApiReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON (undefined when the body is not JSON); asserted field by field. */
  json: any;
}

export interface CallOptions {
  /** An object is sent as JSON; a string or Buffer as-is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The bearer token to send; null sends no Authorization header. Default: the right token. */
  token?: string | null;
  /** Send the body in chunks without Content-Length (chunked transfer encoding). */
  chunked?: boolean;
}

export interface ApiSetup {
  url: string;
  port: number;
  store: Store;
  clock: ManualClock;
  service: ReturnType<typeof createIncidentService>;
  engine: Engine;
  events: IncidentEvent[];
  setupCalls: IncidentRecord[];
  logLines: string[];
  call(method: string, path: string, opts?: CallOptions): Promise<ApiReply>;
  cleanup(): Promise<void>;
}

export async function setupApi(
  opts: { apiToken?: string | undefined; setupChannel?: SetupChannel | null; bodyLimit?: number } = {},
): Promise<ApiSetup> {
  const tmp = tempDir();
  const store = createStore(join(tmp.dir, 'bot.db'));
  const clock = new ManualClock();
  const logLines: string[] = [];
  const log = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const catalog = (): Catalog => {
    const c = testCatalog();
    c.runbooks.set(NOTE_RUNBOOK.id, NOTE_RUNBOOK);
    return c;
  };
  const service = createIncidentService({ store, catalog, clock, log });
  const events: IncidentEvent[] = [];
  service.on((ev) => void events.push(ev));
  const engine = createEngine({ store, catalog, clock, log });

  const setupCalls: IncidentRecord[] = [];
  const defaultHook: SetupChannel = async (incident) => {
    setupCalls.push(incident);
    return `C0${incident.id.replace('-', '')}`;
  };
  const hook = opts.setupChannel === null ? undefined : (opts.setupChannel ?? defaultHook);
  const api = createApiHandler({
    incidents: service,
    store,
    apiToken: 'apiToken' in opts ? opts.apiToken : API_TOKEN,
    setupChannel: hook,
    clock,
    log,
    bodyLimit: opts.bodyLimit,
  });
  const server: Server = createHttpServer({ health: { ready: () => ({ ok: true, checks: {} }) }, api });
  const port = await listen(server, 0, '127.0.0.1');

  function call(method: string, path: string, o: CallOptions = {}): Promise<ApiReply> {
    const token = o.token === undefined ? API_TOKEN : o.token;
    const payload =
      o.body === undefined
        ? undefined
        : typeof o.body === 'string' || Buffer.isBuffer(o.body)
          ? Buffer.from(o.body as string | Buffer)
          : Buffer.from(JSON.stringify(o.body));
    const headers: Record<string, string> = {
      ...(payload ? { 'content-type': 'application/json' } : {}),
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...(payload && !o.chunked ? { 'content-length': String(payload.length) } : {}),
      ...o.headers,
    };
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = JSON.parse(text);
          } catch {
            /* asserted by the test where it matters */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      if (payload && o.chunked) {
        for (let i = 0; i < payload.length; i += 8192) req.write(payload.subarray(i, i + 8192));
        req.end();
      } else {
        req.end(payload);
      }
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    clock,
    service,
    engine,
    events,
    setupCalls,
    logLines,
    call,
    async cleanup() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      store.close();
      tmp.cleanup();
    },
  };
}
