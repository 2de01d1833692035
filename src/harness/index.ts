/** Public surface of the Harness client; import from here rather than from the parts. */
export { createHarnessClient } from './client.ts';
export { mapHarnessStatus, isTerminalStatus } from './status.ts';
export type { MappedStatus } from './status.ts';
export { createRateLimiter } from './rate-limit.ts';
export type { RateLimiter, RateLimiterOptions } from './rate-limit.ts';
export { executionUrl, executionsListUrl } from './urls.ts';
export type {
  ExecuteRequest,
  ExecuteResult,
  ExecutionRef,
  ExecutionPage,
  ExecutionSummary,
  HarnessClient,
  ListExecutionsRequest,
  HarnessClientOptions,
  HarnessOutcome,
  HarnessPhase,
  RequestInfo,
  StageProgress,
} from './types.ts';
