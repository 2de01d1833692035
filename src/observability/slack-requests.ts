/**
 * Counts Slack Web API calls by method and outcome. Every WebClient method (chat.update,
 * views.open…) is bound to `apiCall` when the client is constructed, so a subclass that overrides
 * `apiCall` sees them all without touching the callers (patching the instance afterwards would not).
 */
import { WebClient, type WebAPICallResult } from '@slack/web-api';
import { webClientOptions } from '../slack/client.ts';
import type { Metrics } from './metrics.ts';

/** ok, ratelimited, the Slack error code (channel_not_found…), or the client's error code. */
export function slackOutcome(e: unknown): string {
  const err = e as { code?: string; data?: { error?: string } } | undefined;
  if (err?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  if (err?.data?.error) return String(err.data.error);
  return err?.code ?? 'error';
}

/** The app's WebClient (same options as slack/client.ts createWebClient), counted. */
export function createCountedWebClient(token: string, slackApiUrl: string, metrics: Metrics): WebClient {
  class CountedWebClient extends WebClient {
    override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
      try {
        const r = await super.apiCall(method, options);
        metrics.slackRequests.inc({ method, status: 'ok' });
        return r;
      } catch (e) {
        metrics.slackRequests.inc({ method, status: slackOutcome(e) });
        throw e;
      }
    }
  }
  return new CountedWebClient(token, webClientOptions(slackApiUrl));
}
