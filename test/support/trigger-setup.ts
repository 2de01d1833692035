/**
 * The automatic-run chain for tests: a real incident service, the trigger service subscribed to it
 * and a real engine (Harness fake, manual clock) on one SQLite file, with a catalog that also holds
 * the major-incident type.
 */
import { parse } from 'yaml';
import { createIncidentService } from '../../src/incidents/service.ts';
import { createTriggerService, type TriggerFiring } from '../../src/triggers/service.ts';
import { runbookSchema, type Catalog, type Runbook } from '../../src/manifests/schema.ts';
import { createLogger } from '../../src/log.ts';
import { setupEngine, catalogOf, ROLLBACK_YAML, type EngineSetup } from './engine-setup.ts';
import { majorIncident } from './incident-setup.ts';
import type { HarnessFake } from '../fakes/harness-fake.ts';

/** The example rollback runbook with other triggers / access / approval_timeout. */
export function rollbackWith(over: Record<string, unknown>): Runbook {
  return runbookSchema.parse({ ...(parse(ROLLBACK_YAML) as Record<string, unknown>), ...over });
}

export interface TriggerSetup extends EngineSetup {
  catalog: () => Catalog;
  incidents: ReturnType<typeof createIncidentService>;
  triggers: ReturnType<typeof createTriggerService>;
  firings: TriggerFiring[];
}

export async function setupTriggers(
  runbooks: Runbook[],
  opts: { fake?: HarnessFake; dir?: string } = {},
): Promise<TriggerSetup> {
  const s = await setupEngine(runbooks, opts);
  const base = catalogOf(...runbooks);
  const catalog = () => ({ ...base, incidentTypes: new Map([[majorIncident.id, majorIncident]]) });
  const log = createLogger('silent');
  const incidents = createIncidentService({ store: s.store, catalog, clock: s.clock, log });
  const triggers = createTriggerService({ store: s.store, engine: s.engine, catalog, clock: s.clock, log });
  const firings: TriggerFiring[] = [];
  incidents.on((ev) => void firings.push(...triggers.handle(ev)));
  return { ...s, catalog, incidents, triggers, firings };
}

export const P1_INCIDENT = {
  summary: 'Checkout 500s',
  severity: 'P1',
  service: 'checkout',
  environment: 'prod',
  commander: 'U0CMD',
} as const;
