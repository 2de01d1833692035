import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../src/errors.ts';
import { setupEngine, runToEnd } from '../support/engine-setup.ts';
import { rollbackWith, setupTriggers, P1_INCIDENT, type TriggerSetup } from '../support/trigger-setup.ts';
import type { RunRecord } from '../../src/store/index.ts';

const MIN = 60_000;
const onCreatedP1 = { on: 'incident.created', when: { severity: { at_least: 'P1' } } };

/** An incident declared at P1 whose created-trigger requested one run; returns that run. */
async function awaitingRun(over: Record<string, unknown> = {}, opts: { dir?: string } = {}) {
  const s = await setupTriggers([rollbackWith({ triggers: [onCreatedP1], ...over })], opts);
  s.fake.program('rollback_service', { statuses: ['Running', 'Success'] });
  const inc = s.incidents.declare({ ...P1_INCIDENT }, 'api');
  const run = s.store.runs.forIncident(inc.id)[0]!;
  assert.equal(run.state, 'awaiting_approval');
  return { s, inc, run };
}

const kinds = (s: TriggerSetup, run: RunRecord) => s.store.timeline.forRun(run.id).map((e) => e.kind);
const audits = (s: TriggerSetup, run: RunRecord) =>
  s.store.audit
    .recent(500)
    .filter((a) => a.subject === run.id)
    .map((a) => `${a.action}:${a.actor ?? '-'}`)
    .reverse();

test('approve → the run starts and executes exactly once; timeline and audit say who and when', async () => {
  const { s, run } = await awaitingRun();
  try {
    s.clock.advance(2 * MIN);
    const r = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' });
    assert.equal(r.applied, true);
    assert.equal(r.run.state, 'running');
    assert.equal(r.run.approver, 'U0CMD');
    assert.equal(r.run.decidedBy, 'U0CMD');
    assert.equal(r.run.decidedAt, s.clock.now());
    await runToEnd(s, run.id);
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
    assert.equal(s.fake.requestsTo('execute').length, 1);
    const approved = s.store.timeline.forRun(run.id).find((e) => e.kind === 'run.approved')!;
    assert.match(approved.text, /^Approved by <@U0CMD>: RUN-\d+ \(P1 - Emergency Rollback\) starts$/);
    assert.deepEqual([approved.actor, approved.at, approved.key], ['U0CMD', r.run.decidedAt, true]);
    assert.deepEqual(audits(s, run).slice(0, 3), [
      'run.request:-',
      'run.approval_request:-',
      'run.approve:U0CMD',
    ]);
    const again = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0OTHER' });
    assert.equal(again.applied, false);
    assert.match(
      again.reason!,
      /cannot be decided: it was approved by <@U0CMD> at 14:02 UTC and is succeeded/,
    );
    assert.equal(s.fake.requestsTo('execute').length, 1);
    assert.ok(s.changes.indexOf(`${run.id}:awaiting_approval`) < s.changes.indexOf(`${run.id}:running`));
  } finally {
    await s.cleanup();
  }
});

test('reject → rejected, steps skipped, nothing executes; a later approve is refused', async () => {
  const { s, run } = await awaitingRun();
  try {
    const r = await s.engine.decide(run.id, { decision: 'reject', actor: 'U0CMD' });
    assert.equal(r.applied, true);
    assert.equal(r.run.state, 'rejected');
    assert.equal(r.run.approver, null);
    assert.equal(r.run.decidedBy, 'U0CMD');
    assert.deepEqual(
      s.store.runs.steps(run.id).map((x) => [x.status, x.skipReason]),
      [
        ['skipped', 'run rejected'],
        ['skipped', 'run rejected'],
        ['skipped', 'run rejected'],
      ],
    );
    assert.ok(kinds(s, run).includes('run.rejected'));
    const ev = s.store.timeline.forRun(run.id).find((e) => e.kind === 'run.rejected')!;
    assert.match(ev.text, /^Rejected by <@U0CMD>: RUN-\d+ .* will not run$/);
    assert.ok(audits(s, run).includes('run.reject:U0CMD'));
    const late = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0LEAD' });
    assert.deepEqual([late.applied, late.run.state], [false, 'rejected']);
    assert.match(late.reason!, /it was rejected by <@U0CMD>/);
    await s.engine.drain();
    assert.equal(s.fake.requestsTo('execute').length, 0);
    assert.ok(s.changes.includes(`${run.id}:rejected`));
  } finally {
    await s.cleanup();
  }
});

