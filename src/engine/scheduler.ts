/**
 * node-cron drives the engine: every second it advances due steps (due times live in SQLite, so a
 * restart picks up exactly where the last process stopped). `kick()` runs a pass right away, so a
 * new run does not wait for the next second.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Engine } from './engine.ts';

export interface Scheduler {
  kick(): void;
  stop(): Promise<void>;
}

export function startScheduler(engine: Engine, log: Logger, expression = '* * * * * *'): Scheduler {
  let stopped = false;
  const pass = () =>
    engine
      .tick()
      .catch((e: unknown) =>
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'engine tick failed'),
      );
  const task: ScheduledTask = schedule(expression, pass, {
    name: 'engine-poller',
    noOverlap: true,
    suppressMissedWarning: true,
  });
  return {
    kick() {
      if (!stopped) setImmediate(pass);
    },
    async stop() {
      stopped = true;
      await task.stop();
      await task.destroy();
      await engine.tick(); // let an in-flight pass finish writing
    },
  };
}
