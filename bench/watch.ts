/**
 * Benchmarks 2 (watched executions) and 4 (recovery). The real bot runs as a child process
 * (`src/cli/main.ts start`, what `npm start` runs) against the loopback Harness and Slack fakes in
 * this process, on a SQLite file seeded with N runs whose pipeline is already running: starting
 * the bot on it IS a restart with N unfinished runs. Pipelines then finish at random times; we
 * measure the bot's peak RSS and CPU, Harness and Slack requests, and the delay from the terminal
 * status in Harness to the Slack message update. Three phases on fresh copies of the same seed:
 * baseline (one status call per run, the pre-batching watcher), batched polling, batched + push.
 */
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarnessFake, type HarnessFake } from '../test/fakes/harness-fake.ts';
import { startSlackFake, type SlackFake } from '../test/fakes/slack-fake.ts';
import { spawnBot, type BotProcess } from '../test/support/bot-process.ts';
import { tempDir } from '../test/support/tmp.ts';
import { createStore } from '../src/store/index.ts';
import { createEngine } from '../src/engine/engine.ts';
import { harnessPipelineAction } from '../src/engine/actions/harness-pipeline.ts';
import { applyResult } from '../src/engine/transitions.ts';
import type { StepResult } from '../src/engine/ports.ts';
import type { RunRecord, StepRecord } from '../src/store/index.ts';
import { createIncidentService } from '../src/incidents/service.ts';
import { createHarnessClient } from '../src/harness/client.ts';
import { loadManifests } from '../src/manifests/load.ts';
import { createLogger } from '../src/log.ts';
import { systemClock } from '../src/engine/ports.ts';
import { HARNESS_SECRET_HEADER } from '../src/http/harness-events.ts';
import { procStats, waitForPort } from './proc.ts';
import { check, ms, percentile, printSection, round, until, type Check } from './stats.ts';
import { busiest } from '../test/support/windows.ts';

const ROOT = join(import.meta.dirname, '..');
const SECRET = 'bench-webhook-secret';
const POLL_MS = 2000;
const BUDGET = 600;
/** Lists are nearly all the watcher's calls now: 80% of the budget, the rest for executes/details. */
const LIST_BUDGET = BUDGET * 0.8;
/** After the last run finished, how long the Slack publisher may take to show the rest. */
const SLACK_CATCH_UP_MS = 60_000;

export interface WatchOptions {
  runs: number;
  projects: number;
  /** Pipelines finish uniformly within [finishFromMs, finishToMs] after the bot is up. */
  finishFromMs: number;
  finishToMs: number;
  /** Length of the baseline's measuring window. */
  baselineMs: number;
}

function runbookYaml(i: number): string {
  return `kind: Runbook
id: watch-p${i}
name: Watch bench ${i}
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: default
      project: proj-${i}
      pipeline: bench_pipe
      mode: wait
      timeout: 2h
      inputs: |
        pipeline:
          identifier: bench_pipe
`;
}

