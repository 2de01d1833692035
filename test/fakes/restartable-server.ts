/**
 * The HTTP plumbing the loopback fakes share: a node:http server on 127.0.0.1 that buffers each
 * request body, can stop (dropping open connections and pending delayed answers) and listen again
 * on the same port — "the target is down, then back".
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RestartableServer {
  readonly port: number;
  /** Delayed answers register here so that stop() can cancel them. */
  readonly timers: Set<NodeJS.Timeout>;
  listen(): Promise<void>;
  stop(): Promise<void>;
}

export function restartableServer(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  initialPort = 0,
): RestartableServer {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let port = initialPort;
  return {
    get port() {
      return port;
    },
    timers,
    async listen() {
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
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const sock of sockets) sock.destroy();
      await closed;
    },
  };
}
