/**
 * The one place incidents change. Slack, the HTTP API and the CLI all call this service, so every
 * change is validated the same way, written with its timeline and audit entries in one transaction,
 * and announced to listeners (triggers, the pinned summary) with old and new values. Peers that let
 * a code path write incidents directly silently miss triggers; this is why there is only one path.
 */
import type { Logger } from 'pino';
import type { Store, IncidentRecord } from '../store/index.ts';
import type { Catalog, CustomField } from '../manifests/schema.ts';
import type { Clock } from '../engine/ports.ts';
import { AppError } from '../errors.ts';
import type {
  DeclareInput,
  IncidentChange,
  IncidentEvent,
  IncidentListener,
  IncidentPatch,
} from './types.ts';
import { applyPatch, incidentTypeOf, invalid, patchForSetField, validateDeclare } from './validate.ts';
import { changeText, declaredText, diffIncidents, initialChanges, KEY_FIELDS } from './changes.ts';

export type {
  DeclareInput,
  IncidentChange,
  IncidentEvent,
  IncidentListener,
  IncidentPatch,
} from './types.ts';

/** Another writer (a second process, an API call) changed the row between our read and write. */
const MAX_ATTEMPTS = 5;

export interface IncidentServiceDeps {
  store: Store;
  catalog: () => Catalog;
  clock: Clock;
  log: Logger;
}

export type Mutation = { incident: IncidentRecord; changes: IncidentChange[] };

export function createIncidentService(deps: IncidentServiceDeps) {
  const { store, log } = deps;
  const listeners: IncidentListener[] = [];

  /** After commit. A listener that throws or rejects is logged; the change stands. */
  function emit(ev: IncidentEvent): void {
    for (const listener of [...listeners]) {
      // Each listener gets its own copy so one cannot alter what the next one (or the caller) sees.
      const copy = structuredClone(ev);
      const failed = (err: unknown) =>
        log.error({ err, incident: ev.incident.id, event: ev.type }, 'incident listener failed');
      try {
        const r = listener(copy);
        if (r && typeof (r as Promise<void>).then === 'function')
          (r as Promise<void>).then(undefined, failed);
      } catch (err) {
        failed(err);
      }
    }
  }

  function notFound(id: string): AppError {
    return new AppError(
      'INCIDENT_NOT_FOUND',
      `There is no incident ${JSON.stringify(String(id))}; ids look like INC-42`,
    );
  }

  /** Inside the transaction: a channel belongs to one incident at most. */
  function assertChannelFree(channel: string | null, self: string | null) {
    if (!channel) return;
    const owner = store.incidents.byChannel(channel);
    if (owner && owner.id !== self) {
      throw invalid([
        {
          field: 'channel',
          message: `channel ${channel} already belongs to ${owner.id}; allowed: a channel without an incident`,
        },
      ]);
    }
  }

  function declare(input: DeclareInput, actor: string | null): IncidentRecord {
    const catalog = deps.catalog();
    const data = validateDeclare(input, catalog);
    const type = incidentTypeOf(catalog, data.type);
    const now = deps.clock.now();
    const incident = store.tx(() => {
      assertChannelFree(data.channel, null);
      const holder = data.externalId ? store.incidents.byExternalId(data.externalId) : undefined;
      if (holder) {
        // The API turns this into an update of `holder` (idempotent create); other callers see why.
        throw invalid([
          { field: 'externalId', message: `externalId ${data.externalId} already belongs to ${holder.id}` },
        ]);
      }
      const rec = store.incidents.insert(data, now);
      const snapshot = { ...data };
      store.timeline.add({
        incidentId: rec.id,
        at: now,
        kind: 'incident.created',
        text: declaredText(rec, actor),
        key: true,
        actor,
        data: snapshot,
      });
      store.audit.add({ at: now, actor, action: 'incident.declare', subject: rec.id, detail: snapshot });
      return rec;
    });
    log.info(
      { incident: incident.id, severity: incident.severity, test: incident.test === true, actor },
      'incident declared',
    );
    emit({ type: 'incident.created', incident, changes: initialChanges(incident, type), actor, at: now });
    return incident;
  }

  /**
   * Read, apply, write-if-unchanged; on a stale version re-read and re-apply, so a concurrent
   * change is neither lost nor reported twice.
   */
  function mutate(
    id: string,
    actor: string | null,
    action: string,
    makePatch: (current: IncidentRecord, catalog: Catalog) => IncidentPatch,
  ): Mutation {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = typeof id === 'string' ? store.incidents.get(id) : undefined;
      if (!current) throw notFound(id);
      const catalog = deps.catalog();
      const next = applyPatch(current, makePatch(current, catalog), catalog);
      const type = incidentTypeOf(catalog, current.type);
      const changes = diffIncidents(current, next, type);
      if (changes.length === 0) return { incident: current, changes };
      const now = deps.clock.now();
      const written = store.tx(() => {
        if (next.channel !== current.channel) assertChannelFree(next.channel, current.id);
        const rec = store.incidents.update(next, now);
        if (!rec) return undefined;
        for (const change of changes) {
          store.timeline.add({
            incidentId: rec.id,
            at: now,
            kind: 'incident.updated',
            text: changeText(change, actor, type),
            key: KEY_FIELDS.has(change.field),
            actor,
            data: { ...change },
          });
        }
        store.audit.add({ at: now, actor, action, subject: rec.id, detail: { changes } });
        return rec;
      });
      if (!written) {
        log.debug({ incident: current.id, attempt }, 'incident changed concurrently; re-applying');
        continue;
      }
      emit({ type: 'incident.updated', incident: written, previous: current, changes, actor, at: now });
      return { incident: written, changes };
    }
    throw new AppError('INTERNAL', `${id} kept changing while being updated; try again`, { retryable: true });
  }

  return {
    declare,
    update(id: string, patch: IncidentPatch, actor: string | null): Mutation {
      return mutate(id, actor, 'incident.update', () => patch);
    },
    /** `set <name> <raw>`: summary, service, environment or a custom field of the incident's type. */
    setField(id: string, name: string, raw: string, actor: string | null): Mutation {
      return mutate(id, actor, 'incident.set_field', (current, catalog) =>
        patchForSetField(current, name, raw, catalog),
      );
    },
    /** Already resolved → no change, nothing emitted. A resolved incident can be reopened via `update`. */
    resolve(id: string, actor: string | null): Mutation {
      return mutate(id, actor, 'incident.resolve', () => ({ status: 'resolved' }));
    },
    get(id: string): IncidentRecord | undefined {
      return typeof id === 'string' ? store.incidents.get(id.trim()) : undefined;
    },
    byChannel(channel: string): IncidentRecord | undefined {
      return store.incidents.byChannel(channel);
    },
    listOpen(): IncidentRecord[] {
      return store.incidents.listOpen();
    },
    /** Returns an unsubscribe function. */
    on(listener: IncidentListener): () => void {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
    /** Custom fields of a type; 'any' and types no longer in the catalog have none. */
    fieldsOf(typeId: string): CustomField[] {
      return incidentTypeOf(deps.catalog(), typeId)?.fields ?? [];
    },
  };
}
export type IncidentService = ReturnType<typeof createIncidentService>;