test('expiry: after approval_timeout (default 30m) the sweep expires the request, once; custom timeout', async () => {
  const { s, run } = await awaitingRun();
  try {
    s.clock.advance(29 * MIN);
    assert.equal(s.engine.expireApprovals(), 0);
    s.clock.advance(MIN);
    assert.equal(s.engine.expireApprovals(), 1);
    assert.equal(s.engine.expireApprovals(), 0, 'a second sweep finds nothing');
    const done = s.store.runs.get(run.id)!;
    assert.deepEqual([done.state, done.decidedAt, done.decidedBy], ['expired', s.clock.now(), null]);
    const ev = s.store.timeline.forRun(run.id).find((e) => e.kind === 'run.approval_expired')!;
    assert.ok(ev.key);
    assert.match(
      ev.text,
      /^Approval of RUN-\d+ \(P1 - Emergency Rollback\) expired after 30m 00s without a decision/,
    );
    assert.ok(audits(s, run).includes('run.approval_expire:-'));
    const late = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' });
    assert.equal(late.applied, false);
    assert.match(late.reason!, /its approval request expired at 14:30 UTC/);
    assert.ok(s.changes.includes(`${run.id}:expired`));
  } finally {
    await s.cleanup();
  }
  const short = await awaitingRun({ approval_timeout: '5m' });
  try {
    assert.equal(short.run.approvalExpiresAt, short.run.createdAt + 5 * MIN);
    short.s.clock.advance(5 * MIN);
    assert.equal(short.s.engine.expireApprovals(), 1);
  } finally {
    await short.s.cleanup();
  }
});

test('20 concurrent decide calls (approve and reject, many people) → one decision, at most one execute', async () => {
  const { s, run } = await awaitingRun();
  try {
    const calls = Array.from({ length: 20 }, (_, i) =>
      s.engine.decide(run.id, { decision: i % 3 === 1 ? 'reject' : 'approve', actor: `U0CMD${i}` }),
    );
    const results = await Promise.all(calls);
    assert.equal(results.filter((r) => r.applied).length, 1);
    const winner = results.findIndex((r) => r.applied);
    await runToEnd(s, run.id);
    const decided = s.store.timeline
      .forRun(run.id)
      .filter((e) => ['run.approved', 'run.rejected'].includes(e.kind));
    assert.equal(decided.length, 1);
    assert.equal(decided[0]!.actor, `U0CMD${winner}`);
    assert.equal(s.fake.requestsTo('execute').length, winner % 3 === 1 ? 0 : 1);
  } finally {
    await s.cleanup();
  }
});

test('two engine instances on one SQLite file decide concurrently → one decision, one execute', async () => {
  const { s, run } = await awaitingRun();
  const s2 = await setupEngine([], { dir: s.dir, fake: s.fake });
  try {
    s2.clock.t = s.clock.t;
    const calls = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? s2 : s).engine.decide(run.id, { decision: 'approve', actor: `U0CMD${i}` }),
    );
    const results = await Promise.all(calls);
    assert.equal(results.filter((r) => r.applied).length, 1);
    // Both engines tick the same file until the run ends.
    for (let i = 0; i < 50 && s.store.runs.get(run.id)!.state !== 'succeeded'; i++) {
      await Promise.all([s.engine.drain(), s2.engine.drain()]);
      s.clock.advance(1000);
      s2.clock.advance(1000);
    }
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
    assert.equal(s.fake.requestsTo('execute').length, 1);
  } finally {
    s2.store.close();
    await s.cleanup();
  }
});

