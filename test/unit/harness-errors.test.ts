import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ambiguousError,
  envelopeText,
  httpError,
  looksLikeHtml,
  parseErrorEnvelope,
  transportError,
} from '../../src/harness/errors.ts';
import type { CallContext } from '../../src/harness/errors.ts';

const SAMPLE = readFileSync(
  new URL('../fixtures/harness-samples/response-error-invalid-request.json', import.meta.url),
  'utf8',
);
const KEY = 'pat.acc.tok.SECRETVALUE';

const ctx: CallContext = {
  op: 'execute',
  action: 'starting pipeline "rollback" in org "default", project "payments"',
  target: 'pipeline "rollback" in org "default", project "payments"',
  method: 'POST',
  path: '/pipeline/api/pipeline/execute/rollback',
  redact: (s) => s.split(KEY).join('[redacted]'),
};

test('parses the real INVALID_REQUEST envelope', () => {
  const env = parseErrorEnvelope(SAMPLE);
  assert.ok(env);
  assert.equal(env.code, 'INVALID_REQUEST');
  assert.equal(env.correlationId, '465d6463-152b-4211-8cb5-6bcc2538afa8');
  // message and responseMessages[0] say the same thing: it appears once.
  const text = envelopeText(env);
  assert.match(text, /^Invalid request: Authorization is mandatory for custom triggers/);
  assert.equal(text.split('Authorization is mandatory').length, 2);
});

test('a 400 with the real envelope becomes HARNESS_REQUEST_REJECTED with code, message and correlationId', () => {
  const err = httpError(ctx, 400, 'application/json', SAMPLE);
  assert.equal(err.code, 'HARNESS_REQUEST_REJECTED');
  assert.equal(err.retryable, false);
  assert.match(
    err.message,
    /^Harness rejected the request \(INVALID_REQUEST\) while starting pipeline "rollback"/,
  );
  assert.match(err.message, /Invalid request: Authorization is mandatory/);
  assert.match(err.message, /\[correlationId 465d6463-152b-4211-8cb5-6bcc2538afa8\]/);
  assert.deepEqual(
    {
      httpStatus: err.details.httpStatus,
      harnessCode: err.details.harnessCode,
      correlationId: err.details.correlationId,
    },
    {
      httpStatus: 400,
      harnessCode: 'INVALID_REQUEST',
      correlationId: '465d6463-152b-4211-8cb5-6bcc2538afa8',
    },
  );
});

test('Failure envelopes list their field errors', () => {
  const body = JSON.stringify({
    status: 'FAILURE',
    code: 'INVALID_REQUEST',
    message: 'Invalid request',
    correlationId: 'c1',
    errors: [{ fieldId: 'orgIdentifier', error: 'must not be null' }],
  });
  const err = httpError(ctx, 400, 'application/json', body);
  assert.match(err.message, /orgIdentifier: must not be null/);
});

test('HTTP statuses map to codes, retry intent and a hint', () => {
  const env = (code: string) => JSON.stringify({ status: 'ERROR', code, message: 'm' });
  const cases: [number, string, string, boolean, RegExp][] = [
    [401, env('INVALID_TOKEN'), 'HARNESS_AUTH', false, /HARNESS_API_KEY/],
    [403, env('NG_ACCESS_DENIED'), 'HARNESS_AUTH', false, /HARNESS_ACCOUNT_ID.*RBAC.*allow-list/],
    [
      404,
      env('ENTITY_NOT_FOUND'),
      'HARNESS_NOT_FOUND',
      false,
      /could not find pipeline "rollback" in org "default", project "payments"/,
    ],
    [429, '', 'HARNESS_THROTTLED', true, /throttling/],
    [500, env('UNEXPECTED'), 'HARNESS_UNAVAILABLE', true, /HTTP 500, UNEXPECTED/],
    [503, 'upstream connect error', 'HARNESS_UNAVAILABLE', true, /upstream connect error/],
    [415, env('INVALID_REQUEST'), 'HARNESS_REQUEST_REJECTED', false, /rejected/],
    // Harness sometimes answers "not found" with a 400 and a not-found code.
    [400, env('RESOURCE_NOT_FOUND'), 'HARNESS_NOT_FOUND', false, /could not find/],
  ];
  for (const [status, body, code, retryable, re] of cases) {
    const err = httpError(ctx, status, 'application/json', body);
    assert.equal(err.code, code, `HTTP ${status}`);
    assert.equal(err.retryable, retryable, `HTTP ${status} retryable`);
    assert.match(err.message, re, `HTTP ${status}`);
    assert.equal(err.details.httpStatus, status);
  }
});

