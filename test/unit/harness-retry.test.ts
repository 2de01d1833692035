import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACKOFF_CAP_MS,
  backoffDelayMs,
  classifyFetchError,
  isAmbiguousForExecute,
  shouldRetry,
} from '../../src/harness/retry.ts';
import type { AttemptProblem } from '../../src/harness/retry.ts';

test('backoff: 500 ms × 2^(n-1) × jitter in [0.5, 1.0], capped', () => {
  assert.equal(
    backoffDelayMs(1, () => 0),
    250,
  );
  assert.equal(
    backoffDelayMs(1, () => 1),
    500,
  );
  assert.equal(
    backoffDelayMs(2, () => 0),
    500,
  );
  assert.equal(
    backoffDelayMs(3, () => 0.5),
    1500,
  );
  assert.equal(
    backoffDelayMs(30, () => 1),
    BACKOFF_CAP_MS,
  );
  for (let n = 1; n <= 8; n++) {
    const d = backoffDelayMs(n, Math.random);
    const exp = 500 * 2 ** (n - 1);
    assert.ok(d >= Math.min(BACKOFF_CAP_MS, exp * 0.5), `attempt ${n}: ${d}`);
    assert.ok(d <= Math.min(BACKOFF_CAP_MS, exp), `attempt ${n}: ${d}`);
  }
});

const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
const sysErr = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

test('classifies undici failures: connect-phase codes are "never sent", others are not', () => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
    assert.deepEqual(classifyFetchError(fetchFailed(sysErr(code)), 100, false), {
      kind: 'network',
      code,
      detail: `connect ${code}`,
      neverSent: true,
    });
  }
  const reset = classifyFetchError(
    fetchFailed(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })),
    100,
    false,
  );
  assert.equal(reset.kind === 'network' && reset.neverSent, false);
  assert.equal(reset.kind === 'network' && reset.code, 'UND_ERR_SOCKET');
  // Once headers arrived, nothing is "never sent", whatever the code says.
  const late = classifyFetchError(fetchFailed(sysErr('ECONNREFUSED')), 100, true);
  assert.equal(late.kind === 'network' && late.neverSent, false);
  // Happy-eyeballs AggregateError: never sent only if every address refused.
  const agg = (codes: string[]) => fetchFailed(Object.assign(new AggregateError(codes.map(sysErr)), {}));
  assert.equal(
    (classifyFetchError(agg(['ECONNREFUSED', 'ECONNREFUSED']), 1, false) as { neverSent: boolean }).neverSent,
    true,
  );
  assert.equal(
    (classifyFetchError(agg(['ECONNREFUSED', 'ECONNRESET']), 1, false) as { neverSent: boolean }).neverSent,
    false,
  );
  // No code at all: unknown, so not safe.
  assert.equal(
    (classifyFetchError(new TypeError('fetch failed'), 1, false) as { neverSent: boolean }).neverSent,
    false,
  );
  assert.deepEqual(classifyFetchError(new DOMException('timed out', 'TimeoutError'), 1500, false), {
    kind: 'timeout',
    timeoutMs: 1500,
  });
});

const http = (status: number): AttemptProblem => ({ kind: 'http', status });
const refused: AttemptProblem = {
  kind: 'transport',
  failure: { kind: 'network', code: 'ECONNREFUSED', detail: '', neverSent: true },
};
const reset: AttemptProblem = {
  kind: 'transport',
  failure: { kind: 'network', code: 'UND_ERR_SOCKET', detail: '', neverSent: false },
};
const timeout: AttemptProblem = { kind: 'transport', failure: { kind: 'timeout', timeoutMs: 1 } };
const badBody: AttemptProblem = { kind: 'bad_body' };

test('reads retry on 429, 5xx, network errors and timeouts only', () => {
  const yes = [http(429), http(500), http(502), http(503), http(504), refused, reset, timeout];
  const no = [http(400), http(401), http(403), http(404), http(415), badBody];
  for (const p of yes) assert.equal(shouldRetry('read', p), true, JSON.stringify(p));
  for (const p of no) assert.equal(shouldRetry('read', p), false, JSON.stringify(p));
});

test('execute retries only when Harness certainly never saw the request', () => {
  assert.equal(shouldRetry('execute', http(429)), true);
  assert.equal(shouldRetry('execute', refused), true);
  for (const p of [http(500), http(502), http(400), reset, timeout, badBody]) {
    assert.equal(shouldRetry('execute', p), false, JSON.stringify(p));
  }
});

test('execute failures that may hide a started run are ambiguous; clean refusals are not', () => {
  for (const p of [http(500), http(502), reset, timeout, badBody])
    assert.equal(isAmbiguousForExecute(p), true, JSON.stringify(p));
  for (const p of [http(400), http(401), http(404), http(429), refused])
    assert.equal(isAmbiguousForExecute(p), false, JSON.stringify(p));
});
