/**
 * Freeze windows whose gate is gone. The reconciler records in SQLite (gate_freeze_sync, with the
 * org/project since migration 0007) every gate whose window it manages; a recorded gate that is no
 * longer mirrored — deleted from the manifests, `harness.freeze: false`, or moved to another scope —
 * still has a window in Harness that nothing would ever disable. Here it is disabled where it lives,
 * logged once, and forgotten; a failure is retried on the next pass and warned about once.
 */
import type { Logger } from 'pino';
import { toAppError } from '../errors.ts';
import type { DeploymentGate } from '../manifests/schema.ts';
import type { FreezeClient } from '../harness/freeze.ts';
import type { GateService } from './service.ts';
import type { GateSync, WindowScope } from './store.ts';
import { freezeIdentifier } from './freeze-window.ts';

export type RetireResult =
  | { gate: string; identifier: string; action: 'retired' | 'forgotten' }
  | { gate: string; identifier: string; error: string };

export const scopeOf = (gate: DeploymentGate): WindowScope => ({
  org: gate.harness?.org,
  project: gate.harness?.project,
});
export const sameScope = (a: WindowScope, b: WindowScope): boolean =>
  a.org === b.org && a.project === b.project;

export function createWindowRetirer(deps: { gates: GateService; freeze: FreezeClient; log: Logger }) {
  const { gates, freeze, log } = deps;

  /** Disables the window if it is enabled; true when it was. */
  async function disableWindow(identifier: string, scope: WindowScope): Promise<boolean> {
    const actual = await freeze.get(identifier, scope);
    if (!actual || actual.status !== 'Enabled') return false;
    await freeze.setStatus(identifier, 'Disabled', scope);
    return true;
  }

  const RETIRING = 'retiring: ';
  /** The gate of this window is gone: disable the window, forget it. A failure is retried next pass. */
  async function retire(row: GateSync & { gate: string }, now: number): Promise<RetireResult> {
    const identifier = freezeIdentifier(row.gate);
    const where = { gate: row.gate, identifier };
    if (!row.scope) {
      // Recorded before migration 0007: we cannot address it, so say what to check by hand.
      log.warn(
        where,
        'deployment gate is gone from the manifests; its Harness freeze window (org/project unknown) may still be enabled: disable it in Harness',
      );
      gates.store.dropSync(row.gate);
      return { ...where, action: 'forgotten' };
    }
    try {
      const disabled = await disableWindow(identifier, row.scope);
      gates.store.dropSync(row.gate);
      log.info(
        { ...where, org: row.scope.org, project: row.scope.project, disabled },
        disabled
          ? 'deployment gate is gone from the manifests: its Harness freeze window is disabled'
          : 'deployment gate is gone from the manifests: its Harness freeze window was not enabled; forgotten',
      );
      return { ...where, action: disabled ? 'retired' : 'forgotten' };
    } catch (e) {
      const error = toAppError(e).message;
      if (!row.error?.startsWith(RETIRING))
        log.warn(
          { ...where, err: error },
          'could not disable the freeze window of a removed deployment gate; retrying every minute',
        );
      gates.store.setSync(row.gate, {
        error: RETIRING + error,
        failingSince: row.failingSince ?? now,
        syncedAt: row.syncedAt,
      });
      return { ...where, error };
    }
  }

  return { disableWindow, retire };
}
