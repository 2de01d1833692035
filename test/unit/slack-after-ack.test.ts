import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createAfterAckQueue } from '../../src/slack/after-ack.ts';
import { createLogger } from '../../src/log.ts';

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (c, _e, cb) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), cb()),
  });
  return { log: createLogger('info', sink), lines };
}

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('after-ack: nothing runs in the pushing tick; modals first, then replies, then background, FIFO within', async () => {
  const { log } = logSink();
  const q = createAfterAckQueue({ log, concurrency: 100, sliceMs: 1000 });
  const order: string[] = [];
  q.push('background', 'b1', () => order.push('b1'));
  q.push('reply', 'r1', () => order.push('r1'));
  q.push('modal', 'm1', () => order.push('m1'));
  q.push('reply', 'r2', () => order.push('r2'));
  q.push('modal', 'm2', () => order.push('m2'));
  assert.deepEqual(order, [], 'jobs wait for the event loop to come back');
  assert.equal(q.depth(), 5);
  await tick();
  await tick();
  assert.deepEqual(order, ['m1', 'm2', 'r1', 'r2', 'b1']);
  assert.equal(q.depth(), 0);
});

test('after-ack: work that is ready when a job is queued runs before the job starts', async () => {
  const { log } = logSink();
  const q = createAfterAckQueue({ log });
  const order: string[] = [];
  // Two callbacks of one event-loop phase stand in for two requests read in one poll phase: the
  // first acks and queues its follow-up; the second must not wait for that follow-up (a job run
  // straight after ack() would slip in between, as microtasks run after each callback).
  // Immediates queued before a check phase all run in it, so the order is deterministic.
  await new Promise<void>((done) => {
    setImmediate(() => {
      order.push('request 1 acked');
      q.push('modal', 'm', () => order.push('request 1 follow-up'));
    });
    setImmediate(() => order.push('request 2 acked'));
    setTimeout(done, 20);
  });
  assert.deepEqual(order, ['request 1 acked', 'request 2 acked', 'request 1 follow-up']);
});

test('after-ack: at most `concurrency` jobs in flight; the rest start as others finish', async () => {
  const { log } = logSink();
  const q = createAfterAckQueue({ log, concurrency: 2, sliceMs: 1000 });
  let inFlight = 0;
  let peak = 0;
  let done = 0;
  for (let i = 0; i < 7; i++)
    q.push('reply', `j${i}`, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(5);
      inFlight--;
      done++;
    });
  await tick();
  assert.equal(q.running(), 2);
  assert.equal(q.depth(), 5);
  assert.equal(await q.drain(2000), true);
  assert.equal(done, 7);
  assert.equal(peak, 2);
});

test('after-ack: one turn starts jobs only for its time slice, then yields to I/O', async () => {
  const { log } = logSink();
  let clock = 0;
  const q = createAfterAckQueue({ log, concurrency: 100, sliceMs: 2, now: () => clock });
  const started: number[] = [];
  for (let i = 0; i < 6; i++)
    q.push('modal', `m${i}`, () => {
      started.push(i);
      clock += 1; // each job "costs" 1 ms
    });
  await tick();
  assert.deepEqual(started, [0, 1], 'a 2 ms slice fits two 1 ms jobs');
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
});

test('after-ack: jobs that waited urgentMs start regardless of the slice (a trigger_id expires)', async () => {
  const { log } = logSink();
  let clock = 0;
  const q = createAfterAckQueue({ log, concurrency: 100, sliceMs: 2, urgentMs: 500, now: () => clock });
  const started: number[] = [];
  for (let i = 0; i < 6; i++) q.push('modal', `m${i}`, () => void (started.push(i), (clock += 1)));
  clock = 600; // the loop was busy: every job has waited 600 ms by the time its turn comes
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
});

test('after-ack: waits are reported; failing jobs are logged by name and do not stop the queue', async () => {
  const { log, lines } = logSink();
  const waits: [string, number][] = [];
  let clock = 100;
  const depths: number[] = [];
  const q = createAfterAckQueue({
    log,
    now: () => clock,
    onStart: (p, ms) => waits.push([p, ms]),
    onPush: (n) => depths.push(n),
  });
  q.push('modal', 'throws', () => {
    throw new Error('boom');
  });
  q.push('reply', 'rejects', () => Promise.reject(new Error('no answer')));
  let ran = false;
  q.push('background', 'fine', () => void (ran = true));
  clock = 130;
  assert.equal(await q.drain(1000), true);
  assert.equal(ran, true);
  assert.deepEqual(depths, [1, 2, 3]);
  assert.deepEqual(waits, [
    ['modal', 30],
    ['reply', 30],
    ['background', 30],
  ]);
  const failed = lines.filter((l) => l.msg === 'slack listener failed');
  assert.deepEqual(
    failed.map((l) => [l.job, l.err]),
    [
      ['throws', 'boom'],
      ['rejects', 'no answer'],
    ],
  );
});

test('after-ack: drain times out on a job that hangs, and refuses jobs from then on', async () => {
  const { log, lines } = logSink();
  const q = createAfterAckQueue({ log });
  q.push('reply', 'hangs', () => new Promise(() => {}));
  await tick();
  const t0 = Date.now();
  assert.equal(await q.drain(50), false);
  assert.ok(Date.now() - t0 >= 45);
  let ran = false;
  q.push('modal', 'late', () => void (ran = true));
  await tick();
  await tick();
  assert.equal(ran, false);
  assert.equal(q.depth(), 0);
  assert.ok(lines.some((l) => l.job === 'late' && /shutting down/.test(String(l.msg))));
});

test('after-ack: drain on an idle queue answers at once', async () => {
  const { log } = logSink();
  assert.equal(await createAfterAckQueue({ log }).drain(10_000), true);
});
