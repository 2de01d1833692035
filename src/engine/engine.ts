/**
 * The run engine: starts runs, advances due steps, cancels, and recovers after a restart. Every
 * transition is a SQLite write first; the clock, the notifier, Harness and the actions are passed in.
 */
import type { Logger } from 'pino';
import { AppError, toAppError } from '../errors.ts';
import type { Catalog, Runbook } from '../manifests/schema.ts';
import type { Incident, TriggerKind } from '../domain/types.ts';
import type { Store, RunRecord, StepRecord } from '../store/index.ts';
import type { ActionDeps, Clock, HarnessApi, Notifier } from './ports.ts';
import { defaultActions, type ActionRegistry } from './actions/index.ts';
import { prepareRun } from './prepare.ts';
import { addEvent, applyResult, cancelRunTx } from './transitions.ts';
import { runDueStep } from './step-runner.ts';
import { planForIncident, targetSpec, targetStep } from './actions/test-incident.ts';
import { runScope } from './scope.ts';
import {
  approvalFor,
  approvalScope,
  approvalTimeoutMs,
  decideRun,
  recordApprovalRequest,
  type ApprovalDeps,
  type ApprovalMode,
  type Decision,
  type DecideResult,
} from './approvals.ts';

import { expireApprovals } from './approval-expiry.ts';

export type { ApprovalMode, Decision, DecideResult } from './approvals.ts';

export interface EngineOptions {
  store: Store;
  catalog: () => Catalog;
  clock: Clock;
  log: Logger;
  notifier?: Notifier;
  harness?: HarnessApi;
  actions?: ActionRegistry;
  poll?: { minMs: number; maxMs: number };
  /** How many steps are advanced at once per tick. */
  concurrency?: number;
  /** Deployment gates (src/gates): the holds that refuse a `deploys: true` run; none: it may run. */
  gates?: {
    runBlockers(runbook: Runbook, inputs: Record<string, unknown>, incident: Incident | null): GateBlocker[];
  };
}

/** One closed gate that refuses a deploying run (src/gates GateHold fits). */
export interface GateBlocker {
  gate: string;
  incident: string;
  severity: string;
  summary: string;
}

export interface StartRunRequest {
  runbookId: string;
  incidentId?: string | null;
  trigger?: TriggerKind;
  triggerDetail?: string | null;
  requester: string | null;
  inputs?: Record<string, unknown>;
  /**
   * auto (default): manual runs follow runbook.access.approval, automatic runs ask; the trigger
   * service passes the trigger's `approval` (required | none).
   */
  approval?: ApprovalMode;
  /** Which of the runbook's triggers fired (automatic runs; re-checked at approval time). */
  triggerIndex?: number;
  /** A closed deployment gate does not refuse the run: it waits for an approver ("gate override"). */
  gateOverride?: boolean;
}

/** Due steps one pass takes at most; a full pass is followed by another at once (scheduler.ts). */
export const DUE_BATCH = 1000;

