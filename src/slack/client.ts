/**
 * The Web API client. Rate-limited calls are rejected (not paused for minutes inside the client) so
 * that callers decide: the live-message publisher coalesces and waits `Retry-After`, listeners tell
 * the user. Other failures retry briefly, never for the client's default half hour.
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
