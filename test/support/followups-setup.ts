/**
 * An engine for follow-up tests: like engine-setup.ts (real SQLite, the real Harness client against
 * the Harness fake, a manual clock) but with the follow-up actions given their dependencies
 * (env pointing at the loopback fakes, an SMTP factory, a Slack client) and a log that is kept,
 * so tests can assert that no secret was ever written.
 */
import { Writable } from 'node:stream';
import { defaultActions } from '../../src/engine/actions/index.ts';
import type { ActionDeps } from '../../src/engine/ports.ts';
import type { Runbook } from '../../src/manifests/schema.ts';
import type { IncidentRecord } from '../../src/store/index.ts';
import { createLogger } from '../../src/log.ts';
import type { HarnessFake } from '../fakes/harness-fake.ts';
import { setupEngine, type EngineSetup } from './engine-setup.ts';

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
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const s = await setupEngine(runbooks, {
    ...opts,
    actions: defaultActions(deps),
    log: createLogger('debug', sink),
  });
  return { ...s, logs };
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
