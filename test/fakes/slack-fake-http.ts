/**
 * How the Slack fake reads a Web API request the way Slack does: the token from
 * `Authorization: Bearer` (or a `token` form field), arguments from a form body (what
 * @slack/web-api sends: objects such as `blocks`/`view` JSON-encoded per field) or a JSON body
 * (token only in the header, as Slack requires), plus any query string.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Json } from './slack-fake-state.ts';

export interface ParsedApiRequest {
  args: Json;
  token: string | null;
  tokenVia: 'header' | 'body' | null;
  contentType: string;
  /** A Slack error code when the body itself is unusable. */
  error?: string;
}

/** Fields Slack takes as JSON text inside a form (and accepts either way in JSON bodies). */
const JSON_FIELDS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
};

function decodeJsonFields(args: Json): string | undefined {
  for (const [field, error] of Object.entries(JSON_FIELDS)) {
    const v = args[field];
    if (typeof v !== 'string') continue;
    try {
      args[field] = JSON.parse(v) as unknown;
    } catch {
      return error;
    }
  }
  return undefined;
}

function bearer(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  const m = auth === undefined ? null : /^Bearer\s+(\S+)$/i.exec(auth);
  return m?.[1] ?? null;
}

export function parseApiRequest(
  headers: IncomingHttpHeaders,
  raw: string,
  query: URLSearchParams,
): ParsedApiRequest {
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const args: Json = Object.fromEntries(query);
  const headerToken = bearer(headers);
  const done = (error?: string): ParsedApiRequest => {
    const bodyToken =
      contentType === 'application/json' ? null : typeof args.token === 'string' ? args.token : null;
    delete args.token;
    const token = headerToken ?? bodyToken;
    return {
      args,
      token,
      tokenVia: headerToken ? 'header' : bodyToken ? 'body' : null,
      contentType,
      ...(error ? { error } : {}),
    };
  };

  if (raw.length > 0) {
    if (contentType === 'application/x-www-form-urlencoded') {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    } else if (contentType === 'application/json') {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return done('invalid_json');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return done('json_not_object');
      Object.assign(args, body);
    } else {
      return done('invalid_post_type');
    }
  }
  return done(decodeJsonFields(args));
}
