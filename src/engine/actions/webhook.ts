/**
 * `webhook`: POST/PUT/PATCH a JSON body built from templates to a URL (a status page, a chat-ops
 * endpoint…). Succeeds on 2xx. Every delivery carries `Idempotency-Key: <run>:<step>`, the same on
 * every retry and after a restart, and optionally `X-Runbook-Signature: sha256=<hex>`, an
 * HMAC-SHA256 of the exact body bytes with a secret from an env var, so the receiver can check it
 * came from us.
 *
 * idempotentStart: true — a restart mid-call sends again (at-least-once) with the same key; receivers
 * deduplicate on it. Marking it `unknown` instead would leave the status page never updated.
 */
import { createHmac } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { escapers } from '../../domain/templates.ts';
import type { WebhookWith } from '../../manifests/schema.ts';
import type { ActionDefinition, ActionPreview } from '../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  callTimeoutMs,
  envOf,
  followupTimeoutMs,
  idempotencyKey,
  missingCollector,
  render,
  requireEnv,
  specAs,
} from './followup-kit.ts';
import { ensureOk, send, type HttpTarget } from './http.ts';

export const SIGNATURE_PREFIX = 'sha256=';

/** The HMAC the receiver recomputes: hex HMAC-SHA256 of the raw body bytes. */
export function signBody(secret: string, body: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

interface BuiltWebhook {
  method: WebhookWith['method'];
  /** The rendered URL, or null when it comes from url_env. */
  url: string | null;
  headers: Record<string, string>;
  body: string;
  missing: string[];
}

// A URL template's values are one path segment or query value each: encode them.
const urlEscape = (s: string) => encodeURIComponent(s);
// A header value may not hold CR/LF (header injection); Node rejects them anyway.
const headerEscape = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** Pure: everything but the secrets (URL from env, secret headers, signature). */
export function buildWebhook(
  w: WebhookWith,
  scope: Record<string, unknown>,
  ids: { runId: string; stepId: string },
): BuiltWebhook {
  const m = missingCollector();
  const url = w.url === undefined ? null : m.add(render(w.url, scope, urlEscape)).text.trim();
  let body: string;
  if (typeof w.body === 'string') {
    body = m.add(render(w.body, scope, escapers.json)).text;
    try {
      JSON.parse(body);
    } catch (e) {
      throw new AppError(
        'ACTION_FAILED',
        `with.body is not valid JSON once rendered (${(e as Error).message}); write it as a YAML object instead, or fix the JSON`,
      );
    }
  } else {
    body = JSON.stringify(renderDeep(w.body, scope, m.add));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.headers)) headers[k] = m.add(render(v, scope, headerEscape)).text;
  const lower = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  if (!lower.has('content-type')) headers['Content-Type'] = 'application/json';
  if (!lower.has('user-agent')) headers['User-Agent'] = 'runbook-bot';
  headers['Idempotency-Key'] = idempotencyKey(ids);
  return { method: w.method, url, headers, body, missing: m.all };
}

/** Renders every text leaf of a YAML body; numbers, booleans and null stay as they are. */
function renderDeep(
  v: unknown,
  scope: Record<string, unknown>,
  add: (r: { text: string; missing: string[] }) => { text: string },
): unknown {
  if (typeof v === 'string') return add(render(v, scope)).text;
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, scope, add));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, scope, add)]));
  return v;
}

function checkUrl(url: string, from: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('ACTION_FAILED', `${from} is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AppError('ACTION_FAILED', `${from} must be an http(s) URL, not ${u.protocol}`);
  return u;
}

export const webhookAction: ActionDefinition = {
  uses: 'webhook',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'webhook');
    const env = envOf(ctx);
    const built = buildWebhook(w, ctx.scope, { runId: ctx.run.id, stepId: ctx.step.stepId });
    const secrets: string[] = [];
    let url: URL;
    let name: string;
    if (built.url === null) {
      const urlEnv = w.url_env ?? '';
      const v = requireEnv(env, [urlEnv], 'This webhook')(urlEnv);
      secrets.push(v);
      url = checkUrl(v, `${w.url_env}`);
      name = `webhook (${w.url_env})`;
    } else {
      url = checkUrl(built.url, `with.url "${built.url}"`);
      name = `webhook ${url.host}`;
    }
    const headers = { ...built.headers };
    const fromEnv = Object.entries(w.headers_from_env);
    if (fromEnv.length) {
      const value = requireEnv(
        env,
        fromEnv.map(([, e]) => e),
        `Header ${fromEnv.map(([h]) => h).join(', ')}`,
      );
      for (const [h, e] of fromEnv) {
        headers[h] = value(e);
        secrets.push(value(e));
      }
    }
    if (w.secret_env) {
      const secret = requireEnv(env, [w.secret_env], 'The webhook signature')(w.secret_env);
      secrets.push(secret);
      headers[w.signature_header] = signBody(secret, built.body);
    }
    const target: HttpTarget = { name, secrets };
    const call = {
      method: built.method,
      url: url.toString(),
      headers,
      body: built.body,
      timeoutMs: callTimeoutMs(ctx),
    };
    const answer = ensureOk(await send(ctx.deps.fetch ?? fetch, call, target), call, target, ctx.now);
    return {
      kind: 'done',
      status: 'succeeded',
      output: { status: answer.status, idempotency_key: built.headers['Idempotency-Key'] },
      events: [{ kind: 'followup.done', text: `${name}: delivered (${answer.status})` }],
    };
  },

  preview(spec, scope, ids): ActionPreview {
    const w = specAs({ spec }, 'webhook');
    const built = buildWebhook(w, scope, ids);
    const headers = { ...built.headers };
    for (const [h, e] of Object.entries(w.headers_from_env)) headers[h] = `[secret from $${e}]`;
    if (w.secret_env)
      headers[w.signature_header] = `${SIGNATURE_PREFIX}<HMAC-SHA256 of the body with $${w.secret_env}>`;
    return {
      request: `${built.method} ${built.url ?? `$${w.url_env}`}`,
      headers,
      body: JSON.stringify(JSON.parse(built.body), null, 2),
      missing: built.missing,
    };
  },
};
