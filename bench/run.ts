/**
 * `npm run bench`: the four benchmarks of issue 7, each against a baseline measured in the same
 * run, printed with their targets. Loopback only (127.0.0.1); stops by itself. Options:
 *   --quick            smaller sizes (a minute or so) for a smoke run
 *   --only=ack,watch,fanout   run some of them (watch includes recovery)
 *   --runs=N --projects=P --updates=U --runbooks=R --requests=N   override sizes
 *   --aa               ack latency as an A/A run (bare Bolt against bare Bolt): the noise floor
 *   --aa=modal         the same, the second bare Bolt opening a modal after each ack (lean caller)
 *   --edgenice=N       scheduling priority (nice, 0-19) of the ack bench's Slack stand-in; default 10
 */
import { benchAck } from './ack.ts';
import { benchWatch } from './watch.ts';
import { benchFanout } from './fanout.ts';
import type { Check } from './stats.ts';

const KNOWN = ['quick', 'only', 'runs', 'projects', 'updates', 'runbooks', 'requests', 'aa', 'edgenice'];
const args = new Map<string, string>();
for (const a of process.argv.slice(2)) {
  const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
  if (!m || !KNOWN.includes(m[1]!)) {
    console.error(`bench: unknown option ${a}; allowed: ${KNOWN.map((k) => `--${k}`).join(', ')}`);
    process.exit(2);
  }
  args.set(m[1]!, m[2] ?? 'true');
}
const quick = args.has('quick');
const num = (k: string, def: number): number => {
  const v = Number(args.get(k) ?? def);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`bench: --${k} must be a positive whole number, got ${args.get(k)}`);
    process.exit(2);
  }
  return v;
};
const edgeNice = Number(args.get('edgenice') ?? 10);
if (!Number.isInteger(edgeNice) || edgeNice < 0 || edgeNice > 19) {
  console.error(`bench: --edgenice must be a whole number from 0 to 19, got ${args.get('edgenice')}`);
  process.exit(2);
}
const only = new Set((args.get('only') ?? 'ack,watch,fanout').split(','));

const started = Date.now();
console.log(
  `runbook-bot benchmarks — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, ${new Date().toISOString()}`,
);
const checks: Check[] = [];
if (only.has('ack'))
  checks.push(
    ...(await benchAck({
      requests: num('requests', quick ? 2000 : 20000),
      aa: args.has('aa'),
      aaModal: args.get('aa') === 'modal',
      edgeNice,
    })),
  );
if (only.has('watch'))
  checks.push(
    ...(await benchWatch({
      runs: num('runs', quick ? 400 : 10_000),
      projects: num('projects', 20),
      finishFromMs: 10_000,
      finishToMs: quick ? 30_000 : 190_000,
      baselineMs: quick ? 15_000 : 30_000,
    })),
  );
if (only.has('fanout'))
  checks.push(
    ...(await benchFanout({
      runbooks: num('runbooks', 500),
      updates: num('updates', quick ? 1000 : 10_000),
    })),
  );
const missed = checks.filter((c) => !c.ok);
console.log(
  `\n${checks.length - missed.length}/${checks.length} targets met in ${Math.round((Date.now() - started) / 1000)} s` +
    (missed.length ? `; missed: ${missed.map((c) => c.what).join('; ')}` : ''),
);
process.exit(0);
