import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition } from '../../src/domain/conditions.ts';
import type { ClauseTrace, ConditionContext, ConditionMap } from '../../src/domain/conditions.ts';

const incident = {
  id: 'INC-1',
  severity: 'P1',
  service: 'checkout',
  environment: null,
  summary: '',
  fields: {
    customer_facing: false,
    count: 5,
    flag: 'true',
    tags: ['eu', 'pci'],
    none: [],
    region: 'eu-west-1',
    lower: 'p2',
  },
};

function check(
  c: ConditionMap,
  ctx: ConditionContext = { current: incident },
): { passed: boolean; clause?: ClauseTrace } {
  const r = evaluateCondition(c, ctx);
  return { passed: r.passed, clause: r.trace.clause };
}
const holds = (c: ConditionMap, ctx?: ConditionContext): boolean => check(c, ctx).passed;

test('equals: same type, cross-type coercion, severity case, case-sensitive text', () => {
  assert.equal(holds({ service: { equals: 'checkout' } }), true);
  assert.equal(holds({ service: { equals: 'Checkout' } }), false);
  assert.equal(holds({ 'fields.customer_facing': { equals: false } }), true);
  assert.equal(holds({ 'fields.customer_facing': { equals: 'false' } }), true);
  assert.equal(holds({ 'fields.flag': { equals: true } }), true);
  assert.equal(holds({ 'fields.count': { equals: '5' } }), true);
  assert.equal(holds({ 'fields.count': { equals: 5 } }), true);
  assert.equal(holds({ 'fields.count': { equals: 6 } }), false);
  assert.equal(holds({ 'fields.count': { equals: true } }), false);
  assert.equal(holds({ severity: { equals: 'p1' } }), true);
  assert.equal(holds({ 'fields.lower': { equals: 'P2' } }), true);
  assert.equal(holds({ 'fields.region': { equals: 'EU-WEST-1' } }), false);
});

test('equals: missing field, null and empty string', () => {
  const r = check({ 'fields.nope': { equals: 'x' } });
  assert.equal(r.passed, false);
  assert.equal(r.clause?.note, 'field not set');
  assert.equal(r.clause?.actual, undefined);
  assert.equal(holds({ environment: { equals: null } }), true);
  assert.equal(holds({ 'fields.nope': { equals: null } }), true);
  assert.equal(holds({ environment: { equals: '' } }), false);
  assert.equal(holds({ summary: { equals: '' } }), true);
});

test('equals on a list compares the whole list and says so', () => {
  const r = check({ 'fields.tags': { equals: 'eu' } });
  assert.equal(r.passed, false);
  assert.match(r.clause?.note ?? '', /whole list/);
  assert.equal(holds({ 'fields.tags': { equals: ['eu', 'pci'] as never } }), true);
  assert.equal(holds({ 'fields.tags': { equals: ['pci', 'eu'] as never } }), false);
});

test('not_equals is the negation, including for missing fields', () => {
  assert.equal(holds({ service: { not_equals: 'payments' } }), true);
  assert.equal(holds({ service: { not_equals: 'checkout' } }), false);
  assert.equal(holds({ 'fields.count': { not_equals: '5' } }), false);
  assert.equal(holds({ 'fields.nope': { not_equals: 'x' } }), true);
});

test('in / not_in: scalars, lists (any element), missing, coercion', () => {
  assert.equal(holds({ service: { in: ['checkout', 'payments'] } }), true);
  assert.equal(holds({ service: { in: ['payments'] } }), false);
  assert.equal(holds({ severity: { in: ['p0', 'p1'] } }), true);
  assert.equal(holds({ 'fields.count': { in: ['4', '5'] } }), true);
  assert.equal(holds({ 'fields.tags': { in: ['us', 'pci'] } }), true);
  assert.equal(holds({ 'fields.tags': { in: ['us'] } }), false);
  assert.equal(holds({ 'fields.none': { in: ['us'] } }), false);
  const missing = check({ 'fields.nope': { in: ['a'] } });
  assert.deepEqual([missing.passed, missing.clause?.note], [false, 'field not set']);
  assert.equal(holds({ service: { not_in: ['payments'] } }), true);
  assert.equal(holds({ service: { not_in: ['checkout'] } }), false);
  assert.equal(holds({ 'fields.tags': { not_in: ['pci'] } }), false);
  assert.equal(holds({ 'fields.nope': { not_in: ['a'] } }), true);
  assert.equal(holds({ environment: { in: [null, 'prod'] } }), true);
});

test('in with a non-list fails with a note instead of throwing', () => {
  const r = check({ service: { in: 'checkout' as never } });
  assert.equal(r.passed, false);
  assert.match(r.clause?.note ?? '', /need a list/);
  assert.equal(holds({ service: { not_in: 'x' as never } }), false);
});

