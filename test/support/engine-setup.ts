/**
 * Builds a real engine for tests: a real SQLite file, the real Harness client pointed at the loopback
 * Harness fake, and a manual clock the test moves forward.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { createStore, type Store } from '../../src/store/index.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { createHarnessClient } from '../../src/harness/index.ts';
import { runbookSchema, type Catalog, type Runbook } from '../../src/manifests/schema.ts';
import { createLogger } from '../../src/log.ts';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';
import { tempDir } from './tmp.ts';
import type { Notifier } from '../../src/engine/ports.ts';
import type { ActionRegistry } from '../../src/engine/actions/index.ts';
import type { Logger } from 'pino';

export class ManualClock {
  constructor(public t = Date.parse('2026-11-26T14:00:00Z')) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export function runbookFromYaml(text: string): Runbook {
  return runbookSchema.parse(parse(text));
}

export function catalogOf(...runbooks: Runbook[]): Catalog {
  return {
    runbooks: new Map(runbooks.map((r) => [r.id, r])),
    incidentTypes: new Map(),
    access: null,
    aliases: new Map(runbooks.flatMap((r) => r.aliases.map((a) => [a, r.id] as const))),
    sources: new Map(),
  };
}

export interface EngineSetup {
  dir: string;
  dbPath: string;
  store: Store;
  engine: Engine;
  clock: ManualClock;
  fake: HarnessFake;
  changes: string[];
  cleanup(): Promise<void>;
}

export async function setupEngine(
  runbooks: Runbook[],
  opts: {
    fake?: HarnessFake;
    dir?: string;
    /** The engine's actions (default: the engine's own defaults). */
    actions?: ActionRegistry;
    /** Where the engine logs (default: nowhere). */
    log?: Logger;
  } = {},
): Promise<EngineSetup> {
  const tmp = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir();
  const fake = opts.fake ?? (await startHarnessFake());
  const dbPath = join(tmp.dir, 'bot.db');
  const store = createStore(dbPath);
  const clock = new ManualClock();
  const changes: string[] = [];
  const notifier: Notifier = { runChanged: (run) => void changes.push(`${run.id}:${run.state}`) };
  const harness = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: 'https://app.harness.io',
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    timeoutMs: 2000,
    sleep: async () => {},
  });
  const engine = createEngine({
    store,
    catalog: () => catalogOf(...runbooks),
    clock,
    log: opts.log ?? createLogger('silent'),
    harness,
    notifier,
    ...(opts.actions ? { actions: opts.actions } : {}),
    poll: { minMs: 1000, maxMs: 5000 },
  });
  return {
    dir: tmp.dir,
    dbPath,
    store,
    engine,
    clock,
    fake,
    changes,
    async cleanup() {
      store.close();
      if (!opts.fake) await fake.close();
      tmp.cleanup();
    },
  };
}

/** Moves the clock and ticks until the run is terminal (or gives up after `maxSteps`). */
export async function runToEnd(s: EngineSetup, runId: string, stepMs = 1000, maxSteps = 500): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    await s.engine.drain();
    const st = s.store.runs.get(runId)!.state;
    if (!['pending', 'running'].includes(st)) return;
    s.clock.advance(stepMs);
  }
  throw new Error(`run ${runId} did not finish`);
}

export const ROLLBACK_YAML = `
kind: Runbook
id: emergency-rollback
name: P1 - Emergency Rollback
aliases: [rollback]
inputs:
  - name: environment
    type: select
    options: [dev, qa, prod]
    default: "{{ incident.environment }}"
    required: true
steps:
  - id: rollback
    uses: harness.pipeline
    with:
      org: default
      project: payments
      pipeline: rollback_service
      mode: wait
      timeout: 30m
      inputs: |
        pipeline:
          identifier: rollback_service
          variables:
            - name: service
              type: String
              value: <+input>
            - name: environment
              type: String
              value: <+input>.allowedValues(dev,qa,prod)
            - name: incidentId
              type: String
              value: <+input.incidentId>
            - name: notes
              type: String
              value: "<+pipeline.name> run by <+pipeline.triggeredBy.name>"
      bind:
        service: { from: incident.service }
        environment: { input: environment }
        incidentId: { from: incident.id }
  - id: note-success
    if: { steps.rollback.status: { equals: succeeded } }
    uses: timeline.event
    with: { text: "Rolled back {{ incident.service }} in {{ inputs.environment }}: {{ steps.rollback.url }}", key: true }
  - id: note-failure
    if: { steps.rollback.status: { in: [failed, timed_out, unknown] } }
    uses: timeline.event
    with: { text: "Rollback of {{ incident.service }} did not succeed ({{ steps.rollback.status }})" }
`;
