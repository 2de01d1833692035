/**
 * An engine for follow-up tests: like engine-setup.ts (real SQLite, the real Harness client against
 * the Harness fake, a manual clock) but with the follow-up actions given their dependencies
 * (env pointing at the loopback fakes, an SMTP factory, a Slack client) and a log that is kept,
 * so tests can assert that no secret was ever written.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createStore } from '../../src/store/index.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { createHarnessClient } from '../../src/harness/index.ts';
import { defaultActions } from '../../src/engine/actions/index.ts';
import type { ActionDeps, Notifier } from '../../src/engine/ports.ts';
import type { Runbook } from '../../src/manifests/schema.ts';
import type { IncidentRecord } from '../../src/store/index.ts';
import { createLogger } from '../../src/log.ts';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';
import { ManualClock, catalogOf, type EngineSetup } from './engine-setup.ts';
import { tempDir } from './tmp.ts';

export type FollowupDeps = Partial<Omit<ActionDeps, 'store' | 'poll'>>;

export interface FollowupSetup extends EngineSetup {
  /** Every log line the engine wrote (JSON, level debug and up). */
  logs: string[];
}

export async function setupFollowups(
  runbooks: Runbook[],
  deps: FollowupDeps,
  opts: { fake?: HarnessFake; dir?: string } = {},
): Promise<FollowupSetup> {
  const tmp = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir();
  const fake = opts.fake ?? (await startHarnessFake());
  const dbPath = join(tmp.dir, 'bot.db');
  const store = createStore(dbPath);
  const clock = new ManualClock();
  const changes: string[] = [];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
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
    log: createLogger('debug', sink),
    harness,
    notifier,
    actions: defaultActions(deps),
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
    logs,
    async cleanup() {
      store.close();
      if (!opts.fake) await fake.close();
      tmp.cleanup();
    },
  };
}

export function declareIncident(
  s: Pick<EngineSetup, 'store' | 'clock'>,
  over: Partial<{
    summary: string;
    service: string;
    fields: Record<string, string | boolean>;
    channel: string | null;
  }> = {},
): IncidentRecord {
  return s.store.tx(() =>
    s.store.incidents.insert(
      {
        summary: over.summary ?? 'Checkout 500s',
        severity: 'P1',
        status: 'investigating',
        service: over.service ?? 'checkout',
        environment: 'prod',
        type: 'any',
        commander: 'U0COMMANDER',
        channel: over.channel === undefined ? 'C0INCIDENT' : over.channel,
        fields: over.fields ?? {},
      },
      s.clock.now(),
    ),
  );
}

/** A runbook of one follow-up step (YAML of the step, indented as a list item under steps:). */
export function oneStepRunbook(stepYaml: string, id = 'followup'): string {
  return `kind: Runbook\nid: ${id}\nname: Follow-up ${id}\nsteps:\n${stepYaml}`;
}
