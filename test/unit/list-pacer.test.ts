/** The list-call pacer: a token bucket per minute, pushes (urgent jobs) served before polling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createListPacer, type PacedJob } from '../../src/harness/list-pacer.ts';

const job = (name: string, order: string[], urgent = false): PacedJob => ({
  urgent: () => urgent,
  run: async () => void order.push(name),
});

test('within the burst jobs start at once; beyond it, an urgent job goes before earlier polls', async () => {
  let t = 0;
  const pacer = createListPacer({ perMinute: 60, now: () => t }); // 1/s, burst 3
  const order: string[] = [];
  for (const n of ['a', 'b', 'c']) pacer.enqueue(job(n, order));
  assert.deepEqual(order, ['a', 'b', 'c'], 'the burst of 3 started at once');
  pacer.enqueue(job('poll-1', order));
  pacer.enqueue(job('poll-2', order));
  pacer.enqueue(job('push', order, true));
  assert.equal(pacer.stats().queued, 3, 'out of tokens: they wait');
  t += 1000; // one token later
  await new Promise((r) => setTimeout(r, 1100));
  assert.deepEqual(order.slice(3), ['push'], 'the push was served first');
  t += 2000;
  await new Promise((r) => setTimeout(r, 1100));
  assert.deepEqual(order.slice(3), ['push', 'poll-1', 'poll-2']);
});

test('a job already queued is not queued twice; no budget means no waiting', () => {
  const order: string[] = [];
  const free = createListPacer({});
  for (let i = 0; i < 50; i++) free.enqueue(job(`j${i}`, order));
  assert.equal(order.length, 50);
  let t = 0;
  const tight = createListPacer({ perMinute: 20, now: () => t }); // burst 1
  const once = job('x', order);
  tight.enqueue(job('first', order));
  tight.enqueue(once);
  tight.enqueue(once);
  assert.equal(tight.stats().queued, 1);
});

test('grant: calls owed after a restart start at once, beyond the burst, once', () => {
  const t = 0;
  const pacer = createListPacer({ perMinute: 60, now: () => t }); // burst 3
  const order: string[] = [];
  for (let i = 0; i < 8; i++) pacer.enqueue(job(`j${i}`, order));
  assert.equal(order.length, 3);
  pacer.grant(4);
  assert.equal(order.length, 7, 'the 4 granted calls started');
  assert.equal(pacer.stats().queued, 1, 'the rest waits for the steady budget again');
});
