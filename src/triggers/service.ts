/**
 * The trigger service: every incident event (from the one incident service) is matched against every
 * runbook's triggers; a trigger whose condition *becomes* true starts an automatic run, which waits
 * for a commander's approval unless the trigger says `approval: none`.
 *
 * The rules are domain/triggers.ts's; the history they need (armed, once, cooldown) is in SQLite, and
 * a firing is claimed with one conditional update in the same transaction that records the run, so a
 * crash never leaves a claimed firing without its run, and two handlers of one edge start one run.
 * A firing whose run cannot be prepared (bad inputs) is written to the timeline, never thrown: the
 * incident change that caused it has already happened and must not fail.
 */
import type { Logger } from 'pino';
import type { Catalog, Runbook, Trigger } from '../manifests/schema.ts';
import type { Store, RunRecord } from '../store/index.ts';
import type { Clock } from '../engine/ports.ts';
import type { Engine } from '../engine/engine.ts';
import type { IncidentEvent } from '../incidents/types.ts';
import { cooldownMs, evaluateTrigger, runbookFits } from '../domain/triggers.ts';
import { formatTrace } from '../domain/conditions.ts';
import { toAppError } from '../errors.ts';

export interface TriggerServiceDeps {
  store: Store;
  engine: Pick<Engine, 'startRun'>;
  catalog: () => Catalog;
  clock: Clock;
  log: Logger;
}

/** One trigger that fired for an event: the run it started, or why it could not start one. */
export interface TriggerFiring {
  runbookId: string;
  triggerIndex: number;
  on: Trigger['on'];
  incidentId: string;
  /** Why it fired, one line (the condition trace). */
  detail: string;
  runId: string | null;
  state: RunRecord['state'] | null;
  error?: string;
}

export function createTriggerService(deps: TriggerServiceDeps) {
  const { store, engine, log } = deps;

  function fire(ev: IncidentEvent, runbook: Runbook, index: number, trigger: Trigger, detail: string) {
    const key = { incidentId: ev.incident.id, runbookId: runbook.id, triggerIndex: index };
    const rule = { once: trigger.once, cooldownMs: cooldownMs(trigger) };
    const base = {
      runbookId: runbook.id,
      triggerIndex: index,
      on: trigger.on,
      incidentId: ev.incident.id,
      detail,
    };
    try {
      const run = store.tx(() => {
        if (!store.triggerState.claim(key, rule, deps.clock.now())) return null;
        return engine.startRun({
          runbookId: runbook.id,
          incidentId: ev.incident.id,
          trigger: ev.type,
          triggerDetail: detail,
          triggerIndex: index,
          requester: null,
          inputs: {},
          approval: trigger.approval,
        });
      });
      if (!run) return null; // another handler claimed this edge first
      log.info(
        { incident: ev.incident.id, runbook: runbook.id, run: run.id, state: run.state },
        'trigger fired',
      );
      return { ...base, runId: run.id, state: run.state };
    } catch (e) {
      // The run was refused (bad inputs, unknown runbook…) and its transaction rolled back, claim included:
      // claim again with the failure so it is recorded once and does not retry on every update.
      const err = toAppError(e);
      const now = deps.clock.now();
      const recorded = store.tx(() => {
        if (!store.triggerState.claim(key, rule, now)) return false;
        store.timeline.add({
          incidentId: ev.incident.id,
          at: now,
          kind: 'trigger.failed',
          text: `${runbook.name} was triggered (${trigger.on}: ${detail}) but could not start: ${err.message}`,
          key: true,
          data: { runbook: runbook.id, trigger: index, code: err.code },
        });
        store.audit.add({
          at: now,
          actor: null,
          action: 'trigger.failed',
          subject: ev.incident.id,
          detail: { runbook: runbook.id, trigger: index, error: err.message },
        });
        return true;
      });
      log.warn(
        { incident: ev.incident.id, runbook: runbook.id, err: err.message },
        'trigger could not start a run',
      );
      return recorded ? { ...base, runId: null, state: null, error: err.message } : null;
    }
  }

  return {
    /** Synchronous: every decision and firing is written before it returns. Never throws. */
    handle(ev: IncidentEvent): TriggerFiring[] {
      const firings: TriggerFiring[] = [];
      try {
        const now = deps.clock.now();
        const runbooks = [...deps.catalog().runbooks.values()].sort((a, b) => a.id.localeCompare(b.id));
        for (const runbook of runbooks) {
          if (!runbookFits(runbook, ev.incident)) continue;
          runbook.triggers.forEach((trigger, index) => {
            if (trigger.on !== ev.type) return;
            const key = { incidentId: ev.incident.id, runbookId: runbook.id, triggerIndex: index };
            const history = store.triggerState.history(key);
            const d = evaluateTrigger(trigger, ev, { runbook, history, now });
            if (d.rearm && !history.armed) store.triggerState.rearm(key, now);
            if (!d.fires) {
              log.debug(
                { incident: ev.incident.id, runbook: runbook.id, trigger: index, why: d.reason },
                'no fire',
              );
              return;
            }
            const detail = d.trace ? formatTrace(d.trace) : 'no condition';
            const f = fire(ev, runbook, index, trigger, detail);
            if (f) firings.push(f);
          });
        }
      } catch (e) {
        log.error({ incident: ev.incident?.id, err: toAppError(e).message }, 'trigger handling failed');
      }
      return firings;
    },
  };
}
export type TriggerService = ReturnType<typeof createTriggerService>;
