import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition, formatTrace } from '../../src/domain/conditions.ts';
import type { ConditionMap, ConditionContext } from '../../src/domain/conditions.ts';

const clause = (c: ConditionMap, ctx: ConditionContext) => {
  const r = evaluateCondition(c, ctx);
  return { passed: r.passed, clause: r.trace.clause };
};

test('changed* on incident.created (no previous state) is false with a note', () => {
  const created = { current: { severity: 'P1' } };
  for (const c of [{ changed: true }, { changed: false }, { changed_from: 'P2' }, { changed_to: 'P1' }]) {
    const r = clause({ severity: c }, created);
    assert.equal(r.passed, false, JSON.stringify(c));
    assert.equal(r.clause?.note, 'no previous value (not an update)');
    assert.equal(r.clause && 'previous' in r.clause, false);
  }
});

test('changed on update: true when the value differs, false when equal', () => {
  const upd = (before: unknown, after: unknown): ConditionContext => ({
    current: { v: after },
    previous: { v: before },
  });
  assert.equal(clause({ v: { changed: true } }, upd('P1', 'P2')).passed, true);
  assert.equal(clause({ v: { changed: true } }, upd('P1', 'P1')).passed, false);
  assert.equal(clause({ v: { changed: false } }, upd('P1', 'P1')).passed, true);
  assert.equal(clause({ v: { changed: true } }, upd(null, 'x')).passed, true);
  assert.equal(clause({ v: { changed: true } }, upd('x', null)).passed, true);
  assert.equal(clause({ v: { changed: true } }, { current: {}, previous: { v: null } }).passed, false);
  // Arrays compare deeply: a new array with the same elements is not a change.
  assert.equal(clause({ v: { changed: true } }, upd(['a', 'b'], ['a', 'b'])).passed, false);
  assert.equal(clause({ v: { changed: true } }, upd(['a', 'b'], ['b', 'a'])).passed, true);
  // Representation changes an author would not call a change.
  assert.equal(clause({ v: { changed: true } }, upd('p1', 'P1')).passed, false);
  assert.equal(clause({ v: { changed: true } }, upd(5, '5')).passed, false);
});

test('changed_from / changed_to need both the change and the value', () => {
  const ctx = { current: { severity: 'P1' }, previous: { severity: 'P2' } };
  assert.equal(clause({ severity: { changed_from: 'P2' } }, ctx).passed, true);
  assert.equal(clause({ severity: { changed_from: 'P3' } }, ctx).passed, false);
  assert.equal(clause({ severity: { changed_to: 'p1' } }, ctx).passed, true);
  assert.equal(clause({ severity: { changed_to: 'P2' } }, ctx).passed, false);
  const same = clause(
    { severity: { changed_to: 'P1' } },
    { current: { severity: 'P1' }, previous: { severity: 'P1' } },
  );
  assert.deepEqual([same.passed, same.clause?.note], [false, 'value did not change']);
  const both = evaluateCondition({ severity: { changed_from: 'P2', changed_to: 'P1' } }, ctx);
  assert.equal(both.passed, true);
});

test('P1 → P2 → P1: changed_to P1 is false on the first update and true on the second, with traces', () => {
  const when: ConditionMap = { severity: { changed_to: 'P1' } };
  const states = [{ severity: 'P1' }, { severity: 'P2' }, { severity: 'P1' }];
  const created = evaluateCondition(when, { current: states[0]! });
  const first = evaluateCondition(when, { current: states[1]!, previous: states[0]! });
  const second = evaluateCondition(when, { current: states[2]!, previous: states[1]! });
  assert.deepEqual([created.passed, first.passed, second.passed], [false, false, true]);
  assert.equal(formatTrace(created.trace), 'severity=P1 changed_to P1 ✗ — no previous value (not an update)');
  assert.equal(formatTrace(first.trace), 'severity=P2 (was P1) changed_to P1 ✗');
  assert.equal(formatTrace(second.trace), 'severity=P1 (was P2) changed_to P1 ✓');
  assert.deepEqual(second.trace.clause, {
    path: 'severity',
    op: 'changed_to',
    expected: 'P1',
    actual: 'P1',
    previous: 'P2',
    passed: true,
  });
});

test('previous of a field missing before the update is traced as not set', () => {
  const r = evaluateCondition(
    { 'fields.region': { changed: true } },
    { current: { fields: { region: 'eu' } }, previous: { fields: {} } },
  );
  assert.equal(r.passed, true);
  assert.equal(formatTrace(r.trace), 'fields.region="eu" (was (not set)) changed true ✓');
});
