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
  // ---- follow-up actions; each defaults to the real thing when absent (see actions/index.ts) ----
  /** Where config (JIRA_BASE_URL…) and the secrets named in manifests are read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** HTTP for webhook, Teams, Jira and ServiceNow. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Opens an SMTP transport for SMTP_URL. Default: nodemailer. */
  smtp?: SmtpFactory;
  /** Slack Web API for slack.message (the app's WebClient). Absent: slack.message fails with a clear error. */
  slack?: SlackChatApi;
  /** The run's status message, so slack.message can answer in its thread (channel: thread). */
  slackThread?: (runId: string) => { channel: string; ts: string } | undefined;
}

/** The part of @slack/web-api's WebClient that slack.message uses. */
export interface SlackChatApi {
  chat: {
    postMessage(args: {
      channel: string;
      text: string;
      blocks?: unknown[];
      thread_ts?: string;
      unfurl_links?: boolean;
      unfurl_media?: boolean;
    }): Promise<{ ok?: boolean; ts?: string; channel?: string }>;
  };
}

export interface MailMessage {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers: Record<string, string>;
}
export interface MailResult {
  messageId?: string;
  accepted: string[];
  rejected: string[];
  response?: string;
}
export type SmtpFactory = (
  url: string,
  opts: { timeoutMs: number },
) => { sendMail(msg: MailMessage): Promise<MailResult>; close?(): void };

/** What dry-run shows for a step: the request it would make, with secrets shown as their env var names. */
export interface ActionPreview {
  /** e.g. "POST $JIRA_BASE_URL/rest/api/3/issue/OPS-1/comment" or "chat.postMessage". */
  request: string;
  headers?: Record<string, string>;
  body: string;
  /** Template references that have no value yet (earlier steps' results before the run). */
  missing: string[];
}

export interface ActionDefinition {
  uses: Step['uses'];
  /** true when start() can safely run again after a crash mid-call (local, deduplicated writes). */
  idempotentStart: boolean;
  /** Timeout of a waiting step, in ms, from its spec (undefined = none). */
  timeoutMs?(spec: Step): number | undefined;
  /** Retries of a temporary start failure when the step sets no `retries:` (default: START_RETRY). */
  defaultRetries?: number;
  /** The request start() would make, for dry-run. Pure: no I/O, no secrets read. */
  preview?(spec: Step, scope: Record<string, unknown>, ids: { runId: string; stepId: string }): ActionPreview;
  start(ctx: ActionContext): Promise<StepResult>;
  /** Called when a waiting step is due. */
  check?(ctx: ActionContext): Promise<StepResult>;
  /** Best effort stop of external work (abort the pipeline). */
  cancel?(ctx: ActionContext, reason: 'cancelled' | 'timed_out'): Promise<void>;
}
