/**
 * Socket Mode for the Slack fake, as Slack documents it (api.slack.com/apis/connections/socket-implement)
 * and as @slack/socket-mode 3 reads it:
 * - `apps.connections.open` takes the app-level token (`xapp-…`) in `Authorization: Bearer` only
 *   and answers a single-use `ws://127.0.0.1:<port>/link/?ticket=…&app_id=…` on the fake's port.
 * - The WebSocket says `hello` first (the client counts as connected only then), carries envelopes
 *   `{envelope_id, type, payload, accepts_response_payload, retry_attempt?, retry_reason?}` that the
 *   test pushes, and records the client's acks `{envelope_id, payload?}`.
 * - `disconnect()` sends `{type:'disconnect', reason}`: the client must close and reconnect with a
 *   fresh URL. `drop()` cuts the link without a close frame, as a network failure would.
 * Envelopes go to the newest open connection (Slack picks one of an app's connections).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ParsedApiRequest } from './slack-fake-http.ts';
import type { Json } from './slack-fake-state.ts';

/** The app-level token the fake accepts unless told another (`connections:write`). */
export const APP_TOKEN = 'xapp-1-A111-111-fakeapptoken';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Json;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelope_id: string;
  /** What the app answered (Bolt sends `payload: {}` for a bare ack()). */
  payload?: Json;
  /** The connection (SocketConnection.id) the ack came on. */
  connection: number;
  /** Date.now() at arrival, and milliseconds since the envelope was sent. */
  at: number;
  afterMs: number;
}

export interface SocketConnection {
  id: number;
  ticket: string;
  openedAt: number;
  closedAt: number | null;
  closeCode: number | null;
  /** Every frame sent to the client (hello, envelopes, disconnect), in order. */
  sent: Json[];
}

export interface SendOptions {
  envelopeId?: string;
  /** Slack sets it for payloads whose ack may carry a response (commands, view submissions, options). */
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
}

export interface SocketModeFake {
  readonly appToken: string;
  /** Every WebSocket the client opened, oldest first. */
  readonly connections: readonly SocketConnection[];
  /** How many are open now. */
  readonly openCount: number;
  readonly envelopes: readonly SocketEnvelope[];
  readonly acks: readonly SocketAck[];
  /** Client frames that are not an ack of an envelope we sent (bad JSON, unknown envelope_id…). */
  readonly strays: readonly unknown[];
  /** Pushes an envelope to the newest open connection; throws when none is open. */
  send(type: EnvelopeType, payload: Json, opts?: SendOptions): SocketEnvelope;
  /** send() and wait for its ack (Slack gives apps 3 s). */
  deliver(type: EnvelopeType, payload: Json, opts?: SendOptions & { timeoutMs?: number }): Promise<SocketAck>;
  ackOf(envelopeId: string): SocketAck | undefined;
  /** Slack asks the client to reconnect (`refresh_requested`, `warning`, `link_disabled`…). */
  disconnect(reason?: string): void;
  /** Cuts every open connection without a close frame. */
  drop(): void;
  /** Resolves with the n-th connection (1-based) once it has been sent its hello. */
  waitForConnection(n: number, timeoutMs?: number): Promise<SocketConnection>;
}

