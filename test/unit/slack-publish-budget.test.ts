/** The pure parts of the Slack live-message publisher: call budget, pending queue, reply batching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CallBudget } from '../../src/slack/budget.ts';
import { PublishQueue } from '../../src/slack/publish-queue.ts';
import { nextReplyBatch, MAX_REPLY_CHARS } from '../../src/slack/thread-batch.ts';
import { Pacer } from '../../src/slack/pacer.ts';
import type { TimelineEvent } from '../../src/store/index.ts';

/** Drives a budget greedily: every call starts at the earliest time it allows. */
function greedyStarts(b: CallBudget, calls: number, from = 0): number[] {
  const starts: number[] = [];
  let t = from;
  for (let i = 0; i < calls; i++) {
    t = b.nextAt(t);
    b.take(t);
    starts.push(t);
  }
  return starts;
}

const maxInWindow = (starts: number[], windowMs: number) =>
  Math.max(...starts.map((s) => starts.filter((x) => x >= s && x < s + windowMs).length));

test('budget: never more than `limit` calls in any window, nor more than `burst` in any second', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 400 }), (limit, calls) => {
      const b = new CallBudget({ limit });
      const starts = greedyStarts(b, calls);
      assert.ok(maxInWindow(starts, 60_000) <= limit, `limit ${limit}`);
      assert.ok(maxInWindow(starts, 1000) <= b.burst, `burst ${b.burst}`);
    }),
    { numRuns: 60 },
  );
});

test('budget: a minute of 50 calls is spent in bursts of 5, then waits for the window', () => {
  const b = new CallBudget({ limit: 50 });
  assert.equal(b.burst, 5);
  assert.equal(b.nextAt(5), 5, 'free at first');
  const starts = greedyStarts(b, 51);
  assert.deepEqual(starts.slice(0, 10), [0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000]);
  assert.ok(starts[49]! < 60_000, 'the whole minute is usable');
  assert.ok(starts[50]! >= 60_000, `call 51 waits for the first to leave the window: ${starts[50]}`);
});

test('budget: a 429 pauses the class; the pause only grows; a shorter window scales the burst second', () => {
  const b = new CallBudget({ limit: 100 });
  b.pauseUntil(30_000);
  b.pauseUntil(10_000);
  assert.equal(b.nextAt(0), 30_000);
  assert.equal(b.nextAt(31_000), 31_000);
  const fast = new CallBudget({ limit: 12, windowMs: 6000, burst: 2 });
  const starts = greedyStarts(fast, 4);
  assert.deepEqual(starts, [0, 0, 100, 100], 'a "second" of a 6 s window is 100 ms');
  assert.throws(() => new CallBudget({ limit: 0 }), /limit must be a whole number of calls ≥ 1, got 0/);
});

test('queue: one entry per run; a newer mark merges (priority up, age kept); best = priority, then oldest', () => {
  const q = new PublishQueue();
  q.mark('RUN-1', { priority: 0, now: 100 });
  q.mark('RUN-2', { priority: 0, now: 200 });
  q.mark('RUN-3', { priority: 0, now: 300, notBefore: 5000 });
  q.mark('RUN-1', { priority: 0, now: 400 });
  assert.equal(q.depth, 3, 'marking again never duplicates');
  let r = q.ready(1000, () => 0);
  assert.deepEqual(
    r.ready.map((e) => e.runId),
    ['RUN-1', 'RUN-2'],
  );
  assert.equal(r.wakeAt, 5000);
  q.mark('RUN-2', { priority: 1, now: 500 });
  r = q.ready(1000, () => 0);
  assert.deepEqual(
    r.ready.map((e) => e.runId),
    ['RUN-2', 'RUN-1'],
    'a terminal state overtakes older progress',
  );
  assert.equal(r.ready[0]!.since, 200, 'age kept');
  assert.equal(q.oldestAgeMs(1000), 900);
  // The caller's own rule (a busy channel) holds an entry back and says when it may go.
  r = q.ready(1000, (e) => (e.runId === 'RUN-2' ? 1500 : 0));
  assert.deepEqual(
    r.ready.map((e) => e.runId),
    ['RUN-1'],
  );
  assert.equal(r.wakeAt, 1500);
});

test('queue: a taken entry put back merges with a mark made meanwhile', () => {
  const q = new PublishQueue();
  q.mark('RUN-1', { priority: 0, now: 100, channel: 'C1' });
  const e = q.take('RUN-1')!;
  assert.equal(q.depth, 0);
  q.mark('RUN-1', { priority: 1, now: 900 });
  q.putBack({ ...e, failures: 2, notBefore: 3000 });
  assert.equal(q.depth, 1);
  const [back] = q.ready(5000, () => 0).ready;
  assert.deepEqual(
    { ...back },
    { runId: 'RUN-1', channel: 'C1', priority: 1, since: 100, notBefore: 3000, failures: 2 },
  );
  assert.equal(q.ready(2000, () => 0).ready.length, 0, 'backoff kept');
  assert.equal(q.oldestAgeMs(5000), 4900);
  assert.equal(new PublishQueue().oldestAgeMs(5000), 0);
});

const ev = (id: number, kind: string, text: string): TimelineEvent => ({
  id,
  incidentId: 'INC-1',
  runId: 'RUN-1',
  at: id * 1000,
  kind,
  text,
  key: false,
  actor: null,
  data: null,
});

test('thread replies: pending events become one reply, one line each, in order; long ones split', () => {
  const events = [
    ev(3, 'pipeline.finished', 'pipeline finished: Success'),
    ev(4, 'custom', 'Jira ticket OPS-1 updated'),
    ev(5, 'run.finished', 'run finished: succeeded'),
  ];
  const b = nextReplyBatch(events)!;
  assert.equal(b.count, 3);
  assert.equal(b.lastEventId, 5);
  const lines = b.text.split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /pipeline finished: Success/);
  assert.match(lines[2]!, /run finished: succeeded/);
  assert.equal(nextReplyBatch([]), undefined);

  const long = Array.from({ length: 5 }, (_, i) => ev(10 + i, 'custom', 'x'.repeat(1500)));
  const first = nextReplyBatch(long)!;
  assert.equal(first.count, 2, 'as many lines as fit');
  assert.ok(first.text.length <= MAX_REPLY_CHARS);
  assert.equal(first.lastEventId, 11);
  const huge = nextReplyBatch([ev(20, 'custom', 'y'.repeat(9000))])!;
  assert.equal(huge.count, 1, 'one event always goes, even when long (truncated by the reply builder)');
});

test('pacer: nextAt/reserve space one channel without holding up another', () => {
  let now = 1000;
  const p = new Pacer(1000, () => now);
  assert.equal(p.nextAt('C1'), 0);
  p.reserve('C1');
  assert.equal(p.nextAt('C1'), 2000);
  assert.equal(p.nextAt('C2'), 0, 'another channel is free');
  now = 1500;
  p.reserve('C1');
  assert.equal(p.nextAt('C1'), 3000, 'a second booking queues behind the first');
});
