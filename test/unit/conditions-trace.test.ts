import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conditionPaths,
  evaluateCondition,
  formatTrace,
  formatTraceLines,
} from '../../src/domain/conditions.ts';
import type { ConditionMap, TraceNode } from '../../src/domain/conditions.ts';
import { conditionSchema } from '../../src/domain/condition-schema.ts';

const incident = {
  severity: 'P1',
  service: 'checkout',
  environment: 'prod',
  fields: { customer_facing: false },
};

function clauses(t: TraceNode): TraceNode[] {
  return t.kind === 'clause' ? [t] : (t.children ?? []).flatMap(clauses);
}

test('the DESIGN example: every clause is evaluated and shown with its value', () => {
  const when: ConditionMap = {
    severity: { at_least: 'P1' },
    service: { in: ['checkout', 'payments'] },
    'fields.customer_facing': { equals: true },
  };
  const r = evaluateCondition(when, { current: incident });
  assert.equal(r.passed, false);
  assert.equal(
    formatTrace(r.trace),
    'severity=P1 at_least P1 ✓ · service="checkout" in [checkout, payments] ✓ · fields.customer_facing=false equals true ✗',
  );
  assert.deepEqual(formatTraceLines(r.trace), [
    '✗ all of:',
    '  ✓ severity=P1 at_least P1',
    '  ✓ service="checkout" in [checkout, payments]',
    '  ✗ fields.customer_facing=false equals true',
  ]);
});

test('a failing first clause does not stop evaluation of the rest', () => {
  const r = evaluateCondition(
    { service: { equals: 'nope' }, severity: { equals: 'P1' }, any: [{ environment: { equals: 'prod' } }] },
    { current: incident },
  );
  assert.equal(r.passed, false);
  assert.deepEqual(
    clauses(r.trace).map((n) => [n.clause?.path, n.passed]),
    [
      ['service', false],
      ['severity', true],
      ['environment', true],
    ],
  );
});

test('combinators: all, any, not, nested, with correct results', () => {
  const ctx = { current: incident };
  assert.equal(
    evaluateCondition({ any: [{ service: { equals: 'x' } }, { service: { equals: 'checkout' } }] }, ctx)
      .passed,
    true,
  );
  assert.equal(
    evaluateCondition({ any: [{ service: { equals: 'x' } }, { service: { equals: 'y' } }] }, ctx).passed,
    false,
  );
  assert.equal(
    evaluateCondition({ all: [{ service: { equals: 'checkout' } }, { severity: { equals: 'P2' } }] }, ctx)
      .passed,
    false,
  );
  assert.equal(evaluateCondition({ not: { environment: { equals: 'prod' } } }, ctx).passed, false);
  assert.equal(evaluateCondition({ not: { environment: { equals: 'dev' } } }, ctx).passed, true);
  const nested: ConditionMap = {
    severity: { at_least: 'P2' },
    any: [
      { all: [{ service: { equals: 'payments' } }, { environment: { equals: 'prod' } }] },
      { not: { any: [{ 'fields.customer_facing': { equals: true } }, { environment: { equals: 'dev' } }] } },
    ],
  };
  const r = evaluateCondition(nested, ctx);
  assert.equal(r.passed, true);
  assert.equal(
    formatTrace(r.trace),
    'severity=P1 at_least P2 ✓ · any(all(service="checkout" equals payments ✗ · environment="prod" equals prod ✓) ✗ | ' +
      'not(any(fields.customer_facing=false equals true ✗ | environment="prod" equals dev ✗) ✗) ✓) ✓',
  );
  assert.deepEqual(formatTraceLines(r.trace), [
    '✓ all of:',
    '  ✓ severity=P1 at_least P2',
    '  ✓ any of:',
    '    ✗ all of:',
    '      ✗ service="checkout" equals payments',
    '      ✓ environment="prod" equals prod',
    '    ✓ not:',
    '      ✗ any of:',
    '        ✗ fields.customer_facing=false equals true',
    '        ✗ environment="prod" equals dev',
  ]);
  assert.equal(clauses(r.trace).length, 5);
});

test('a condition parsed by the zod schema evaluates the same', () => {
  const parsed = conditionSchema.parse({
    severity: { in: ['P0', 'P1'] },
    any: [{ service: { equals: 'checkout' } }],
  });
  assert.equal(evaluateCondition(parsed, { current: incident }).passed, true);
});

test('trace shows missing, null, lists, notes and regexes readably', () => {
  const r = evaluateCondition(
    {
      'fields.region': { equals: 'eu' },
      env: { exists: true },
      tags: { in: ['a b', ''] },
      service: { matches: '^check' },
    },
    { current: { env: null, tags: ['x', 'y'], service: 'checkout' } },
  );
  assert.equal(
    formatTrace(r.trace),
    'fields.region=(not set) equals eu ✗ — field not set · env=null exists true ✗ · tags=["x", "y"] in ["a b", ""] ✗ · service="checkout" matches /^check/ ✓',
  );
});

test('empty combinators and empty maps have defined results', () => {
  assert.equal(evaluateCondition({}, { current: {} }).passed, true);
  assert.equal(formatTrace(evaluateCondition({}, { current: {} }).trace), '(no conditions) ✓');
  assert.equal(evaluateCondition({ all: [] }, { current: {} }).passed, true);
  assert.equal(evaluateCondition({ any: [] }, { current: {} }).passed, false);
  assert.deepEqual(formatTraceLines(evaluateCondition({ any: [] }, { current: {} }).trace), [
    '✗ any of: (empty)',
  ]);
});

test('conditionPaths lists every field path once, through all combinators', () => {
  const c: ConditionMap = {
    severity: { at_least: 'P1' },
    any: [
      { service: { equals: 'a' } },
      { all: [{ 'steps.rollback.status': { equals: 'succeeded' } }, { severity: { at_most: 'P0' } }] },
    ],
    not: { 'fields.tags[0]': { exists: true } },
  };
  assert.deepEqual(conditionPaths(c), ['severity', 'service', 'steps.rollback.status', 'fields.tags[0]']);
  assert.deepEqual(conditionPaths(null as never), []);
});
