/**
 * The Web API client. Rate-limited calls are rejected (not paused for minutes inside the client) so
 * that callers decide: the live-message publisher pauses that method class for `Retry-After` and
 * sends the latest state afterwards, listeners tell the user. @slack/web-api's default would instead
 * pause its whole request queue and retry up to 10 times over ~30 minutes: a 429 on chat.update
 * would hold up views.open for a slash command whose trigger expires in 3 s, and the publisher's own
 * retry would come on top. The client still emits `rate_limited` for every 429, which the publisher
 * listens to, so 429s met by follow-ups on the same client pause live messages too. Other failures
 * (HTTP 5xx, network) retry twice within about a second.
 */
import {
  WebClient,
  WebAPIRateLimitedError,
  WebAPIPlatformError,
  type WebClientOptions,
} from '@slack/web-api';

export function webClientOptions(slackApiUrl: string): WebClientOptions {
  return {
    slackApiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 10_000,
  };
}

export function createWebClient(token: string, slackApiUrl: string): WebClient {
  return new WebClient(token, webClientOptions(slackApiUrl));
}

/** Seconds to wait when Slack said 429, else undefined. */
export function retryAfterSeconds(e: unknown): number | undefined {
  return e instanceof WebAPIRateLimitedError ? e.retryAfter : undefined;
}

/** The Slack error code (`channel_not_found`, `not_found`, …) of a platform error. */
export function slackErrorCode(e: unknown): string | undefined {
  if (e instanceof WebAPIPlatformError) return String(e.data.error);
  return undefined;
}