test('HTML pages from proxies are recognised and summarised, not pasted', () => {
  const page =
    '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';
  assert.equal(looksLikeHtml('text/html; charset=utf-8', 'x'), true);
  assert.equal(looksLikeHtml('application/json', '  <!DOCTYPE html><html>'), true);
  assert.equal(looksLikeHtml('application/json', '{"a":1}'), false);
  const err = httpError(ctx, 502, 'text/html', page);
  assert.equal(err.code, 'HARNESS_UNAVAILABLE');
  assert.match(
    err.message,
    /^Harness returned an HTML page \(HTTP 502\) — likely a proxy or gateway error \("502 Bad Gateway"\)/,
  );
  assert.doesNotMatch(err.message, /<h1>|nginx/);
  // Even with a JSON content type, an HTML body is not parsed as JSON.
  assert.match(httpError(ctx, 403, 'application/json', page).message, /HTML page \(HTTP 403\)/);
});

test('non-envelope bodies are quoted briefly', () => {
  const err = httpError(ctx, 400, 'text/plain', `bad ${'x'.repeat(1000)}`);
  assert.ok(err.message.length < 600, `message is ${err.message.length} chars`);
  assert.match(err.message, /HTTP 400/);
});

test('the API key never appears in a message, even if Harness echoes it', () => {
  const body = JSON.stringify({
    status: 'ERROR',
    code: 'INVALID_TOKEN',
    message: `Token ${KEY} is not valid`,
  });
  const err = httpError(ctx, 401, 'application/json', body);
  assert.doesNotMatch(err.message, /SECRETVALUE/);
  assert.match(err.message, /\[redacted\]/);
});

test('transport failures are retryable HARNESS_UNAVAILABLE with the reason', () => {
  const t = transportError(ctx, { kind: 'timeout', timeoutMs: 1234 });
  assert.equal(t.code, 'HARNESS_UNAVAILABLE');
  assert.equal(t.retryable, true);
  assert.match(t.message, /did not answer within 1234 ms/);
  const n = transportError(ctx, {
    kind: 'network',
    code: 'ECONNREFUSED',
    detail: 'connect ECONNREFUSED 127.0.0.1:1',
    neverSent: true,
  });
  assert.match(n.message, /ECONNREFUSED.*HARNESS_BASE_URL/);
  assert.equal(n.details.networkCode, 'ECONNREFUSED');
});

test('ambiguous execute errors are final and link the executions list', () => {
  const reason = httpError(
    ctx,
    500,
    'application/json',
    JSON.stringify({ status: 'ERROR', code: 'UNEXPECTED', message: 'boom', correlationId: 'c9' }),
  );
  const err = ambiguousError(
    ctx,
    reason,
    'https://app.harness.io/ng/account/a/all/orgs/o/projects/p/pipelines/rollback/executions',
  );
  assert.equal(err.code, 'HARNESS_AMBIGUOUS');
  assert.equal(err.retryable, false);
  assert.match(
    err.message,
    /^Harness may or may not have started the pipeline \(.*HTTP 500.*\)\. Check Harness before running it again: https:\/\/app\.harness\.io\/.*\/executions$/,
  );
  assert.equal(err.details.correlationId, 'c9');
  assert.equal(err.details.reasonCode, 'HARNESS_UNAVAILABLE');
});

test('non-envelope JSON and garbage are not envelopes', () => {
  assert.equal(parseErrorEnvelope('not json'), undefined);
  assert.equal(parseErrorEnvelope('[1,2]'), undefined);
  assert.equal(parseErrorEnvelope('{"hello":"world"}'), undefined);
  assert.equal(parseErrorEnvelope('{"code": 5, "message": "m"}')?.message, 'm');
});
