import { AppError } from '../errors.ts';
import type { HarnessClientOptions } from './types.ts';
import { trimTrailingSlash } from './urls.ts';

/**
 * Checks client options and call arguments up front, so a bad config fails at start with the
 * variable's name instead of as a confusing HTTP error at 3 a.m.
 */

export interface ClientConfig {
  baseUrl: string;
  uiUrl: string;
  apiKey: string;
  accountId: string;
  timeoutMs: number;
  maxRetries: number;
}

function httpUrl(name: string, value: unknown): string {
  if (typeof value === 'string') {
    try {
      const u = new URL(value);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === '') {
        return trimTrailingSlash(value.trim());
      }
    } catch {
      // fall through to the error below
    }
  }
  throw new AppError(
    'CONFIG_INVALID',
    `${name} must be an http(s) URL without query or fragment, e.g. https://app.harness.io/gateway; got ${JSON.stringify(value)}.`,
  );
}

function nonEmpty(name: string, value: unknown, secret = false): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new AppError(
    'CONFIG_INVALID',
    `${name} must be a non-empty string${secret ? '' : `; got ${JSON.stringify(value)}`}.`,
  );
}

function intInRange(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new AppError(
    'CONFIG_INVALID',
    `${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`,
  );
}

export function validateClientOptions(opts: HarnessClientOptions): ClientConfig {
  return {
    baseUrl: httpUrl('HARNESS_BASE_URL', opts.baseUrl),
    uiUrl: httpUrl('HARNESS_UI_URL', opts.uiUrl),
    apiKey: nonEmpty('HARNESS_API_KEY', opts.apiKey, true),
    accountId: nonEmpty('HARNESS_ACCOUNT_ID', opts.accountId),
    timeoutMs: intInRange('Harness timeoutMs', opts.timeoutMs, 30_000, 1, 600_000),
    maxRetries: intInRange('Harness maxRetries', opts.maxRetries, 3, 0, 10),
  };
}

/** Org, project, pipeline and execution ids go into paths and queries: they must be real values. */
export function requireIdentifier(name: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new AppError(
    'INPUT_INVALID',
    `Harness ${name} must be a non-empty identifier; got ${JSON.stringify(value)}.`,
  );
}