/** Seeds N waiting runs (real engine, real client, the fake executes them) over `projects` projects. */
async function seed(dir: string, fake: HarnessFake, slack: SlackFake, o: WatchOptions) {
  const manifests = join(dir, 'manifests');
  cpSync(join(ROOT, 'manifests'), manifests, { recursive: true });
  for (let i = 0; i < o.projects; i++) writeFileSync(join(manifests, `watch-${i}.yaml`), runbookYaml(i));
  const loaded = loadManifests(manifests);
  if (loaded.errors.length) throw new Error(`bench manifests: ${JSON.stringify(loaded.errors[0])}`);
  const catalog = () => loaded.catalog;
  const dbPath = join(dir, 'seed.db');
  const store = createStore(dbPath);
  const log = createLogger('silent');
  const harness = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: 'https://app.harness.io',
    apiKey: fake.apiKey,
    accountId: fake.accountId,
  });
  const engine = createEngine({
    store,
    catalog,
    clock: systemClock,
    log,
    harness,
    poll: { minMs: POLL_MS, maxMs: 30_000 },
    concurrency: 64,
  });
  const incidents = createIncidentService({ store, catalog, clock: systemClock, log });
  // One incident channel per 10 runs: Slack allows ~1 message/second/channel, as in real incidents.
  const channels = Math.max(1, Math.ceil(o.runs / 10));
  const incidentIds: string[] = [];
  store.tx(() => {
    for (let c = 0; c < channels; c++) {
      const ch = slack.addChannel({ name: `bench-inc-${c}` });
      incidentIds.push(
        incidents.declare(
          { summary: `Bench ${c}`, severity: 'P2', service: 'checkout', environment: 'prod', channel: ch.id },
          'U111',
        ).id,
      );
    }
  });
  fake.program('bench_pipe', { statuses: ['Running'] });
  // All runs are recorded in one transaction (10,000 separate commits would dominate the seed).
  const runs = store.tx(() =>
    Array.from({ length: o.runs }, (_, r) =>
      engine.startRun({
        runbookId: `watch-p${r % o.projects}`,
        incidentId: incidentIds[r % channels]!,
        requester: 'U111',
      }),
    ),
  );
  // Their pipelines are started by the real harness.pipeline action (HTTP execute into the fake),
  // 64 at a time; what the engine records for a started step is then written in ONE transaction
  // with the engine's own transition (claim, then applyResult), instead of two commits per run.
  const now = Date.now();
  const deps = { store, harness, poll: { minMs: POLL_MS, maxMs: 30_000 } };
  const started: { run: RunRecord; step: StepRecord; result: StepResult }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const step = store.runs.steps(run.id)[0]!;
      const spec = run.runbook.steps[0]!;
      const ctx = { run, step, spec, incident: null, scope: {}, now, deps, log };
      started.push({ run, step, result: await harnessPipelineAction.start(ctx) });
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  store.tx(() => {
    for (const { run, step, result } of started) {
      const spec = run.runbook.steps[0]!;
      const timeout = harnessPipelineAction.timeoutMs?.(spec);
      const claim = {
        status: 'running' as const,
        dispatching: true,
        attempts: step.attempts + 1,
        startedAt: now,
        deadlineAt: timeout ? now + timeout : null,
        nextAttemptAt: null,
      };
      if (!store.runs.updateStep(run.id, step.idx, claim, ['pending']))
        throw new Error(`bench seed: ${run.id}`);
      applyResult(store, run, { ...step, ...claim }, result, now);
    }
  });
  const waiting = store.db
    .prepare(`SELECT COUNT(*) AS n FROM run_steps WHERE status = 'running' AND external_id IS NOT NULL`)
    .get() as { n: number };
  store.close();
  if (waiting.n !== o.runs) throw new Error(`bench seed: ${waiting.n} of ${o.runs} runs are waiting`);
  return { dbPath, manifests };
}

interface PhaseResult {
  name: string;
  recoveryMs: number;
  /** Harness requests until every run was watched again. */
  recoveryCalls: number;
  listCalls: number;
  detailCalls: number;
  harnessPerMinPerRun: number;
  harnessPerMin: number;
  peakHarnessPerMin: number;
  slackPerSec: number;
  peakSlackPerSec: number;
  delays: number[];
  /** Terminal status in Harness → run finished in SQLite. */
  recorded: number[];
  rssPeakMb: number;
  cpuS: number;
  finished: number;
  /** How long after the last run finished the bench waited for Slack messages. */
  slackWaitMs: number;
  /** The Slack Web API calls the bot made during the phase (for the tier checks). */
  slackCalls: { method: string; at: number; channel: string }[];
}