export function createEngine(opts: EngineOptions) {
  const { store, clock, log } = opts;
  const notifier = opts.notifier ?? { runChanged() {} };
  const actions = opts.actions ?? defaultActions();
  const deps: ActionDeps = {
    store,
    poll: opts.poll ?? { minMs: 2_000, maxMs: 30_000 },
    ...(opts.harness ? { harness: opts.harness } : {}),
  };
  const concurrency = opts.concurrency ?? 16;
  const inFlight = new Set<string>();
  let ticking: Promise<number> | null = null;

  function notify(runId: string) {
    const run = store.runs.get(runId);
    if (!run) return;
    Promise.resolve()
      .then(() => notifier.runChanged(run, store.runs.steps(runId)))
      .catch((e) => log.warn({ run: runId, err: toAppError(e).message }, 'notifier failed'));
  }

  function findRunbook(id: string): Runbook {
    const catalog = opts.catalog();
    const rb = catalog.runbooks.get(id) ?? catalog.runbooks.get(catalog.aliases.get(id) ?? '');
    if (!rb)
      throw new AppError(
        'RUNBOOK_NOT_FOUND',
        `No runbook "${id}". Known: ${[...catalog.runbooks.keys()].join(', ') || 'none'}.`,
      );
    return rb;
  }

  /** pending → running: schedules the first step. */
  function begin(run: RunRecord): void {
    const now = clock.now();
    store.tx(() => {
      if (!store.runs.updateRun(run.id, { state: 'running', startedAt: now }, now, ['pending'])) return;
      const first = store.runs.steps(run.id)[0];
      if (first) store.runs.updateStep(run.id, first.idx, { nextAttemptAt: now }, ['pending']);
    });
  }

  const approvalDeps: ApprovalDeps = { store, clock, begin, notify };

  const engine = {
    /** Validates and records a run, then starts it. Throws INPUT_INVALID listing every problem. */
    startRun(req: StartRunRequest): RunRecord {
      const runbook = findRunbook(req.runbookId);
      const incident = req.incidentId ? store.incidents.get(req.incidentId) : null;
      if (req.incidentId && !incident)
        throw new AppError('INCIDENT_NOT_FOUND', `No incident ${req.incidentId}.`);
      const prepared = prepareRun(runbook, incident ?? null, req.inputs ?? {});
      if (prepared.problems.length) {
        throw new AppError(
          'INPUT_INVALID',
          `Cannot run ${runbook.name}:\n${prepared.problems.map((p) => `• ${p}`).join('\n')}`,
          {
            details: { problems: prepared.problems },
          },
        );
      }
      const blockers = opts.gates?.runBlockers(runbook, prepared.inputs, incident ?? null) ?? [];
      const held = blockers
        .map((b) => `${b.incident} (${b.severity} "${b.summary}", gate ${b.gate})`)
        .join(', ');
      if (blockers.length && !req.gateOverride) {
        throw new AppError(
          'GATE_CLOSED',
          `${runbook.name} deploys, and deployments here are halted while ${held} is open. Wait until it resolves, run an exempt runbook, or ask for a gate override that a commander approves.`,
          { details: { blockers } },
        );
      }
      const now = clock.now();
      const trigger = req.trigger ?? 'manual';
      const gated = blockers.length
        ? { required: true, reason: `gate override: deployments are halted while ${held} is open` }
        : null;
      const approval =
        gated ??
        approvalFor(
          req.approval,
          trigger !== 'manual',
          runbook,
          approvalScope(prepared.inputs, incident ?? null, {
            requester: req.requester,
            trigger,
            runbook: runbook.id,
          }),
        );
      const run = store.tx(() => {
        const r = store.runs.insert(
          {
            incidentId: incident?.id ?? null,
            runbook,
            trigger,
            triggerDetail: req.triggerDetail ?? null,
            requester: req.requester,
            inputs: prepared.inputs,
            state: approval.required ? 'awaiting_approval' : 'pending',
            approvalExpiresAt: approval.required ? now + approvalTimeoutMs(runbook) : null,
            triggerIndex: req.triggerIndex ?? null,
          },
          prepared.steps.map((s) => ({
            stepId: s.stepId,
            uses: s.uses,
            resolvedYaml: s.resolvedYaml,
            resolved: s.resolved,
          })),
          now,
        );
        const who = req.requester ? `<@${req.requester}>` : 'the system';
        addEvent(
          store,
          r,
          {
            kind: 'run.requested',
            text: `Run ${r.id} of ${runbook.name} requested by ${who} (${r.trigger})`,
            actor: req.requester,
            data: { inputs: prepared.inputs },
          },
          now,
          `${r.id}:requested`,
        );
        store.audit.add({
          at: now,
          actor: req.requester,
          action: 'run.request',
          subject: r.id,
          detail: { runbook: runbook.id, incident: r.incidentId, inputs: prepared.inputs },
        });
        if (approval.required) recordApprovalRequest(store, r, approval.reason, now);
        return r;
      });
      if (!approval.required) begin(run);
      notify(run.id);
      return store.runs.get(run.id)!;
    },

    /**
     * Approves or rejects a run awaiting approval, exactly once (see approvals.ts). Callers check
     * who may decide first (domain/approval.ts canDecide).
     */
    decide(runId: string, d: Decision): Promise<DecideResult> {
      return decideRun(approvalDeps, runId, d);
    },

    /** Awaiting runs past their approval_timeout → expired; the scheduler calls it every 15 s. */
    expireApprovals(): number {
      return expireApprovals(approvalDeps);
    },

    /** Advances every due step once. Safe to call often; overlapping calls share one pass. */
    tick(): Promise<number> {
      if (ticking) return ticking;
      ticking = (async () => {
        const now = clock.now();
        const due = store.runs.dueSteps(now, DUE_BATCH).filter((s) => !inFlight.has(s.runId));
        const seen = new Set<string>();
        const batch = due.filter((s) => (seen.has(s.runId) ? false : (seen.add(s.runId), true)));
        let i = 0;
        const worker = async () => {
          while (i < batch.length) {
            const s = batch[i++]!;
            inFlight.add(s.runId);
            try {
              await runDueStep({ store, actions, deps, log }, s, clock.now());
            } catch (e) {
              log.error(
                { run: s.runId, step: s.stepId, err: toAppError(e).message },
                'step processing crashed',
              );
            } finally {
              inFlight.delete(s.runId);
              notify(s.runId);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
        return batch.length;
      })().finally(() => (ticking = null));
      return ticking;
    },

    /**
     * Advances the due steps of these runs now, ahead of the periodic pass (whose due list may be
     * long with thousands of waiting runs): a push confirmed their status. Runs already being
     * advanced are left to that pass.
     */
    async advanceNow(runIds: string[]): Promise<void> {
      const now = clock.now();
      await Promise.all(
        runIds.map(async (runId) => {
          if (inFlight.has(runId)) return;
          const step = store.runs
            .steps(runId)
            .find((s) => s.status === 'running' && s.nextAttemptAt !== null && s.nextAttemptAt <= now);
          if (!step) return;
          inFlight.add(runId);
          try {
            await runDueStep({ store, actions, deps, log }, step, clock.now());
          } catch (e) {
            log.error(
              { run: runId, step: step.stepId, err: toAppError(e).message },
              'step processing crashed',
            );
          } finally {
            inFlight.delete(runId);
            notify(runId);
          }
        }),
      );
    },

    /** Ticks until nothing is due right now (tests and the CLI). */
    async drain(maxPasses = 1000): Promise<void> {
      for (let i = 0; i < maxPasses; i++) if ((await engine.tick()) === 0) return;
    },

    async cancelRun(runId: string, actor: string | null): Promise<RunRecord> {
      const run = store.runs.get(runId);
      if (!run) throw new AppError('RUN_NOT_FOUND', `No run ${runId}.`);
      const running = cancelRunTx(store, run, actor, clock.now());
      if (running === false)
        throw new AppError('INVALID_TRANSITION', `Run ${run.id} is already ${run.state}; nothing to cancel.`);
      const spec = run.runbook.steps[running?.idx ?? -1];
      const def = running && actions.get(running.uses);
      if (running && spec && def?.cancel) {
        const incident = run.incidentId ? (store.incidents.get(run.incidentId) ?? null) : null;
        // A test incident's step runs against its staging target: abort it there.
        const plan = planForIncident(spec, incident);
        try {
          await def.cancel(
            {
              run,
              step: targetStep(running, plan),
              spec: targetSpec(spec, plan),
              incident,
              scope: runScope(run, incident, []),
              now: clock.now(),
              deps,
              log,
            },
            'cancelled',
          );
        } catch (e) {
          addEvent(
            store,
            run,
            {
              kind: 'step.abort_failed',
              text: `Could not abort step ${running.stepId}: ${toAppError(e).message}`,
              key: true,
            },
            clock.now(),
            `${run.id}:abort-failed`,
          );
        }
      }
      notify(run.id);
      return store.runs.get(run.id)!;
    },

    /**
     * After a restart: a non-idempotent start that was in flight may or may not have reached the
     * vendor, so it becomes `unknown` (never re-sent); idempotent ones are simply redone. Runs
     * recorded but not yet begun are begun. Waiting steps need nothing: their due times are stored.
     */
    recover(): { unknown: number; redone: number; begun: number } {
      const now = clock.now();
      let unknown = 0;
      let redone = 0;
      for (const s of store.runs.dispatchingSteps()) {
        const run = store.runs.get(s.runId);
        if (!run) continue;
        if (actions.get(s.uses)?.idempotentStart) {
          store.tx(() =>
            store.runs.updateStep(
              s.runId,
              s.idx,
              { status: 'pending', dispatching: false, nextAttemptAt: now },
              ['running'],
            ),
          );
          redone++;
          continue;
        }
        const where = s.externalId ? ` (execution ${s.externalId})` : '';
        const written = run.runbook.steps[s.idx];
        const incident = run.incidentId ? (store.incidents.get(run.incidentId) ?? null) : null;
        const spec = written && targetSpec(written, planForIncident(written, incident));
        const list =
          spec?.uses === 'harness.pipeline' && opts.harness
            ? `: ${opts.harness.executionsListUrl(spec.with)}`
            : '';
        applyResult(
          store,
          run,
          s as StepRecord,
          {
            kind: 'done',
            status: 'unknown',
            errorCode: 'INTERRUPTED',
            error: `runbook-bot stopped while starting this step${where}; it may or may not have started. Check the pipeline's executions in Harness before running it again${list}`,
          },
          now,
        );
        unknown++;
        notify(run.id);
      }
      const pending = store.runs.byState('pending');
      pending.forEach(begin);
      return { unknown, redone, begun: pending.length };
    },

    getRun(runId: string): { run: RunRecord; steps: StepRecord[] } | undefined {
      const run = store.runs.get(runId);
      return run && { run, steps: store.runs.steps(run.id) };
    },
  };
  return engine;
}
export type Engine = ReturnType<typeof createEngine>;