/** What slack-fake.ts wires: the Web API method, the HTTP upgrade and shutdown. */
export interface SocketModeServer {
  fake: SocketModeFake;
  connectionsOpen(req: ParsedApiRequest): Json & { ok: boolean };
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

const HOST = 'applink-fake-1';

export function createSocketMode(opts: {
  appToken: string;
  appId: string;
  /** `ws://127.0.0.1:<port>` of the fake, known once it listens. */
  wsOrigin: () => string;
}): SocketModeServer {
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const connections: SocketConnection[] = [];
  const sockets = new Map<number, WebSocket>();
  const envelopes: SocketEnvelope[] = [];
  const sentAt = new Map<string, number>();
  const acks: SocketAck[] = [];
  const strays: unknown[] = [];

  const open = (): Array<[SocketConnection, WebSocket]> =>
    connections.flatMap((c) => {
      const ws = sockets.get(c.id);
      return ws && ws.readyState === ws.OPEN ? [[c, ws] as [SocketConnection, WebSocket]] : [];
    });

  const write = (conn: SocketConnection, ws: WebSocket, frame: Json): void => {
    conn.sent.push(frame);
    ws.send(JSON.stringify(frame));
  };

  const onMessage = (conn: SocketConnection, data: Buffer, isBinary: boolean): void => {
    const text = data.toString('utf8');
    let msg: unknown;
    try {
      msg = isBinary ? text : (JSON.parse(text) as unknown);
    } catch {
      msg = text;
    }
    const m = msg as { envelope_id?: unknown; payload?: unknown };
    const id = typeof m === 'object' && m !== null ? m.envelope_id : undefined;
    const sent = typeof id === 'string' ? sentAt.get(id) : undefined;
    if (typeof id !== 'string' || sent === undefined) return void strays.push(msg);
    const now = Date.now();
    acks.push({
      envelope_id: id,
      ...(m.payload !== undefined ? { payload: m.payload as Json } : {}),
      connection: conn.id,
      at: now,
      afterMs: now - sent,
    });
  };

  const fake: SocketModeFake = {
    appToken: opts.appToken,
    connections,
    get openCount() {
      return open().length;
    },
    envelopes,
    acks,
    strays,
    send(type, payload, o = {}) {
      const target = open().at(-1);
      if (!target) {
        throw new Error(
          `Socket Mode fake: no open connection to send a ${type} envelope on (${connections.length} opened so far)`,
        );
      }
      const envelope: SocketEnvelope = {
        envelope_id: o.envelopeId ?? randomUUID(),
        type,
        payload,
        accepts_response_payload: o.acceptsResponsePayload ?? type !== 'events_api',
        ...(o.retryAttempt !== undefined ? { retry_attempt: o.retryAttempt } : {}),
        ...(o.retryReason !== undefined ? { retry_reason: o.retryReason } : {}),
      };
      envelopes.push(envelope);
      sentAt.set(envelope.envelope_id, Date.now());
      write(target[0], target[1], envelope as unknown as Json);
      return envelope;
    },
    async deliver(type, payload, o = {}) {
      const envelope = fake.send(type, payload, o);
      const deadline = Date.now() + (o.timeoutMs ?? 3000);
      for (;;) {
        const ack = fake.ackOf(envelope.envelope_id);
        if (ack) return ack;
        if (Date.now() > deadline) {
          throw new Error(
            `Socket Mode fake: no ack for ${type} envelope ${envelope.envelope_id} within ${o.timeoutMs ?? 3000} ms; ` +
              `acks seen: ${acks.map((a) => a.envelope_id).join(', ') || 'none'}; strays: ${strays.length}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    ackOf: (id) => acks.find((a) => a.envelope_id === id),
    disconnect(reason = 'refresh_requested') {
      for (const [conn, ws] of open())
        write(conn, ws, { type: 'disconnect', reason, debug_info: { host: HOST } });
    },
    drop() {
      for (const [, ws] of open()) ws.terminate();
    },
    async waitForConnection(n, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const conn = connections[n - 1];
        if (conn && conn.sent.length > 0) return conn;
        if (Date.now() > deadline) {
          throw new Error(
            `Socket Mode fake: connection #${n} did not open within ${timeoutMs} ms (${connections.length} opened)`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };

  return {
    fake,
    connectionsOpen(req) {
      // Slack wants the app token in the header: "passing it as a POST parameter will result in an error".
      if (req.tokenVia !== 'header' || req.token === null) return { ok: false, error: 'not_authed' };
      if (!req.token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
      if (req.token !== opts.appToken) return { ok: false, error: 'invalid_auth' };
      const ticket = randomUUID();
      tickets.add(ticket);
      return { ok: true, url: `${opts.wsOrigin()}/link/?ticket=${ticket}&app_id=${opts.appId}` };
    },
    upgrade(req, socket, head) {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ticket = u.searchParams.get('ticket') ?? '';
      // A ticket opens one connection: a reconnect must call apps.connections.open again.
      if (u.pathname.replace(/\/$/, '') !== '/link' || !tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn: SocketConnection = {
          id: connections.length + 1,
          ticket,
          openedAt: Date.now(),
          closedAt: null,
          closeCode: null,
          sent: [],
        };
        connections.push(conn);
        sockets.set(conn.id, ws);
        ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(conn, data, isBinary));
        ws.on('close', (code: number) => {
          conn.closedAt = Date.now();
          conn.closeCode = code;
          sockets.delete(conn.id);
        });
        write(conn, ws, {
          type: 'hello',
          num_connections: open().length,
          debug_info: { host: HOST, build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: opts.appId },
        });
      });
    },
    async close() {
      for (const ws of sockets.values()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
