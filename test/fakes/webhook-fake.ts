/**
 * A webhook receiver like a status page's: accepts JSON on POST/PUT/PATCH at any path, checks the
 * `X-Runbook-Signature: sha256=<hex>` HMAC of the raw body when it has a secret (401 otherwise),
 * refuses a body that is not JSON (400), and applies each `Idempotency-Key` once: a redelivery is
 * answered 200 with the first result and counted in `duplicates`, the way Stripe-style receivers do.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startLoopback, type LoopbackServer, type Recorded } from './loopback.ts';

export interface WebhookDelivery {
  key: string | undefined;
  path: string;
  method: string;
  headers: Record<string, string>;
  json: unknown;
}

export interface WebhookFake extends LoopbackServer {
  /** Deliveries that were applied (first per Idempotency-Key). */
  applied: WebhookDelivery[];
  /** Redeliveries of an already applied key. */
  duplicates: WebhookDelivery[];
  secret: string | undefined;
}

export async function startWebhookFake(opts: { secret?: string; signatureHeader?: string } = {}) {
  const applied: WebhookDelivery[] = [];
  const duplicates: WebhookDelivery[] = [];
  const sigHeader = (opts.signatureHeader ?? 'X-Runbook-Signature').toLowerCase();

  const verify = (req: Recorded): boolean => {
    if (!opts.secret) return true;
    const got = req.headers[sigHeader] ?? '';
    const want = 'sha256=' + createHmac('sha256', opts.secret).update(req.body, 'utf8').digest('hex');
    return got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
  };

  const server = await startLoopback({
    route: (method) => (['POST', 'PUT', 'PATCH'].includes(method) ? 'deliver' : null),
    notFound: () => ({ status: 405, body: { error: 'method not allowed' } }),
    handle(req) {
      if (!verify(req)) return { status: 401, body: { error: 'invalid signature' } };
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return { status: 415, body: { error: 'expected application/json' } };
      let json: unknown;
      try {
        json = JSON.parse(req.body);
      } catch {
        return { status: 400, body: { error: 'body is not JSON' } };
      }
      const key = req.headers['idempotency-key'];
      const delivery = { key, path: req.path, method: req.method, headers: req.headers, json };
      if (key !== undefined && applied.some((d) => d.key === key)) {
        duplicates.push(delivery);
        return { status: 200, body: { ok: true, duplicate: true } };
      }
      applied.push(delivery);
      return { status: 202, body: { ok: true } };
    },
  });
  return Object.assign(server, { applied, duplicates, secret: opts.secret }) as WebhookFake;
}
