import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from '../../src/harness/rate-limit.ts';

/** A virtual clock: sleep advances time instead of waiting. */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    get t() {
      return t;
    },
  };
}

test('grants the burst at once, then one request per 60000/perMinute ms', async () => {
  const clock = virtualTime();
  const rl = createRateLimiter({ perMinute: 600, burst: 5, now: clock.now, sleep: clock.sleep });
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    await rl.acquire();
    times.push(clock.t);
  }
  assert.deepEqual(times.slice(0, 5), [0, 0, 0, 0, 0]);
  // 600/min = one every 100 ms after the burst is spent.
  for (let i = 5; i < 15; i++)
    assert.ok(Math.abs(times[i]! - (i - 4) * 100) <= 1, `request ${i} at ${times[i]}`);
  assert.equal(rl.stats().granted, 15);
});

test('never grants more than perMinute (+ burst) in any minute, whatever the demand', async () => {
  const clock = virtualTime();
  const rl = createRateLimiter({ perMinute: 120, now: clock.now, sleep: clock.sleep });
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: 400 }, async () => {
      await rl.acquire();
      times.push(clock.t);
    }),
  );
  for (const start of times) {
    const inWindow = times.filter((x) => x >= start && x < start + 60_000).length;
    assert.ok(inWindow <= 120 + 6, `${inWindow} requests in the minute from ${start}`);
  }
});

test('a 429 pauses every caller, longer for each 429 in a row, and success resets the streak', async () => {
  const clock = virtualTime();
  const rl = createRateLimiter({
    perMinute: 6000,
    burst: 100,
    pauseMs: 1000,
    now: clock.now,
    sleep: clock.sleep,
  });
  await rl.acquire();
  rl.throttled();
  await rl.acquire();
  assert.ok(clock.t >= 1000, `waited ${clock.t}`);
  const before = clock.t;
  rl.throttled(); // second in a row: 2 s
  await rl.acquire();
  assert.ok(clock.t - before >= 2000, `second pause ${clock.t - before}`);
  rl.succeeded();
  const again = clock.t;
  rl.throttled(); // streak reset: 1 s again
  await rl.acquire();
  assert.ok(clock.t - again >= 1000 && clock.t - again < 2000, `after reset ${clock.t - again}`);
  assert.equal(rl.stats().throttled, 3);
});

test('a nonsense budget is refused with a message naming it', () => {
  assert.throws(() => createRateLimiter({ perMinute: 0 }), /positive number of requests per minute, got 0/);
  assert.throws(() => createRateLimiter({ perMinute: Number.NaN }), /requests per minute/);
});
