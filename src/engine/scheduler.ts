/**
 * node-cron drives the engine: every second it advances due steps (due times live in SQLite, so a
 * restart picks up exactly where the last process stopped), and every 15 seconds it expires approval
 * requests nobody decided (expiry times live in SQLite too). `kick()` runs a pass right away, so a
 * new run does not wait for the next second.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { DUE_BATCH, type Engine } from './engine.ts';

export interface Scheduler {
  kick(): void;
  stop(): Promise<void>;
}

export const EXPIRY_SWEEP = '*/15 * * * * *';

export function startScheduler(
  engine: Engine,
  log: Logger,
  expression = '* * * * * *',
  expiryExpression = EXPIRY_SWEEP,
): Scheduler {
  let stopped = false;
  const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
  let fullPasses = 0;
  const pass = (): Promise<unknown> =>
    engine
      .tick()
      .then((n) => {
        // A full pass means more is due (thousands of runs after a restart): go on at once
        // instead of taking one batch per second — a bounded number of times, so steps that stay
        // due whatever happens can never make the scheduler spin.
        fullPasses = n >= DUE_BATCH ? fullPasses + 1 : 0;
        if (fullPasses > 0 && fullPasses <= 30 && !stopped) setImmediate(() => void pass());
      })
      .catch((e: unknown) => log.error({ err: errorText(e) }, 'engine tick failed'));
  const sweep = () => {
    try {
      const expired = engine.expireApprovals();
      if (expired) log.info({ expired }, 'approval requests expired');
    } catch (e) {
      log.error({ err: errorText(e) }, 'approval expiry sweep failed');
    }
  };
  const task: ScheduledTask = schedule(expression, pass, {
    name: 'engine-poller',
    noOverlap: true,
    suppressMissedWarning: true,
  });
  const expiry: ScheduledTask = schedule(expiryExpression, sweep, {
    name: 'approval-expiry',
    noOverlap: true,
    suppressMissedWarning: true,
  });
  // A kick during a pass would join that pass, which chose its due steps already: run one more
  // pass after it (kicks meanwhile share that one), so a pushed status is not left for the next second.
  let kickQueued = false;
  return {
    kick() {
      if (stopped || kickQueued) return;
      kickQueued = true;
      setImmediate(() => {
        void pass().then(() => {
          kickQueued = false;
          if (!stopped) return pass();
        });
      });
    },
    async stop() {
      stopped = true;
      for (const t of [task, expiry]) {
        await t.stop();
        await t.destroy();
      }
      await engine.tick(); // let an in-flight pass finish writing
    },
  };
}
