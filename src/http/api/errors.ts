/**
 * How the API answers when something is wrong: one shape for every error,
 * `{ error: "<what was wrong>", errors: [{ field, message }] }`, so a client (or an operator reading
 * Alertmanager's log) always finds the reason and what is allowed in the same place.
 */
import type { ServerResponse } from 'node:http';
import { isAppError, toAppError } from '../../errors.ts';

export interface ApiProblem {
  /** A body field (`severity`, `fields.region`), or `body` for the body as a whole. */
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: ApiProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: err.message, errors: err.errors }, err.headers);
}

/** Service errors become HTTP answers: invalid input → 400 with every problem, unknown ids → 404. */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (isAppError(e)) {
    if (e.code === 'INPUT_INVALID') {
      const problems = (e.details.problems as ApiProblem[] | undefined) ?? [];
      const errors = problems.length ? problems : [{ field: 'body', message: e.message }];
      const message = errors.length === 1 ? errors[0]!.message : `${errors.length} problems in the request`;
      return new HttpError(400, message, errors);
    }
    if (e.code === 'INCIDENT_NOT_FOUND' || e.code === 'RUN_NOT_FOUND') return new HttpError(404, e.message);
  }
  // Anything else is our fault; its text is logged by the caller, the client gets a generic line.
  return new HttpError(500, 'internal error; the bot logged the details', [], {});
}

/** For logs and warnings: the message of whatever was thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : toAppError(e).message;
}
