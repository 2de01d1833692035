/**
 * Runs the real bot (`src/cli/main.ts start`, what `npm start` runs) as a child process, so tests can
 * kill -9 it and start it again on the same SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BotProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `nodeArgs` go to node itself (the ack benchmark profiles with `--cpu-prof`, which NODE_OPTIONS refuses). */
export function spawnBot(
  env: Record<string, string>,
  args: string[] = ['start'],
  nodeArgs: string[] = [],
): BotProcess {
  let out = '';
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'info',
        PORT: '0',
        HOST: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls `check` every 25 ms until it returns true, or fails with `what` after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  ms = 20_000,
  proc?: BotProcess,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${proc ? `\n--- bot output ---\n${proc.output()}` : ''}`);
}
