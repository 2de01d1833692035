/**
 * Prometheus metrics (prom-client). One registry per app — tests start several apps in one process,
 * and the default global registry would reject the second set of names. Counts that live in SQLite
 * (runs by state, pending approvals, poll lag) are read at scrape time, so they are right after a
 * restart and cost nothing between scrapes; event counts (requests, step durations, failures) are
 * counted as they happen in this process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DB } from '../store/db.ts';

export interface Metrics {
  registry: Registry;
  harnessRequests: Counter<'method' | 'operation' | 'status'>;
  slackRequests: Counter<'method' | 'status'>;
  stepDuration: Histogram<'uses' | 'status'>;
  actionFailures: Counter<'uses' | 'status'>;
  /** 1 for the gate's current state, 0 for the others; filled by the gates (issue 8). */
  gateState: Gauge<'gate' | 'state'>;
  manifestReloads: Counter<'result'>;
  /** Where the Slack live-message publisher's queue depth and oldest pending age are read at scrape time. */
  observeSlackPublisher(stats: () => SlackPublisherStats[]): void;
  /** Slack follow-up work queued behind acks (src/slack/after-ack.ts): jobs waiting to start. */
  slackAfterAckQueueDepth: Gauge;
  /** Where that gauge reads the queue's depth at scrape time (nothing is set per request). */
  observeAfterAckQueue(depth: () => number): void;
  /** How long a follow-up job (views.open, an engine call…) waited after the ack, by priority. */
  slackAfterAckWait: Histogram<'priority'>;
  /** Prometheus text exposition of everything. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Pending live-message work of one Slack method class (src/slack/notifier.ts stats()). */
export interface SlackPublisherStats {
  method: string;
  depth: number;
  oldestAgeMs: number;
}

export function createMetrics(
  opts: { db?: () => DB | undefined; now?: () => number; defaults?: boolean } = {},
): Metrics {
  const registry = new Registry();
  const now = opts.now ?? Date.now;
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'runbook_bot_' });
  const liveDb = () => {
    const db = opts.db?.();
    return db?.open ? db : undefined;
  };

  new Gauge({
    name: 'runbook_bot_runs',
    help: 'Runs in the database by runbook and state.',
    labelNames: ['runbook', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const db = liveDb();
      if (!db) return;
      const rows = db
        .prepare('SELECT runbook_id AS runbook, state, COUNT(*) AS n FROM runs GROUP BY runbook_id, state')
        .all() as { runbook: string; state: string; n: number }[];
      for (const r of rows) this.set({ runbook: r.runbook, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'runbook_bot_pending_approvals',
    help: "Runs awaiting a commander's approval.",
    registers: [registry],
    collect() {
      const db = liveDb();
      if (!db) return;
      const r = db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'awaiting_approval'").get() as {
        n: number;
      };
      this.set(r.n);
    },
  });
  new Gauge({
    name: 'runbook_bot_poll_lag_seconds',
    help: 'How late the most overdue step is (now minus its due time); 0 when nothing is overdue.',
    registers: [registry],
    collect() {
      const db = liveDb();
      if (!db) return;
      const r = db
        .prepare(
          "SELECT MIN(next_attempt_at) AS at FROM run_steps WHERE status IN ('pending','running') AND next_attempt_at IS NOT NULL",
        )
        .get() as { at: number | null };
      this.set(r.at === null ? 0 : Math.max(0, now() - r.at) / 1000);
    },
  });

  // The publisher is created after the metrics; it registers itself with observeSlackPublisher.
  let publisherStats: (() => SlackPublisherStats[]) | undefined;
  new Gauge({
    name: 'runbook_bot_slack_publisher_queue_depth',
    help: 'Live-message updates waiting for Slack (one per run message), by method class (chat.update, chat.postMessage).',
    labelNames: ['method'] as const,
    registers: [registry],
    collect() {
      for (const s of publisherStats?.() ?? []) this.set({ method: s.method }, s.depth);
    },
  });
  new Gauge({
    name: 'runbook_bot_slack_publisher_oldest_pending_seconds',
    help: 'Age of the oldest live-message update waiting for Slack, by method class; 0 when none waits.',
    labelNames: ['method'] as const,
    registers: [registry],
    collect() {
      for (const s of publisherStats?.() ?? []) this.set({ method: s.method }, s.oldestAgeMs / 1000);
    },
  });

  let afterAckDepth: (() => number) | undefined;
  const m: Metrics = {
    registry,
    harnessRequests: new Counter({
      name: 'runbook_bot_harness_requests_total',
      help: 'Harness API requests by HTTP method, operation (execute, status, abort, list) and status (transport_error when no answer came).',
      labelNames: ['method', 'operation', 'status'] as const,
      registers: [registry],
    }),
    slackRequests: new Counter({
      name: 'runbook_bot_slack_requests_total',
      help: 'Slack Web API calls by method (chat.update…) and outcome (ok, or the Slack error code).',
      labelNames: ['method', 'status'] as const,
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'runbook_bot_step_duration_seconds',
      help: "Time from a step's start to its end, by action and final status.",
      labelNames: ['uses', 'status'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    }),
    actionFailures: new Counter({
      name: 'runbook_bot_action_failures_total',
      help: 'Steps that ended failed, timed out or unknown, by action (delivery failures of follow-ups included).',
      labelNames: ['uses', 'status'] as const,
      registers: [registry],
    }),
    gateState: new Gauge({
      name: 'runbook_bot_gate_state',
      help: 'Gate state: 1 for the current state of each gate, 0 otherwise.',
      labelNames: ['gate', 'state'] as const,
      registers: [registry],
    }),
    manifestReloads: new Counter({
      name: 'runbook_bot_manifest_reloads_total',
      help: 'Manifest reloads by result (ok, invalid).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    observeSlackPublisher(stats) {
      publisherStats = stats;
    },
    slackAfterAckQueueDepth: new Gauge({
      name: 'runbook_bot_slack_after_ack_queue_depth',
      help: 'Slack follow-up jobs (modals to open, engine calls, replies) queued after their ack and not started yet.',
      registers: [registry],
      collect() {
        if (afterAckDepth) this.set(afterAckDepth());
      },
    }),
    observeAfterAckQueue(depth) {
      afterAckDepth = depth;
    },
    slackAfterAckWait: new Histogram({
      name: 'runbook_bot_slack_after_ack_wait_seconds',
      help: "Time a Slack follow-up job waited between its request's ack and its start, by priority (modal, reply, background). A modal's trigger_id expires 3 s after the click.",
      labelNames: ['priority'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
  return m;
}
