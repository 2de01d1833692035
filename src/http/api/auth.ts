/**
 * Bearer-token check for `/api/*`. Both sides are hashed before the constant-time compare so that
 * neither the content nor the length of API_TOKEN leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

const CHALLENGE = { 'www-authenticate': 'Bearer realm="runbook-bot"' };

/** Throws a 401 HttpError unless `header` is `Bearer <token>`. */
export function requireBearer(header: string | string[] | undefined, token: string): void {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !value.trim()) {
    throw new HttpError(
      401,
      'missing Authorization header; allowed: Authorization: Bearer <API_TOKEN>',
      [],
      CHALLENGE,
    );
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  if (!m) {
    throw new HttpError(
      401,
      'the Authorization header is not a bearer token; allowed: Authorization: Bearer <API_TOKEN>',
      [],
      CHALLENGE,
    );
  }
  if (!timingSafeEqual(digest(m[1]!), digest(token))) {
    throw new HttpError(401, 'the bearer token is not valid', [], {
      'www-authenticate': 'Bearer realm="runbook-bot", error="invalid_token"',
    });
  }
}
