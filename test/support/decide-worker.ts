/**
 * A second (third…) process deciding the same run: opens its own engine on the SQLite file, says
 * "ready", spins until the go-file exists so every process clicks at the same instant, then calls
 * decide `count` times and prints how many applied. Used by test/integration/approvals.test.ts.
 *   node --import tsx test/support/decide-worker.ts <dbPath> <runId> <actor> <approve|reject> <count> <goFile> [nowMs]
 * nowMs: the test's manual clock, so what the worker schedules is due on the test's time line
 * (with the system clock a decision made after the manual clock's start date was due too late).
 */
import { existsSync } from 'node:fs';
import { createStore } from '../../src/store/index.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { createLogger } from '../../src/log.ts';
import { systemClock } from '../../src/engine/ports.ts';
import { catalogOf } from './engine-setup.ts';

const [dbPath, runId, actor, decision, count, goFile, nowMs] = process.argv.slice(2);
const store = createStore(dbPath!);
const engine = createEngine({
  store,
  catalog: () => catalogOf(),
  clock: nowMs ? { now: () => Number(nowMs) } : systemClock,
  log: createLogger('silent'),
});
process.stdout.write('ready\n');
while (!existsSync(goFile!)) {
  // Spin: a timer or a watcher would add its own jitter to the moment every process clicks.
}
let applied = 0;
let errors = 0;
for (let i = 0; i < Number(count); i++) {
  try {
    const r = await engine.decide(runId!, { decision: decision as 'approve' | 'reject', actor: actor! });
    if (r.applied) applied++;
  } catch {
    errors++;
  }
}
store.close();
process.stdout.write(`${JSON.stringify({ applied, errors })}\n`);