test('matches: JS regex, /flags/ form, lists, non-text, invalid regex noted not thrown', () => {
  assert.equal(holds({ 'fields.region': { matches: '^eu-' } }), true);
  assert.equal(holds({ 'fields.region': { matches: '^us-' } }), false);
  assert.equal(holds({ 'fields.region': { matches: '^EU-' } }), false);
  assert.equal(holds({ 'fields.region': { matches: '/^EU-/i' } }), true);
  assert.equal(holds({ 'fields.count': { matches: '^\\d+$' } }), true);
  assert.equal(holds({ 'fields.tags': { matches: '^pc' } }), true);
  assert.equal(holds({ environment: { matches: '.*' } }), false);
  const bad = check({ service: { matches: '([a-z' } });
  assert.equal(bad.passed, false);
  assert.match(bad.clause?.note ?? '', /invalid regex/);
  assert.match(check({ service: { matches: '/x/g' } }).clause?.note ?? '', /g and y are not allowed/);
  const obj = check({ x: { matches: '.' } }, { current: { x: { a: 1 } } });
  assert.deepEqual([obj.passed, obj.clause?.note], [false, 'value is not text']);
});

test('matches is stable across repeated evaluation (no stateful regex)', () => {
  for (let i = 0; i < 3; i++) assert.equal(holds({ service: { matches: 'check' } }), true);
});

test('exists: present vs absent, null, empty string, empty list', () => {
  assert.equal(holds({ service: { exists: true } }), true);
  assert.equal(holds({ 'fields.customer_facing': { exists: true } }), true);
  assert.equal(holds({ 'fields.count': { exists: true } }), true);
  for (const p of ['environment', 'summary', 'fields.none', 'fields.nope']) {
    assert.equal(holds({ [p]: { exists: true } }), false, p);
    assert.equal(holds({ [p]: { exists: false } }), true, p);
  }
  assert.equal(holds({ service: { exists: false } }), false);
});

test('at_least / at_most: P0 is the most severe, case-insensitive', () => {
  const at = (sev: string, c: ConditionMap): boolean => holds(c, { current: { severity: sev } });
  assert.equal(at('P0', { severity: { at_least: 'P1' } }), true);
  assert.equal(at('P1', { severity: { at_least: 'P1' } }), true);
  assert.equal(at('P2', { severity: { at_least: 'P1' } }), false);
  assert.equal(at('p1', { severity: { at_least: 'p1' } }), true);
  assert.equal(at('P3', { severity: { at_most: 'P2' } }), true);
  assert.equal(at('P2', { severity: { at_most: 'P2' } }), true);
  assert.equal(at('P1', { severity: { at_most: 'P2' } }), false);
});

test('at_least / at_most on non-severities fail with a note', () => {
  const literal = check({ severity: { at_least: 'high' } });
  assert.deepEqual([literal.passed, literal.clause?.note], [false, 'high is not a severity (P0–P4)']);
  const value = check({ service: { at_least: 'P1' } });
  assert.deepEqual([value.passed, value.clause?.note], [false, 'value is not a severity (P0–P4)']);
  const missing = check({ 'fields.sev': { at_most: 'P1' } });
  assert.deepEqual([missing.passed, missing.clause?.note], [false, 'field not set']);
});

test('several operators in one clause must all hold, and each is traced', () => {
  const band: ConditionMap = { severity: { at_least: 'P2', at_most: 'P1' } };
  assert.equal(holds(band, { current: { severity: 'P1' } }), true);
  assert.equal(holds(band, { current: { severity: 'P2' } }), true);
  assert.equal(holds(band, { current: { severity: 'P0' } }), false);
  const r = evaluateCondition(band, { current: { severity: 'P0' } });
  assert.equal(r.trace.kind, 'all');
  assert.deepEqual(
    r.trace.children?.map((n) => [n.clause?.op, n.passed]),
    [
      ['at_least', true],
      ['at_most', false],
    ],
  );
});

test('unknown operators and malformed clauses fail with a note, never throw', () => {
  const unknown = check({ service: { like: 'x' } as never });
  assert.equal(unknown.passed, false);
  assert.match(unknown.clause?.note ?? '', /unknown operator "like" \(allowed: equals/);
  assert.match(check({ 'a..b': { equals: 1 } }).clause?.note ?? '', /not a field path/);
  assert.match(check({ service: 'checkout' as never }).clause?.note ?? '', /expected operators/);
  assert.equal(evaluateCondition(null as never, { current: {} }).passed, false);
  assert.equal(evaluateCondition({ all: 'x' as never }, { current: {} }).passed, false);
  assert.equal(holds({ service: { equals: 'checkout' } }, null as never), false);
});
