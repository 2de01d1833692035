/** What Slack listeners get: the engine and services; listeners themselves stay thin. */
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';
import type { Engine } from '../engine/engine.ts';
import type { Catalog } from '../manifests/schema.ts';
import type { Clock } from '../engine/ports.ts';
import type { createIncidentService } from '../incidents/service.ts';
import type { createAccess } from '../access/access.ts';
import type { RunMessagePublisher } from './notifier.ts';
import type { GateService } from '../gates/service.ts';
import type { ReadInputTemplate } from './listeners/runbook-validate.ts';
import type { AfterAckQueue } from './after-ack.ts';
import type { LeanSlackApi } from './lean-api.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface SlackDeps {
  store: Store;
  engine: Engine;
  incidents: ReturnType<typeof createIncidentService>;
  access: ReturnType<typeof createAccess>;
  catalog: () => Catalog;
  clock: Clock;
  log: Logger;
  publisher: RunMessagePublisher;
  /** Runs the engine right away instead of at the next scheduler second. */
  kick: () => void;
  /** Deployment gates: /incident freeze|unfreeze and gate state in the summary. */
  gates?: GateService;
  /** Errors of the last refused manifest reload (shown on App Home). */
  manifestErrors?: () => string[];
  /** Harness runtime-input templates, for `/runbook validate` (absent when Harness is not configured). */
  readInputTemplate?: ReadInputTemplate;
  /** Counts lean Web API calls and the after-ack queue (absent in tests that do not care). */
  metrics?: Metrics;
  /** Work after an ack (modals, engine calls, replies): runs once waiting requests are acked. */
  afterAck: AfterAckQueue;
  /** views.open / views.update without WebClient's per-call overhead (lean-api.ts). */
  slackApi: LeanSlackApi;
}

/** What the wiring provides; createSlackApp adds the after-ack queue and the lean Slack caller. */
export type SlackDepsInput = Omit<SlackDeps, 'afterAck' | 'slackApi'>;
