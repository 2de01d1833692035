import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionProblems } from '../../src/domain/conditions.ts';
import type { ConditionMap } from '../../src/domain/conditions.ts';

const messages = (c: unknown, opts?: { allowChanged?: boolean }): string[] =>
  conditionProblems(c as ConditionMap, opts).map((p) => `${p.path}: ${p.message}`);

test('a valid condition has no problems', () => {
  const c: ConditionMap = {
    severity: { at_least: 'P1', at_most: 'p0' },
    any: [{ service: { in: ['a', 'b'] } }, { 'fields.region': { matches: '/^eu-/i' } }],
    not: { environment: { exists: true } },
    'incident.fields.tags[0]': { changed_to: 'x' },
  };
  assert.deepEqual(conditionProblems(c), []);
});

test('invalid regex is reported at load time with its location', () => {
  const [p, ...rest] = conditionProblems({
    any: [{ service: { equals: 'x' } }, { service: { matches: '([a-z' } }],
  });
  assert.equal(rest.length, 0);
  assert.equal(p?.path, 'service');
  assert.match(p?.message ?? '', /matches "\(\[a-z": invalid regex/);
  assert.deepEqual(p?.at, ['any', 1, 'service', 'matches']);
  assert.match(messages({ s: { matches: '/x/gi' } })[0] ?? '', /g and y are not allowed/);
});

test('at_least / at_most with a non-severity literal', () => {
  assert.deepEqual(messages({ severity: { at_least: 'high' } }), [
    'severity: at_least compares severities; high is not one (allowed: P0, P1, P2, P3, P4)',
  ]);
  assert.equal(messages({ severity: { at_most: 'P5' } }).length, 1);
});

test('clauses that can never hold', () => {
  assert.match(messages({ severity: { changed_from: 'P1', changed_to: 'p1' } })[0] ?? '', /never changed/);
  assert.match(messages({ severity: { at_least: 'P1', at_most: 'P3' } })[0] ?? '', /can never both hold/);
  assert.match(messages({ service: { in: [] } })[0] ?? '', /always false/);
  assert.match(messages({ service: { not_in: [] } })[0] ?? '', /always true/);
});

test('changed* where there is no previous state, when the caller says so', () => {
  const c = { severity: { changed_to: 'P1' }, any: [{ service: { changed: true } }] };
  assert.deepEqual(messages(c), []);
  assert.deepEqual(messages(c, { allowChanged: false }), [
    'severity: changed_to needs a previous value, which only incident.updated triggers have',
    'service: changed needs a previous value, which only incident.updated triggers have',
  ]);
});

test('structural problems on unvalidated input are reported, never thrown', () => {
  assert.deepEqual(messages(null), ['(root): a condition is a map of field path → operators']);
  assert.deepEqual(messages({}), ['(root): empty condition']);
  assert.deepEqual(messages({ any: [] }), ['any: any: needs a non-empty list of conditions']);
  assert.deepEqual(messages({ all: { a: { equals: 1 } } }), [
    'all: all: needs a non-empty list of conditions',
  ]);
  assert.deepEqual(messages({ not: [1] }), ['not: a condition is a map of field path → operators']);
  assert.match(messages({ 'a..b': { equals: 1 } })[0] ?? '', /^a\.\.b: "a\.\.b" is not a field path/);
  assert.match(messages({ a: 'x' })[0] ?? '', /expected operators/);
  assert.match(messages({ a: {} })[0] ?? '', /expected operators/);
  assert.match(
    messages({ a: { like: 'x' } })[0] ?? '',
    /unknown operator "like" \(allowed: equals, not_equals/,
  );
  assert.match(messages({ a: { in: 'x' } })[0] ?? '', /in takes a list/);
  assert.match(messages({ a: { equals: [1] } })[0] ?? '', /equals takes one value/);
  assert.match(messages({ a: { exists: 'yes' } })[0] ?? '', /exists takes true or false/);
  assert.match(messages({ a: { matches: 5 } })[0] ?? '', /matches takes a regex as text/);
  const nested = conditionProblems({ any: [{ all: [{ x: { at_least: 'big' } }] }] } as ConditionMap);
  assert.deepEqual(nested[0]?.at, ['any', 0, 'all', 0, 'x', 'at_least']);
});