test('processes clicking at the same instant (4 processes × 5 calls) → exactly one applies', async () => {
  const { s, run } = await awaitingRun();
  const goFile = join(s.dir, 'go');
  try {
    let ready = 0;
    let go: () => void = () => {};
    const allReady = new Promise<void>((r) => (go = r));
    const worker = (i: number) =>
      new Promise<{ applied: number; errors: number }>((resolve, reject) => {
        const args = [
          'test/support/decide-worker.ts',
          s.dbPath,
          run.id,
          `U0W${i}`,
          'approve',
          '5',
          goFile,
          String(s.clock.t),
        ];
        const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        let isReady = false;
        child.stdout.on('data', (d) => {
          out += d;
          if (!isReady && out.includes('ready\n')) {
            isReady = true;
            if (++ready === 4) go();
          }
        });
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) =>
          code === 0 ? resolve(JSON.parse(out.slice(6))) : reject(new Error(`worker ${i}: ${err}`)),
        );
      });
    const running = [0, 1, 2, 3].map(worker);
    await allReady;
    writeFileSync(goFile, '');
    const results = await Promise.all(running);
    assert.deepEqual(
      results.reduce((a, r) => ({ applied: a.applied + r.applied, errors: a.errors + r.errors })),
      { applied: 1, errors: 0 },
    );
    const after = s.store.runs.get(run.id)!;
    assert.equal(after.state, 'running');
    assert.match(after.approver!, /^U0W[0-3]$/);
    await runToEnd(s, run.id);
    assert.equal(s.fake.requestsTo('execute').length, 1);
    assert.equal(s.store.timeline.forRun(run.id).filter((e) => e.kind === 'run.approved').length, 1);
  } finally {
    await s.cleanup();
  }
});

test('approve with edited inputs: invalid → INPUT_INVALID and nothing decided; valid → used for the run', async () => {
  const { s, run } = await awaitingRun();
  try {
    await assert.rejects(
      s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD', inputs: { environment: 'staging' } }),
      (e: unknown) =>
        e instanceof AppError &&
        e.code === 'INPUT_INVALID' &&
        /environment must be one of dev, qa, prod; got "staging"/.test(e.message),
    );
    await assert.rejects(
      s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD', inputs: { enviroment: 'qa' } }),
      /enviroment is not an input of this runbook \(inputs: environment\)/,
    );
    const still = s.store.runs.get(run.id)!;
    assert.deepEqual(
      [still.state, still.decidedAt, still.inputs],
      ['awaiting_approval', null, { environment: 'prod' }],
    );
    assert.ok(!kinds(s, run).includes('run.approved'));

    const r = await s.engine.decide(run.id, {
      decision: 'approve',
      actor: 'U0CMD',
      inputs: { environment: 'qa' },
    });
    assert.equal(r.applied, true);
    assert.deepEqual(r.run.inputs, { environment: 'qa' });
    const ev = s.store.timeline.forRun(run.id).find((e) => e.kind === 'run.approved')!;
    assert.match(ev.text, /^Approved by <@U0CMD> with edited inputs environment="qa": /);
    assert.deepEqual(ev.data, { inputs: { environment: 'qa' } });
    await runToEnd(s, run.id);
    const [exec] = s.fake.requestsTo('execute');
    const sent = parse(exec!.body);
    assert.equal(sent.pipeline.variables[1].value, 'qa');
    assert.equal(s.store.runs.steps(run.id)[0]!.resolvedYaml, exec!.body);
  } finally {
    await s.cleanup();
  }
});

test('approval re-checks the trigger: severity lowered or resolved → needs confirmation; force runs it', async () => {
  const { s, inc, run } = await awaitingRun();
  try {
    s.incidents.update(inc.id, { severity: 'P3' }, 'U0SRE');
    const r = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' });
    assert.equal(r.applied, false);
    assert.equal(r.run.state, 'awaiting_approval');
    assert.match(
      r.needsConfirmation!,
      /^INC-\d+ no longer matches the trigger: the condition no longer holds: severity="?P3"? at_least P1 ✗$/,
    );
    assert.ok(!kinds(s, run).includes('run.approved'));

    s.incidents.resolve(inc.id, 'U0SRE');
    const res = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' });
    assert.match(res.needsConfirmation!, /is now resolved/);

    const forced = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD', force: true });
    assert.equal(forced.applied, true);
    const ev = s.store.timeline.forRun(run.id).find((e) => e.kind === 'run.approved')!;
    assert.match(
      ev.text,
      /starts \(confirmed although INC-\d+ no longer matches the trigger: INC-\d+ is now resolved\)$/,
    );
    assert.ok(s.store.audit.recent().some((a) => a.action === 'run.approve' && a.detail?.forced));
    await runToEnd(s, run.id);
    assert.equal(s.fake.requestsTo('execute').length, 1);
  } finally {
    await s.cleanup();
  }
  // Rejecting needs no confirmation.
  const b = await awaitingRun();
  try {
    b.s.incidents.update(b.inc.id, { severity: 'P4' }, 'U0SRE');
    const r = await b.s.engine.decide(b.run.id, { decision: 'reject', actor: 'U0CMD' });
    assert.equal(r.applied, true);
  } finally {
    await b.s.cleanup();
  }
});