async function phase(
  name: string,
  mode: 'single' | 'batch',
  push: boolean,
  seedDb: string,
  manifests: string,
  dir: string,
  fake: HarnessFake,
  slack: SlackFake,
  o: WatchOptions,
): Promise<PhaseResult> {
  const dbPath = join(dir, `${name}.db`);
  copyFileSync(seedDb, dbPath);
  const startedAt = Date.now();
  // Every phase starts from the same picture: all pipelines running, every step due right now.
  const rw = new Database(dbPath);
  rw.prepare(`UPDATE run_steps SET next_attempt_at = ? WHERE status = 'running'`).run(startedAt);
  rw.close();
  const db = new Database(dbPath, { readonly: true });
  const steps = db
    .prepare(`SELECT run_id AS runId, external_id AS executionId FROM run_steps WHERE status = 'running'`)
    .all() as { runId: string; executionId: string }[];
  for (const s of steps) fake.setStatus(s.executionId, 'Running');
  const harnessBefore = fake.requests.length;
  const slackBefore = slack.calls.length;
  const bot: BotProcess = spawnBot({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_API_URL: slack.url,
    HARNESS_BASE_URL: fake.url,
    HARNESS_API_KEY: fake.apiKey,
    HARNESS_ACCOUNT_ID: fake.accountId,
    HARNESS_WATCH_MODE: mode,
    HARNESS_RATE_LIMIT_PER_MIN: String(mode === 'single' ? 5000 : BUDGET),
    HARNESS_LIST_BUDGET_PER_MIN: String(LIST_BUDGET),
    HARNESS_WEBHOOK_SECRET: SECRET,
    DATABASE_PATH: dbPath,
    MANIFESTS_DIR: manifests,
    POLL_INTERVAL_MS: String(POLL_MS),
    LOG_LEVEL: 'warn',
  });
  const pid = bot.child.pid!;
  // A bench that fails half-way must not leave the bot running.
  const killOnExit = () => bot.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let port = 0;
  // Recovery: until every unfinished run has been read again by the new process.
  const rescheduled = db.prepare(
    `SELECT COUNT(*) AS n FROM run_steps WHERE status = 'running' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`,
  );
  await until(
    'every run watched again',
    () => (rescheduled.get(startedAt) as { n: number }).n === 0,
    // The baseline reads 10,000 runs one call each at 5000/min: about two minutes.
    360_000,
    25,
  );
  const recoveryMs = Date.now() - startedAt;
  const recoveryCalls = fake.requests.length - harnessBefore;
  if (push) {
    // The port is in the bot's start log line (LOG_LEVEL warn hides it: ask /proc instead).
    port = await waitForPort(pid);
  }

  const samples: { t: number; harness: number; slack: number }[] = [];
  const sampler = setInterval(
    () => samples.push({ t: Date.now(), harness: fake.requests.length, slack: slack.calls.length }),
    1000,
  );
  const terminalAt = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  const watchStart = Date.now();
  let slackWaitMs = 0;
  let doneAt: number | undefined;
  let harnessAtDone: number | undefined;
  const harnessAtWatch = fake.requests.length;
  if (mode === 'batch') {
    for (const s of steps) {
      const at = o.finishFromMs + Math.random() * (o.finishToMs - o.finishFromMs);
      timers.push(
        setTimeout(() => {
          fake.setStatus(s.executionId, 'Success');
          terminalAt.set(s.runId, Date.now());
          if (push) void notify(port, s.executionId);
        }, at),
      );
    }
    const finished = db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state = 'running'`);
    await until(
      'every run finished',
      () => (finished.get() as { n: number }).n === 0,
      o.finishToMs + 180_000,
      250,
    );
    doneAt = Date.now();
    harnessAtDone = fake.requests.length;
    // Let the Slack publisher catch up (its own pacing: Slack's per-method budgets), up to a minute.
    const slackWaitFrom = Date.now();
    while (Date.now() - slackWaitFrom < SLACK_CATCH_UP_MS) {
      if (slackDelays(db, slack, terminalAt).length >= terminalAt.size) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    slackWaitMs = Date.now() - slackWaitFrom;
  } else {
    await new Promise((r) => setTimeout(r, o.baselineMs));
  }
  doneAt ??= Date.now();
  harnessAtDone ??= fake.requests.length;
  clearInterval(sampler);
  timers.forEach(clearTimeout);
  const stats = procStats(pid);
  // Harness rates over the watching itself (until every run finished); Slack over the whole phase.
  const elapsedMin = (doneAt - watchStart) / 60_000;
  const slackMin = (Date.now() - watchStart) / 60_000;
  bot.child.kill('SIGTERM');
  await bot.exited;
  process.off('exit', killOnExit);

  // Requests from the moment every run was watched (the recovery's own calls are counted apart).
  const phaseReqs = fake.requests.slice(harnessAtWatch, harnessAtDone);
  const hReqs = phaseReqs.length;
  const listCalls = phaseReqs.filter((r) => r.route === 'list').length;
  const detailCalls = phaseReqs.filter((r) => r.route === 'status').length;
  const sReqs = slack.calls.length - slackBefore;
  const slackCalls = slack.calls.slice(slackBefore).map((c) => ({
    method: c.method,
    at: c.at,
    channel: String((c.args as { channel?: unknown } | null)?.channel ?? ''),
  }));
  // Harness: the most requests in any 60 s (the budget's unit; the whole phase when shorter).
  // Slack: the most in any 1 s.
  const span = Math.min(60, samples.length - 1);
  const hWindows = samples
    .slice(span)
    .map((x, i) => ((x.harness - samples[i]!.harness) * 60) / Math.max(1, span));
  const sWindows = samples.slice(1).map((x, i) => x.slack - samples[i]!.slack);
  const delays: number[] = [];
  const recorded: number[] = [];
  const finishedAt = db.prepare(`SELECT finished_at AS at FROM runs WHERE id = ?`);
  for (const [runId, t] of terminalAt) {
    const row = finishedAt.get(runId) as { at: number | null } | undefined;
    if (row?.at) recorded.push(row.at - t);
  }
  delays.push(...slackDelays(db, slack, terminalAt));
  db.close();
  return {
    name,
    recoveryMs,
    recoveryCalls,
    listCalls,
    detailCalls,
    harnessPerMin: hReqs / elapsedMin,
    harnessPerMinPerRun: hReqs / elapsedMin / o.runs,
    peakHarnessPerMin: Math.max(0, ...hWindows),
    slackPerSec: sReqs / (slackMin * 60),
    peakSlackPerSec: Math.max(0, ...sWindows),
    delays,
    recorded,
    rssPeakMb: stats.rssPeakMb,
    cpuS: stats.cpuS,
    finished: delays.length,
    slackWaitMs,
    slackCalls,
  };
}

/** Slack's tiers as the bot is configured for them (src/config.ts defaults; README "Slack rate limits"). */
const SLACK_UPDATES_PER_MIN = 50;
const SLACK_POSTS_PER_MIN = 300;

function slackTiers(r: PhaseResult) {
  const of = (m: string) => r.slackCalls.filter((c) => c.method === m);
  const posts = of('chat.postMessage');
  const byChannel = new Map<string, number[]>();
  for (const c of posts) byChannel.set(c.channel, [...(byChannel.get(c.channel) ?? []), c.at]);
  return {
    updatesPerMin: busiest(
      of('chat.update').map((c) => c.at),
      60_000,
    ),
    postsPerMin: busiest(
      posts.map((c) => c.at),
      60_000,
    ),
    // Slack tolerates short bursts; the bot paces 1/s per channel, so 2 in a second is the ceiling.
    postsPerChannelSecond: Math.max(0, ...[...byChannel.values()].map((t) => busiest(t, 1000))),
  };
}

/** Terminal status in Harness → the run's Slack message first showing "succeeded", per run. */
function slackDelays(db: Database.Database, slack: SlackFake, terminalAt: Map<string, number>): number[] {
  const delays: number[] = [];
  const msgRows = db.prepare(`SELECT run_id AS runId, channel, ts FROM run_messages`).all() as {
    runId: string;
    channel: string;
    ts: string;
  }[];
  const byChannel = new Map<string, Map<string, ReturnType<SlackFake['messages']>[number]>>();
  for (const m of msgRows) {
    const t = terminalAt.get(m.runId);
    if (t === undefined) continue;
    let index = byChannel.get(m.channel);
    if (!index) {
      index = new Map(slack.messages(m.channel).map((x) => [x.ts, x]));
      byChannel.set(m.channel, index);
    }
    const hit = index
      .get(m.ts)
      ?.history.find((h) => h.at >= t && /succeeded/i.test(`${h.text} ${JSON.stringify(h.blocks ?? [])}`));
    if (hit) delays.push(hit.at - t);
  }
  return delays;
}

async function notify(port: number, executionId: string): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/api/harness/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [HARNESS_SECRET_HEADER]: SECRET },
    body: JSON.stringify({ eventData: { planExecutionId: executionId, eventType: 'PipelineEnd' } }),
  }).catch(() => undefined);
}

export async function benchWatch(o: WatchOptions): Promise<Check[]> {
  const tmp = tempDir('runbook-bot-bench-watch-');
  const fake = await startHarnessFake();
  const slack = await startSlackFake();
  try {
    const t0 = Date.now();
    const { dbPath, manifests } = await seed(tmp.dir, fake, slack, o);
    console.log(
      `  (seeded ${o.runs} waiting runs over ${o.projects} projects in ${round((Date.now() - t0) / 1000, 1)} s)`,
    );
    const base = await phase('baseline', 'single', false, dbPath, manifests, tmp.dir, fake, slack, o);
    const poll = await phase('batched', 'batch', false, dbPath, manifests, tmp.dir, fake, slack, o);
    const push = await phase('batched-push', 'batch', true, dbPath, manifests, tmp.dir, fake, slack, o);
    // The same bot at an everyday load (30 runs, 3 projects, finishing over 45 s): here Slack's
    // budgets have room, so what push buys shows end to end (Harness → SQLite → Slack).
    const lightDir = join(tmp.dir, 'light');
    mkdirSync(lightDir);
    const lo: WatchOptions = {
      runs: 30,
      projects: 3,
      finishFromMs: 5_000,
      finishToMs: 50_000,
      baselineMs: 0,
    };
    const lightSeed = await seed(lightDir, fake, slack, lo);
    const light = await phase(
      'light-push',
      'batch',
      true,
      lightSeed.dbPath,
      lightSeed.manifests,
      lightDir,
      fake,
      slack,
      lo,
    );
    const line = (r: PhaseResult) =>
      `${r.name.padEnd(13)} Harness ${round(r.harnessPerMin, 0)} req/min (busiest minute ${round(r.peakHarnessPerMin, 0)}), ` +
      `${round(r.harnessPerMinPerRun, 3)} req/min per watched run (${r.listCalls} list, ${r.detailCalls} detail calls); Slack ${round(r.slackPerSec, 1)} req/s (busiest second ${round(r.peakSlackPerSec, 0)}); ` +
      `peak RSS ${round(r.rssPeakMb, 0)} MB; CPU ${round(r.cpuS, 1)} s` +
      (r.delays.length
        ? `; terminal→recorded p50 ${ms(percentile(r.recorded, 50))}, p95 ${ms(percentile(r.recorded, 95))}` +
          `; terminal→Slack p50 ${ms(percentile(r.delays, 50))}, p95 ${ms(percentile(r.delays, 95))} (${r.delays.length} runs)`
        : '');
    const recLines = [base, poll, push]
      .map((r) => `${r.name}: ${ms(r.recoveryMs)} (${r.recoveryCalls} Harness calls)`)
      .join(', ');
    const checks = [
      check(
        `batched Harness requests within the budget (${BUDGET}/min, Harness allows 1000)`,
        poll.peakHarnessPerMin <= BUDGET * 1.05 && push.peakHarnessPerMin <= BUDGET * 1.05,
        `peaks ${round(poll.peakHarnessPerMin, 0)} and ${round(push.peakHarnessPerMin, 0)} req/min`,
      ),
      check(
        'every run finished and was recorded exactly when Harness said so',
        poll.recorded.length === o.runs && push.recorded.length === o.runs,
        `runs recorded: ${poll.recorded.length} and ${push.recorded.length} of ${o.runs}`,
      ),
      check(
        `Slack calls within Slack's tiers (chat.update ≤ ${SLACK_UPDATES_PER_MIN}/min, chat.postMessage ≤ ${SLACK_POSTS_PER_MIN}/min and ≤ 2 in any second per channel)`,
        [poll, push].every((r) => {
          const t = slackTiers(r);
          return (
            t.updatesPerMin <= SLACK_UPDATES_PER_MIN * 1.05 &&
            t.postsPerMin <= SLACK_POSTS_PER_MIN * 1.05 &&
            t.postsPerChannelSecond <= 2
          );
        }),
        [poll, push]
          .map((r) => {
            const t = slackTiers(r);
            return `${r.name}: busiest minute ${t.updatesPerMin} updates, ${t.postsPerMin} posts; busiest channel-second ${t.postsPerChannelSecond}`;
          })
          .join('; '),
      ),
      check(
        'with push, a finished pipeline is recorded 10× sooner than by polling alone (p50)',
        percentile(push.recorded, 50) * 10 <= percentile(poll.recorded, 50),
        `${ms(percentile(push.recorded, 50))} vs ${ms(percentile(poll.recorded, 50))}`,
      ),
      check(
        'everyday load (30 runs): with push, a finished pipeline is recorded within a second (p50)',
        light.recorded.length === lo.runs && percentile(light.recorded, 50) < 1000,
        `${ms(percentile(light.recorded, 50))} (p95 ${ms(percentile(light.recorded, 95))}, ${light.recorded.length} of ${lo.runs} runs)`,
      ),
      check(
        'everyday load (30 runs): with push, a finished pipeline shows in Slack within a second (p50)',
        light.finished === lo.runs && percentile(light.delays, 50) < 1000,
        `${ms(percentile(light.delays, 50))} (p95 ${ms(percentile(light.delays, 95))}, ${light.finished} of ${lo.runs} messages)`,
      ),
    ];
    printSection(
      `2. Watched executions: ${o.runs} wait-mode runs over ${o.projects} projects, finishing over ${round(o.finishToMs / 60_000, 1)} min`,
      [
        line(base) +
          ` (measured ${round(o.baselineMs / 1000, 0)} s, nothing finishing; budget raised to 5000/min to show the demand)`,
        line(poll),
        line(push),
        `ratio Harness req/min per run, baseline / batched: ${round(base.harnessPerMinPerRun / poll.harnessPerMinPerRun, 1)}×; batched+push / batched: ${round(push.harnessPerMinPerRun / poll.harnessPerMinPerRun, 2)}×`,
        `ratio terminal→Slack p50, batched / batched+push: ${round(percentile(poll.delays, 50) / percentile(push.delays, 50), 1)}×`,
        `Slack shows the rest at its own pace: ${poll.finished} and ${push.finished} of ${o.runs} messages showed the result ` +
          `${round(poll.slackWaitMs / 1000, 0)} s and ${round(push.slackWaitMs / 1000, 0)} s after the last run finished; at ` +
          `${SLACK_UPDATES_PER_MIN} chat.update/min the remaining ${o.runs - push.finished} need ~${round((o.runs - push.finished) / SLACK_UPDATES_PER_MIN, 0)} min more`,
        line(light) + ' (everyday load: 30 runs over 3 projects finishing over 45 s)',
      ],
      checks,
    );
    const recovery = [
      check(
        'batched watcher: every run watched again within 10 s of start',
        Math.max(poll.recoveryMs, push.recoveryMs) < 10_000,
        recLines,
      ),
    ];
    printSection(
      `4. Recovery: start on a database with ${o.runs} unfinished runs; time until every run was read again`,
      [recLines, `baseline = the unbatched watcher (one status call per run, budget 5000/min)`],
      recovery,
    );
    return [...checks, ...recovery];
  } finally {
    await fake.close();
    await slack.close();
    tmp.cleanup();
  }
}
