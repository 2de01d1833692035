/**
 * Counts Slack Web API calls by method and outcome. Every WebClient method (chat.update,
 * views.open…) goes through `apiCall`, so wrapping that one function on the instance sees them all
 * without touching the callers.
 */
import type { WebClient } from '@slack/web-api';
import type { Metrics } from './metrics.ts';

/** ok, ratelimited, the Slack error code (channel_not_found…), or the client's error code. */
export function slackOutcome(e: unknown): string {
  const err = e as { code?: string; data?: { error?: string } };
  if (err?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  if (err?.data?.error) return String(err.data.error);
  return err?.code ?? 'error';
}

export function instrumentWebClient(client: WebClient, metrics: Metrics): WebClient {
  const original = client.apiCall.bind(client);
  client.apiCall = async (method: string, options?: Record<string, unknown>) => {
    try {
      const r = await original(method, options);
      metrics.slackRequests.inc({ method, status: 'ok' });
      return r;
    } catch (e) {
      metrics.slackRequests.inc({ method, status: slackOutcome(e) });
      throw e;
    }
  };
  return client;
}