test('restart with a pending approval: a new engine on the same file sees it awaiting and can decide it', async () => {
  const { s, run } = await awaitingRun();
  const s2 = await setupEngine([], { dir: s.dir, fake: s.fake }).catch((e) => {
    throw e;
  });
  try {
    s.store.close();
    assert.deepEqual(s2.engine.recover(), { unknown: 0, redone: 0, begun: 0 });
    s2.clock.t = s.clock.t + 10 * MIN;
    const seen = s2.store.runs.get(run.id)!;
    assert.equal(seen.state, 'awaiting_approval');
    assert.equal(seen.approvalExpiresAt, run.approvalExpiresAt);
    assert.equal(s2.engine.expireApprovals(), 0, 'not expired 10 minutes in');
    const r = await s2.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' });
    assert.equal(r.applied, true);
    await runToEnd(s2, run.id);
    assert.equal(s2.store.runs.get(run.id)!.state, 'succeeded');
    assert.equal(s.fake.requestsTo('execute').length, 1);
  } finally {
    s2.store.close();
    await s.cleanup();
  }
});

test('manual runs: access.approval required / {when} / none, and the approval option of startRun', async () => {
  const whenProd = rollbackWith({
    id: 'when-prod',
    aliases: [],
    access: { approval: { when: { 'inputs.environment': { equals: 'prod' } } } },
  });
  const always = rollbackWith({ id: 'always', aliases: [], access: { approval: 'required' } });
  const s = await setupTriggers([whenProd, always, rollbackWith({ id: 'plain', aliases: [] })]);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT }, 'U0SRE');
    const start = (runbookId: string, extra: Record<string, unknown> = {}) =>
      s.engine.startRun({ runbookId, incidentId: inc.id, requester: 'U0REQ', ...extra });
    const prod = start('when-prod', { inputs: { environment: 'prod' } });
    assert.equal(prod.state, 'awaiting_approval');
    const req = s.store.timeline.forRun(prod.id).find((e) => e.kind === 'run.approval_requested')!;
    assert.equal(req.actor, 'U0REQ');
    assert.match(req.text, /approval is required when inputs\.environment="prod" equals prod ✓/);
    assert.equal(start('when-prod', { inputs: { environment: 'dev' } }).state, 'running');
    assert.equal(start('always').state, 'awaiting_approval');
    assert.equal(start('always', { approval: 'none' }).state, 'running');
    assert.equal(start('plain').state, 'running');
    assert.equal(start('plain', { approval: 'required' }).state, 'awaiting_approval');
    // The engine records; it does not authorise (canDecide does): the requester's own approve applies here.
    const r = await s.engine.decide(prod.id, { decision: 'approve', actor: 'U0LEAD' });
    assert.deepEqual([r.applied, r.run.state, r.run.requester], [true, 'running', 'U0REQ']);
  } finally {
    await s.cleanup();
  }
});

test('bad decide calls name what is wrong; cancelling an awaiting run ends the request', async () => {
  const { s, run } = await awaitingRun();
  try {
    await assert.rejects(
      s.engine.decide('RUN-999', { decision: 'approve', actor: 'U0CMD' }),
      /No run RUN-999/,
    );
    await assert.rejects(
      s.engine.decide(run.id, { decision: 'maybe' as never, actor: '' }),
      /decision must be approve or reject, got "maybe"; actor must be the deciding user id/,
    );
    await s.engine.cancelRun(run.id, 'U0SRE');
    const r = await s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' });
    assert.deepEqual([r.applied, r.run.state], [false, 'cancelled']);
    assert.equal(s.engine.expireApprovals(), 0);
  } finally {
    await s.cleanup();
  }
});

test('the node-cron sweep expires due requests on its own', async () => {
  const { startScheduler } = await import('../../src/engine/scheduler.ts');
  const { createLogger } = await import('../../src/log.ts');
  const { s, run } = await awaitingRun();
  const sched = startScheduler(s.engine, createLogger('silent'), '0 0 1 1 *', '* * * * * *');
  try {
    s.clock.advance(31 * MIN);
    for (let i = 0; i < 40 && s.store.runs.get(run.id)!.state === 'awaiting_approval'; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.store.runs.get(run.id)!.state, 'expired');
  } finally {
    await sched.stop();
    await s.cleanup();
  }
});
