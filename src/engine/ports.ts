/**
 * What the engine needs from the outside world, as interfaces: the clock, the notifier, the Harness
 * API and the actions. Tests and the app pass real or loopback implementations in.
 */
import type { Logger } from 'pino';
import type { RunRecord, StepRecord, IncidentRecord, Store } from '../store/index.ts';
import type { Step } from '../manifests/schema.ts';
import type { StepState } from '../domain/types.ts';
import type { HarnessClient } from '../harness/types.ts';

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Receives every run change after it is committed (Slack's live message implements this). */
export interface Notifier {
  runChanged(run: RunRecord, steps: StepRecord[]): void | Promise<void>;
}
export const nullNotifier: Notifier = { runChanged() {} };

/** The Harness client the engine uses (src/harness implements it; tests point it at a loopback fake). */
export type HarnessApi = Pick<
  HarnessClient,
  'execute' | 'getExecution' | 'abort' | 'executionUrl' | 'executionsListUrl'
>;

/** A timeline event an action wants written together with its result (same transaction). */
export interface ActionEvent {
  kind: string;
  text: string;
  key?: boolean;
  data?: Record<string, unknown>;
}

export type StepResult =
  | {
      kind: 'done';
      status: Exclude<StepState, 'pending' | 'running' | 'skipped'>;
      output?: Record<string, unknown>;
      externalId?: string;
      externalStatus?: string;
      url?: string;
      progress?: unknown;
      error?: string;
      errorCode?: string;
      events?: ActionEvent[];
    }
  | {
      kind: 'wait';
      nextCheckAt: number;
      externalId?: string;
      externalStatus?: string;
      url?: string;
      progress?: unknown;
      output?: Record<string, unknown>;
      events?: ActionEvent[];
    };

export interface ActionContext {
  run: RunRecord;
  step: StepRecord;
  spec: Step;
  incident: IncidentRecord | null;
  /** incident / inputs / steps / run — what templates and conditions see. */
  scope: Record<string, unknown>;
  now: number;
  deps: ActionDeps;
  log: Logger;
}

export interface ActionDeps {
  store: Store;
  harness?: HarnessApi;
  /** Poll cadence for waiting steps, in ms (backs off from min to max). */
  poll: { minMs: number; maxMs: number };
}

export interface ActionDefinition {
  uses: Step['uses'];
  /** true when start() can safely run again after a crash mid-call (local, deduplicated writes). */
  idempotentStart: boolean;
  /** Timeout of a waiting step, in ms, from its spec (undefined = none). */
  timeoutMs?(spec: Step): number | undefined;
  start(ctx: ActionContext): Promise<StepResult>;
  /** Called when a waiting step is due. */
  check?(ctx: ActionContext): Promise<StepResult>;
  /** Best effort stop of external work (abort the pipeline). */
  cancel?(ctx: ActionContext, reason: 'cancelled' | 'timed_out'): Promise<void>;
}
