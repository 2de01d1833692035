/**
 * Every way a request to the incident API can be wrong, over real HTTP: each answer has the right
 * status, says what was wrong and what is allowed, and changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { API_TOKEN, setupApi, type ApiSetup } from '../support/api-setup.ts';

const valid = { summary: 'Checkout returns 500s', severity: 'P1', service: 'checkout' };

function nothingHappened(s: ApiSetup) {
  assert.equal(s.store.incidents.list().length, 0, 'no incident was created');
  assert.equal(s.events.length, 0, 'no event was emitted');
  assert.equal(s.setupCalls.length, 0, 'no channel was set up');
}

test('bad JSON, a non-object body, an empty body, invalid UTF-8 → 400 naming the problem', async () => {
  const s = await setupApi();
  try {
    const bad = await s.call('POST', '/api/incidents', { body: '{"summary": "x", "severity": ' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /^the body is not valid JSON: /);
    assert.deepEqual(
      bad.json.errors.map((e: { field: string }) => e.field),
      ['body'],
    );

    const list = await s.call('POST', '/api/incidents', { body: [valid] });
    assert.equal(list.status, 400);
    assert.match(
      list.json.error,
      /the body must be a JSON object, not a list; allowed fields: summary, severity, service/,
    );

    const empty = await s.call('POST', '/api/incidents', { body: '   ' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error, 'the body is empty; allowed: a JSON object');

    const latin1 = await s.call('POST', '/api/incidents', {
      body: Buffer.from([0x7b, 0x22, 0x73, 0xe9, 0x22, 0x3a, 0x31, 0x7d]),
    });
    assert.equal(latin1.status, 400);
    assert.match(latin1.json.error, /not valid UTF-8/);
    nothingHappened(s);
  } finally {
    await s.cleanup();
  }
});

test('unknown fields, wrong JSON types and missing fields → 400 listing each with what is allowed', async () => {
  const s = await setupApi();
  try {
    const r = await s.call('POST', '/api/incidents', {
      body: { summary: 'x', severity: 1, priority: 'high', owner: 'bob' },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, '3 problems in the request body');
    const byField = Object.fromEntries(
      r.json.errors.map((e: { field: string; message: string }) => [e.field, e.message]),
    );
    assert.equal(
      byField.priority,
      'unknown field "priority"; allowed: summary, severity, service, environment, type, fields, externalId, channel, commander, test',
    );
    assert.match(byField.owner, /^unknown field "owner"; allowed: /);
    assert.equal(byField.severity, 'severity must be a string, not number 1');

    const missing = await s.call('POST', '/api/incidents', { body: { service: 'checkout' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(
      missing.json.errors.map((e: { message: string }) => e.message),
      ['summary is required; allowed: a string', 'severity is required; allowed: a string'],
    );

    const patch = await s.call('PATCH', '/api/incidents/INC-1', { body: { type: 'major-incident' } });
    assert.equal(patch.status, 400);
    assert.match(
      patch.json.error,
      /unknown field "type"; allowed: summary, severity, status, service, environment, commander, channel, fields/,
    );
    nothingHappened(s);
  } finally {
    await s.cleanup();
  }
});

test('invalid severity, status, type and custom fields → 400 with the allowed values (the service decides)', async () => {
  const s = await setupApi();
  try {
    const sev = await s.call('POST', '/api/incidents', { body: { ...valid, severity: 'SEV1' } });
    assert.equal(sev.status, 400);
    assert.deepEqual(sev.json.errors, [
      {
        field: 'severity',
        message: 'severity "SEV1" is not valid; allowed: P0, P1, P2, P3, P4 (P0 is the most severe)',
      },
    ]);
    assert.equal(sev.json.error, sev.json.errors[0].message);

    const type = await s.call('POST', '/api/incidents', { body: { ...valid, type: 'outage' } });
    assert.equal(type.status, 400);
    assert.match(type.json.error, /type "outage" is not an incident type; allowed: any, major-incident/);

    const fields = await s.call('POST', '/api/incidents', {
      body: {
        ...valid,
        type: 'major-incident',
        fields: { region: 'mars-1', impacted_users: 'lots', color: 'red' },
      },
    });
    assert.equal(fields.status, 400);
    const f = Object.fromEntries(
      fields.json.errors.map((e: { field: string; message: string }) => [e.field, e.message]),
    );
    assert.match(f['fields.region'], /us-east-1, eu-west-1/);
    assert.match(f['fields.impacted_users'], /impacted_users/);
    assert.match(
      f['fields.color'],
      /not a field of incident type major-incident; allowed: customer_facing, region/,
    );
    assert.match(f['fields.customer_facing'], /customer_facing is required for incident type major-incident/);
    nothingHappened(s);

    const created = await s.call('POST', '/api/incidents', { body: valid });
    assert.equal(created.status, 201);
    const status = await s.call('PATCH', '/api/incidents/INC-1', {
      body: { status: 'closed', severity: 'P7' },
    });
    assert.equal(status.status, 400);
    assert.deepEqual(
      status.json.errors.map((e: { field: string }) => e.field),
      ['severity', 'status'],
    );
    assert.match(
      status.json.errors[1].message,
      /allowed: investigating, identified, monitoring, mitigated, resolved/,
    );
    assert.equal(s.service.get('INC-1')!.severity, 'P1', 'nothing applied');
  } finally {
    await s.cleanup();
  }
});

test('missing, malformed or wrong token → 401 with a Bearer challenge, nothing read or created; the token is never logged', async () => {
  const s = await setupApi();
  try {
    const none = await s.call('POST', '/api/incidents', { body: valid, token: null });
    assert.equal(none.status, 401);
    assert.match(none.json.error, /missing Authorization header; allowed: Authorization: Bearer <API_TOKEN>/);
    assert.match(String(none.headers['www-authenticate']), /^Bearer /);

    const wrong = await s.call('POST', '/api/incidents', { body: valid, token: `${API_TOKEN}x` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'the bearer token is not valid');

    const prefix = await s.call('GET', '/api/incidents/INC-1', { token: API_TOKEN.slice(0, -1) });
    assert.equal(prefix.status, 401);

    const basic = await s.call('GET', '/api/incidents/INC-1', {
      token: null,
      headers: { authorization: `Basic ${Buffer.from(`api:${API_TOKEN}`).toString('base64')}` },
    });
    assert.equal(basic.status, 401);
    assert.match(basic.json.error, /not a bearer token/);

    // Auth comes before routing: an unauthenticated caller learns nothing about routes.
    const route = await s.call('GET', '/api/secret-things', { token: null });
    assert.equal(route.status, 401);

    const lower = await s.call('POST', '/api/incidents', {
      body: valid,
      token: null,
      headers: { authorization: `bearer ${API_TOKEN}` },
    });
    assert.equal(lower.status, 201, 'the scheme is case-insensitive');
    assert.equal(s.store.incidents.list().length, 1);
    assert.ok(s.logLines.length > 0);
    assert.ok(!s.logLines.join('').includes(API_TOKEN), 'the token is not in the logs');
  } finally {
    await s.cleanup();
  }
});

test('bodies over 64 KiB → 413 (by Content-Length and while streaming); exactly 64 KiB is fine', async () => {
  const s = await setupApi();
  try {
    const LIMIT = 64 * 1024;
    const padded = (size: number) => {
      const json = JSON.stringify(valid);
      return `${json.slice(0, -1)}${' '.repeat(size - json.length)}}`;
    };
    const big = await s.call('POST', '/api/incidents', { body: padded(LIMIT + 1) });
    assert.equal(big.status, 413);
    assert.equal(
      big.json.error,
      `the request body is larger than ${LIMIT} bytes; allowed: up to ${LIMIT} bytes`,
    );

    const streamed = await s.call('POST', '/api/incidents', { body: padded(300 * 1024), chunked: true });
    assert.equal(streamed.status, 413);
    nothingHappened(s);

    const exact = await s.call('POST', '/api/incidents', { body: padded(LIMIT) });
    assert.equal(exact.status, 201, exact.text);

    // The connection stays usable after a 413.
    const after = await s.call('GET', '/api/incidents/INC-1');
    assert.equal(after.status, 200);
  } finally {
    await s.cleanup();
  }
});

test('a client that keeps sending after a 413 is cut off rather than read forever', async () => {
  const s = await setupApi();
  try {
    const outcome = await new Promise<string>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: s.port,
        method: 'POST',
        path: '/api/alertmanager',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      });
      let status = 0;
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      req.on('error', () => resolve(`closed after ${status}`));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 8 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
        resolve(`sent everything after ${status}`);
      };
      pump();
    });
    assert.equal(outcome, 'closed after 413');
  } finally {
    await s.cleanup();
  }
});

test('anything but JSON → 415 naming the content type', async () => {
  const s = await setupApi();
  try {
    const text = await s.call('POST', '/api/incidents', {
      body: JSON.stringify(valid),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 415);
    assert.equal(text.json.error, 'Content-Type "text/plain" is not supported; allowed: application/json');

    const form = await s.call('PATCH', '/api/incidents/INC-1', {
      body: 'severity=P1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);

    const none = await s.call('POST', '/api/alertmanager', { body: '{}', headers: { 'content-type': '' } });
    assert.equal(none.status, 415);
    assert.match(none.json.error, /Content-Type none is not supported/);

    const charset = await s.call('POST', '/api/incidents', {
      body: valid,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    assert.equal(charset.status, 201);
  } finally {
    await s.cleanup();
  }
});

test('unknown incidents, runs and routes → 404; wrong methods → 405 with Allow', async () => {
  const s = await setupApi();
  try {
    const inc = await s.call('GET', '/api/incidents/INC-404');
    assert.equal(inc.status, 404);
    assert.equal(inc.json.error, 'there is no incident "INC-404"; ids look like INC-42');
    assert.deepEqual(inc.json.errors, []);

    const patch = await s.call('PATCH', '/api/incidents/INC-404', { body: { severity: 'P1' } });
    assert.equal(patch.status, 404);

    const run = await s.call('GET', '/api/runs/RUN-9');
    assert.equal(run.status, 404);
    assert.match(run.json.error, /there is no run "RUN-9"/);

    const route = await s.call('GET', '/api/incidents/INC-1/timeline');
    assert.equal(route.status, 404);
    assert.match(
      route.json.error,
      /no API route GET \/api\/incidents\/INC-1\/timeline; routes: POST \/api\/incidents/,
    );

    const del = await s.call('DELETE', '/api/incidents/INC-1');
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'GET, PATCH');
    assert.equal(del.json.error, 'DELETE is not allowed on /api/incidents/INC-1; allowed: GET, PATCH');

    const list = await s.call('GET', '/api/incidents');
    assert.equal(list.status, 405);
    assert.equal(list.headers.allow, 'POST');

    const am = await s.call('GET', '/api/alertmanager');
    assert.equal(am.status, 405);
    nothingHappened(s);
  } finally {
    await s.cleanup();
  }
});

test('without API_TOKEN the API is off (404) while the rest of the server works as before', async () => {
  const s = await setupApi({ apiToken: undefined });
  try {
    const r = await s.call('POST', '/api/incidents', { body: valid });
    assert.equal(r.status, 404);
    assert.equal(r.json.error, 'the incident API is off; set API_TOKEN to turn it on');
    nothingHappened(s);
    const health = await s.call('GET', '/healthz', { token: null });
    assert.deepEqual([health.status, health.json], [200, { ok: true }]);
    const other = await s.call('GET', '/apix', { token: null });
    assert.equal(other.status, 404);
    assert.equal(other.json.error, 'no route GET /apix');
  } finally {
    await s.cleanup();
  }
  const on = await setupApi();
  try {
    const ready = await on.call('GET', '/readyz', { token: null });
    assert.equal(ready.status, 200);
  } finally {
    await on.cleanup();
  }
});
