/**
 * Benchmark 3, trigger fan-out: 500 runbooks with triggers, 10,000 incident updates through the
 * real incident service and trigger service on SQLite. Baseline: the same updates with no trigger
 * service listening (the cost of the incident write itself), measured in the same run.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { createStore } from '../src/store/index.ts';
import { createEngine } from '../src/engine/engine.ts';
import { createIncidentService } from '../src/incidents/service.ts';
import { createTriggerService } from '../src/triggers/service.ts';
import { runbookSchema, type Catalog, type Runbook } from '../src/manifests/schema.ts';
import { createLogger } from '../src/log.ts';
import { systemClock } from '../src/engine/ports.ts';
import { ROLLBACK_YAML, catalogOf } from '../test/support/engine-setup.ts';
import { tempDir } from '../test/support/tmp.ts';
import { check, ms, percentile, printSection, round, type Check } from './stats.ts';

function runbooks(n: number, services: number): Runbook[] {
  const base = parse(ROLLBACK_YAML) as Record<string, unknown>;
  return Array.from({ length: n }, (_, i) =>
    runbookSchema.parse({
      ...base,
      id: `rb-${i}`,
      name: `Runbook ${i}`,
      aliases: [],
      triggers: [
        {
          on: 'incident.updated',
          // Realistic conditions that stay false for these updates: every trigger is evaluated,
          // none starts a run (fan-out cost, not engine cost).
          when: { severity: { in: ['P0'] }, service: { equals: `svc-${i % services}` } },
        },
      ],
    }),
  );
}

async function measure(withTriggers: boolean, rbs: Runbook[], updates: number) {
  const tmp = tempDir('runbook-bot-bench-');
  const store = createStore(join(tmp.dir, 'bench.db'));
  const log = createLogger('silent');
  const cat: Catalog = catalogOf(...rbs);
  const catalog = () => cat;
  const incidents = createIncidentService({ store, catalog, clock: systemClock, log });
  const engine = createEngine({ store, catalog, clock: systemClock, log });
  let evaluations = 0;
  if (withTriggers) {
    const triggers = createTriggerService({ store, engine, catalog, clock: systemClock, log });
    incidents.on((ev) => {
      triggers.handle(ev);
      evaluations += rbs.length;
    });
  }
  const ids = Array.from(
    { length: 100 },
    (_, i) =>
      incidents.declare(
        { summary: `Incident ${i}`, severity: 'P3', service: `svc-${i % 50}`, environment: 'prod' },
        'U0BENCH',
      ).id,
  );
  const times: number[] = [];
  const started = performance.now();
  for (let u = 0; u < updates; u++) {
    const id = ids[u % ids.length]!;
    const t0 = performance.now();
    incidents.update(id, { severity: u % 2 ? 'P2' : 'P3', summary: `Update ${u}` }, 'U0BENCH');
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  const runs = store.runs.recent().length;
  store.close();
  tmp.cleanup();
  return { total, times, evaluations, runs };
}

export async function benchFanout(opts: { runbooks: number; updates: number }): Promise<Check[]> {
  const rbs = runbooks(opts.runbooks, 50);
  const base = await measure(false, rbs, opts.updates);
  const trig = await measure(true, rbs, opts.updates);
  const evalsPerSec = trig.evaluations / (trig.total / 1000);
  const p99 = percentile(trig.times, 99);
  const baseP99 = percentile(base.times, 99);
  const checks = [
    check('p99 per update under 50 ms', p99 < 50, ms(p99)),
    check('no run started by conditions that stay false', trig.runs === 0, `${trig.runs} runs`),
  ];
  printSection(
    `3. Trigger fan-out: ${opts.runbooks} runbooks with triggers, ${opts.updates} incident updates`,
    [
      `with triggers: ${round(evalsPerSec, 0)} trigger evaluations/s, ${round(opts.updates / (trig.total / 1000), 0)} updates/s, p50 ${ms(percentile(trig.times, 50))}, p99 ${ms(p99)} per update`,
      `baseline (incident write only, no trigger service): ${round(opts.updates / (base.total / 1000), 0)} updates/s, p50 ${ms(percentile(base.times, 50))}, p99 ${ms(baseP99)}`,
      `ratio p99 with/without triggers: ${round(p99 / baseP99)}×; added per update p50 ${ms(percentile(trig.times, 50) - percentile(base.times, 50))}`,
    ],
    checks,
  );
  return checks;
}
