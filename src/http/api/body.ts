/**
 * Reads a JSON request body: JSON content type only (415), at most `limit` bytes (413, checked
 * against Content-Length first and again while streaming, since chunked bodies have none), UTF-8,
 * and parseable (400 naming the parser's complaint).
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.ts';

export const BODY_LIMIT = 64 * 1024;
/** After a 413 the rest of the body is read and dropped so the client can read the answer; not forever. */
const DRAIN_LIMIT = 1024 * 1024;

/** `application/json`, `application/json; charset=utf-8`, and `application/<x>+json`. */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `the request body is larger than ${limit} bytes; allowed: up to ${limit} bytes`);
}

/** Reads and drops what is left of a body we refused, then gives up on clients that keep sending. */
function drain(req: IncomingMessage): void {
  let dropped = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}

export function readJsonBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<unknown> {
  if (!isJsonContentType(req.headers['content-type'])) {
    const got = req.headers['content-type'] ? `"${req.headers['content-type']}"` : 'none';
    drain(req);
    return Promise.reject(
      new HttpError(415, `Content-Type ${got} is not supported; allowed: application/json`),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    drain(req);
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      fn();
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish(() => reject(tooLarge(limit)));
        drain(req);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => finish(() => reject(e)));
    req.on('aborted', () =>
      finish(() =>
        reject(new HttpError(400, 'the client closed the connection before the body was complete')),
      ),
    );
    req.on('end', () =>
      finish(() => {
        try {
          resolve(parseJson(Buffer.concat(chunks)));
        } catch (e) {
          reject(e);
        }
      }),
    );
  });
}

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'the body is not valid UTF-8; allowed: a UTF-8 JSON object', [
      { field: 'body', message: 'the body is not valid UTF-8' },
    ]);
  }
  if (!text.trim()) {
    throw new HttpError(400, 'the body is empty; allowed: a JSON object', [
      { field: 'body', message: 'the body is empty; allowed: a JSON object' },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = `the body is not valid JSON: ${(e as Error).message}`;
    throw new HttpError(400, message, [{ field: 'body', message }]);
  }
}
