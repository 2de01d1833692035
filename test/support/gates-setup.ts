/**
 * Deployment gates for tests: the shipped manifests (plus extras) loaded the real way, a real SQLite
 * file, the incident service, the engine, the gate service and the freeze reconciler talking to the
 * loopback Harness fake, a manual clock, and a recorder for what would be posted in Slack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStore, type Store } from '../../src/store/index.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createHarnessClient } from '../../src/harness/index.ts';
import { createFreezeClient } from '../../src/harness/freeze.ts';
import { loadManifestTexts } from '../../src/manifests/load-texts.ts';
import { formatManifestError } from '../../src/manifests/manifest-error.ts';
import type { Catalog } from '../../src/manifests/schema.ts';
import { createIncidentService } from '../../src/incidents/service.ts';
import { createGateService, type GateService } from '../../src/gates/service.ts';
import { createFreezeReconciler, type FreezeReconciler } from '../../src/gates/reconciler.ts';
import { createLogger } from '../../src/log.ts';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';
import { ManualClock } from './engine-setup.ts';
import { tempDir } from './tmp.ts';

const MANIFESTS = join(import.meta.dirname, '..', '..', 'manifests');

/** A deploying runbook that no gate exempts. */
export const DEPLOY_RUNBOOK = `
kind: Runbook
id: deploy-service
name: Deploy service
deploys: true
inputs:
  - { name: service, default: "{{ incident.service }}", required: true }
  - { name: environment, type: select, options: [staging, prod], default: "{{ incident.environment }}", required: true }
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: default
      project: payments
      pipeline: deploy_service
      inputs: |
        pipeline:
          identifier: deploy_service
          variables:
            - { name: service, type: String, value: <+input> }
      bind:
        service: { input: service }
`;

export function loadCatalog(extra: Record<string, string> = {}): Catalog {
  const files = readdirSync(MANIFESTS)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: `manifests/${f}`, text: readFileSync(join(MANIFESTS, f), 'utf8') }));
  for (const [path, text] of Object.entries(extra)) files.push({ path, text });
  const r = loadManifestTexts(files);
  if (r.errors.length) throw new Error(r.errors.map(formatManifestError).join('\n'));
  return r.catalog;
}

export interface GatesSetup {
  store: Store;
  dbPath: string;
  clock: ManualClock;
  fake: HarnessFake;
  catalog: Catalog;
  incidents: ReturnType<typeof createIncidentService>;
  engine: Engine;
  gates: GateService;
  reconciler: FreezeReconciler;
  posted: { channel: string; text: string }[];
  /** A new process on the same database and Harness (after a crash). */
  restart(): GatesSetup;
  cleanup(): Promise<void>;
}

export async function setupGates(
  opts: { extra?: Record<string, string>; maxRetries?: number; autoSync?: boolean } = {},
): Promise<GatesSetup> {
  const tmp = tempDir();
  const clock = new ManualClock();
  // The fake judges freeze windows on the test's time line, not the wall clock: with the wall
  // clock, a window the test opens at its 14:00 start is "already over" once real time passes 15:00.
  const fake = await startHarnessFake({ now: () => clock.now() });
  const dbPath = join(tmp.dir, 'bot.db');
  const catalog = loadCatalog({ 'manifests/deploy.yaml': DEPLOY_RUNBOOK, ...opts.extra });
  const log = createLogger('silent');
  const posted: GatesSetup['posted'] = [];
  const stores: Store[] = [];

  const build = (): GatesSetup => {
    const store = createStore(dbPath);
    stores.push(store);
    const client = {
      baseUrl: fake.url,
      uiUrl: 'https://app.harness.io',
      apiKey: fake.apiKey,
      accountId: fake.accountId,
      timeoutMs: 2000,
      sleep: async () => {},
    };
    const incidents = createIncidentService({ store, catalog: () => catalog, clock, log });
    const gates = createGateService({
      store,
      catalog: () => catalog,
      clock,
      log,
      say: async (channel, text) => void posted.push({ channel, text }),
    });
    const engine = createEngine({
      store,
      catalog: () => catalog,
      clock,
      log,
      harness: createHarnessClient(client),
      gates,
    });
    const freeze = createFreezeClient({ ...client, maxRetries: opts.maxRetries ?? 3 });
    const reconciler = createFreezeReconciler({ gates, freeze, clock, log });
    if (opts.autoSync !== false) incidents.on(() => void gates.refresh());
    const self: GatesSetup = {
      store,
      dbPath,
      clock,
      fake,
      catalog,
      incidents,
      engine,
      gates,
      reconciler,
      posted,
      restart: () => build(),
      async cleanup() {
        for (const s of stores) s.close();
        await fake.close();
        tmp.cleanup();
      },
    };
    return self;
  };
  return build();
}

export const P1 = {
  summary: 'Checkout 500s',
  severity: 'P1',
  service: 'checkout',
  environment: 'prod',
  commander: 'U0CMD',
} as const;

let channels = 0;
/** A P1 on checkout in prod with its own channel (C0INC1, C0INC2… in declaration order per process). */
export function p1(over: Record<string, unknown> = {}) {
  return { ...P1, channel: `C0INC${++channels}`, ...over };
}
