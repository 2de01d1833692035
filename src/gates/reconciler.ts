/**
 * Mirrors closed gates as Harness freeze windows. Level-triggered: each pass compares the wanted
 * state (from the open incidents) with what Harness holds and fixes the difference, so a crash
 * between "incident resolved" and "window disabled", a lost request or a window edited by hand is
 * repaired by the next pass (every minute, at start, and right after each incident change).
 * Harness refuses edits to an enabled window, so a change is disable → update → enable.
 * A failing gate is reported once in its incidents' channels and timelines, and so is its recovery.
 * A window whose gate is gone from the manifests (or no longer mirrored, or moved to another
 * org/project) is disabled where SQLite says it lives and then forgotten — otherwise it would keep
 * freezing deployments with nothing left to open it. Logged once.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { toAppError } from '../errors.ts';
import type { DeploymentGate } from '../manifests/schema.ts';
import type { FreezeClient, FreezeScope } from '../harness/freeze.ts';
import type { Clock } from '../engine/ports.ts';
import { parseDuration } from '../domain/duration.ts';
import type { GateHold } from './evaluate.ts';
import type { GateService } from './service.ts';
import { createWindowRetirer, sameScope, scopeOf } from './retire.ts';
import {
  entityConfigs,
  freezeIdentifier,
  freezeName,
  freezeYaml,
  needsRewrite,
  readFreezeYaml,
} from './freeze-window.ts';

export type GateSyncResult =
  { gate: string; identifier: string; action: string } | { gate: string; identifier: string; error: string };

export interface ReconcilerDeps {
  gates: GateService;
  freeze: FreezeClient;
  clock: Clock;
  log: Logger;
}

const MINUTE = 60_000;

export function createFreezeReconciler(deps: ReconcilerDeps) {
  const { gates, freeze, clock, log } = deps;
  let running: Promise<GateSyncResult[]> | null = null;
  let again = false;

  const { disableWindow, retire } = createWindowRetirer({ gates, freeze, log });

  async function syncGate(gate: DeploymentGate, holds: GateHold[], now: number): Promise<string> {
    const id = freezeIdentifier(gate.id);
    const scope: FreezeScope = { org: gate.harness?.org, project: gate.harness?.project };
    const durationMs = parseDuration(gate.harness?.duration ?? '1h') ?? 60 * MINUTE;
    const actual = await freeze.get(id, scope);
    if (holds.length === 0) {
      if (!actual || actual.status !== 'Enabled') return 'open';
      await freeze.setStatus(id, 'Disabled', scope);
      return 'disabled';
    }
    const start = Math.floor(now / MINUTE) * MINUTE;
    const wanted = { name: freezeName(gate, holds), rules: entityConfigs(gate, holds) };
    if (!actual) {
      const made = await freeze.create(
        freezeYaml(gate, holds, { status: 'Enabled', startMs: start, durationMs }),
        scope,
      );
      if (made === 'created') return 'created';
      return syncGate(gate, holds, now); // created by an earlier attempt we did not hear back from
    }
    if (needsRewrite(readFreezeYaml(actual.yaml), wanted, now, durationMs)) {
      if (actual.status === 'Enabled') await freeze.setStatus(id, 'Disabled', scope);
      await freeze.update(
        id,
        freezeYaml(gate, holds, { status: 'Disabled', startMs: start, durationMs }),
        scope,
      );
      await freeze.setStatus(id, 'Enabled', scope);
      return 'updated';
    }
    if (actual.status !== 'Enabled') {
      await freeze.setStatus(id, 'Enabled', scope);
      return 'enabled';
    }
    return 'closed';
  }

  function report(gate: DeploymentGate, holds: GateHold[], error: string | null, now: number): void {
    const before = gates.store.sync(gate.id);
    const wasFailing = Boolean(before?.error);
    gates.store.setSync(gate.id, {
      error,
      failingSince: error ? (before?.failingSince ?? now) : null,
      syncedAt: error ? (before?.syncedAt ?? null) : now,
      // After a failure a recorded scope stays: a window left in an old scope is retried next pass.
      scope: error && before?.scope ? undefined : scopeOf(gate),
    });
    if (Boolean(error) === wasFailing) return;
    const text = error
      ? `:warning: Could not update the Harness freeze window of deployment gate *${gate.name}*: ${error}. Retrying every minute; the deploy gate API still answers from the incidents.`
      : `:white_check_mark: The Harness freeze window of deployment gate *${gate.name}* is in sync again.`;
    const incidents = holds.length ? [...new Set(holds.map((h) => h.incident))] : lastIncidents(gate.id);
    gates.announce(
      incidents,
      error ? 'gate.freeze_failed' : 'gate.freeze_recovered',
      text,
      `gate:${gate.id}:${error ? 'failed' : 'recovered'}:${now}`,
    );
  }

  /** When a gate opened, its last holders are who cares whether the window was disabled. */
  const lastIncidents = (gate: string): string[] => gates.lastHolders(gate);

  async function pass(): Promise<GateSyncResult[]> {
    const now = clock.now();
    gates.refresh();
    const holds = gates.holds();
    const results: GateSyncResult[] = [];
    const mirrored = new Set<string>();
    for (const gate of gates.gates().values()) {
      if (!gate.harness?.freeze) continue;
      mirrored.add(gate.id);
      const mine = holds.filter((h) => h.gate === gate.id);
      const identifier = freezeIdentifier(gate.id);
      try {
        const recorded = gates.store.sync(gate.id)?.scope;
        if (recorded && !sameScope(recorded, scopeOf(gate)) && (await disableWindow(identifier, recorded)))
          log.info(
            { gate: gate.id, identifier, from: recorded, to: scopeOf(gate) },
            'deployment gate moved to another org/project: its old Harness freeze window is disabled',
          );
        const action = await syncGate(gate, mine, now);
        report(gate, mine, null, now);
        results.push({ gate: gate.id, identifier, action });
      } catch (e) {
        const error = toAppError(e).message;
        log.warn({ gate: gate.id, err: error }, 'freeze window sync failed');
        report(gate, mine, error, now);
        results.push({ gate: gate.id, identifier, error });
      }
    }
    for (const row of gates.store.syncs()) if (!mirrored.has(row.gate)) results.push(await retire(row, now));
    return results;
  }

  const reconciler = {
    /** One pass; overlapping calls share it, and a call during a pass schedules one more after it. */
    reconcile(): Promise<GateSyncResult[]> {
      if (running) {
        again = true;
        return running;
      }
      running = pass().finally(() => {
        running = null;
        if (again) {
          again = false;
          void reconciler.reconcile();
        }
      });
      return running;
    },

    /** Every minute, and once now (after a restart the window may be stale in either direction). */
    start(expression = '0 * * * * *'): { stop(): Promise<void> } {
      const run = () =>
        reconciler
          .reconcile()
          .catch((e: unknown) => log.error({ err: toAppError(e).message }, 'gate reconcile failed'));
      const task: ScheduledTask = schedule(expression, run, {
        name: 'gate-reconciler',
        noOverlap: true,
        suppressMissedWarning: true,
      });
      void run();
      return {
        async stop() {
          await task.stop();
          await task.destroy();
          await running?.catch(() => undefined);
        },
      };
    },

    /** Resolves when no pass is in flight (tests). */
    async idle(): Promise<void> {
      while (running) await running.catch(() => undefined);
    },
  };
  return reconciler;
}
export type FreezeReconciler = ReturnType<typeof createFreezeReconciler>;
