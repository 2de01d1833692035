/**
 * The Harness client's public contract. The engine and the `harness.pipeline` action depend on
 * these types only, so tests can stand in a fake `HarnessClient` without any HTTP.
 */

import type { RateLimiter } from './rate-limit.ts';

/** Where an execution is in its life, collapsed from Harness's ~30 statuses (see status.ts). */
export type HarnessPhase = 'queued' | 'running' | 'waiting_on_human' | 'paused' | 'terminal';

/** How a terminal execution ended. Only set when the phase is `terminal`. */
export type HarnessOutcome = 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | 'skipped';

export interface StageProgress {
  identifier: string;
  name: string;
  /** Raw Harness status, e.g. `Running`, `Failed`. */
  status: string;
  phase: HarnessPhase;
  outcome?: HarnessOutcome;
  startTs?: number;
  endTs?: number;
}

export interface ExecutionSummary {
  executionId: string;
  pipelineIdentifier: string;
  /** Raw display status as Harness sent it (kept even when we do not know it). */
  status: string;
  phase: HarnessPhase;
  /** Only when terminal. */
  outcome?: HarnessOutcome;
  runSequence?: number;
  startTs?: number;
  endTs?: number;
  failureMessage?: string;
  stages: { total: number; succeeded: number; failed: number; running: number; list: StageProgress[] };
  url: string;
}

export interface ExecuteRequest {
  org: string;
  project: string;
  pipeline: string;
  /** Runtime-input YAML; the empty string is allowed for pipelines without runtime inputs. */
  yaml: string;
  /** Harness `moduleType`, e.g. `cd`. */
  module?: string;
  /** Shown on the execution in Harness (`notesForPipelineExecution`). */
  notes?: string;
}

export interface ExecuteResult {
  executionId: string;
  /** Engine status from the execute response, e.g. `RUNNING` (UPPER_CASE engine enum). */
  status: string;
  url: string;
}

export interface ExecutionRef {
  org: string;
  project: string;
  executionId: string;
  /** Only a fallback for the execution link when Harness's answer lacks `pipelineIdentifier`. */
  pipeline?: string;
}

export interface RequestInfo {
  method: string;
  /** Path without the query string (the query can hold user notes). */
  path: string;
  /** HTTP status; absent when no response arrived (network error, timeout). */
  status?: number;
  ms: number;
}

export interface HarnessClientOptions {
  baseUrl: string;
  uiUrl: string;
  apiKey: string;
  accountId: string;
  /** Per HTTP attempt, headers and body included. Default 30000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRequest?: (info: RequestInfo) => void;
  /** Shared request budget (rate-limit.ts); every attempt waits for it, a 429 pauses it. */
  limiter?: RateLimiter;
}

export interface ListExecutionsRequest {
  org: string;
  project: string;
  /** Display statuses to keep (`status=` repeated); all when absent. */
  statuses?: string[];
  /**
   * Only these executions (the filter body's `planExecutionIds`, Harness CORE
   * PipelineExecutionFilterPropertiesDTO): the watcher asks for exactly the runs it watches.
   */
  executionIds?: string[];
  pipeline?: string;
  /** 0-based. */
  page?: number;
  /** Default 100. */
  size?: number;
}

export interface ExecutionPage {
  items: ExecutionSummary[];
  page: number;
  totalPages: number;
  last: boolean;
  /** Page size Harness applied (it may cap the one asked for). */
  size: number;
}

export interface HarnessClient {
  execute(req: ExecuteRequest): Promise<ExecuteResult>;
  getExecution(ref: ExecutionRef): Promise<ExecutionSummary>;
  /**
   * Aborts the whole execution (AbortAll). Resolves also when Harness says an abort is already
   * under way (ABORT_ALL_ALREADY[_NG]): the caller wanted it stopped, and it is stopping.
   */
  abort(ref: ExecutionRef): Promise<void>;
  /** One page of a project's executions, newest first (one request however many it holds). */
  listExecutions(req: ListExecutionsRequest): Promise<ExecutionPage>;
  executionUrl(ref: { org: string; project: string; pipeline: string; executionId: string }): string;
  /** The pipeline's executions list in the Harness UI (where to look after an ambiguous execute). */
  executionsListUrl(ref: { org: string; project: string; pipeline: string }): string;
}
