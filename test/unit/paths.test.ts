import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, isValidPath, parsePath } from '../../src/domain/paths.ts';
import { AppError } from '../../src/errors.ts';

test('parsePath splits names and indexes', () => {
  assert.deepEqual(parsePath('severity'), ['severity']);
  assert.deepEqual(parsePath('steps.rollback.status'), ['steps', 'rollback', 'status']);
  assert.deepEqual(parsePath('incident.fields.tags[0]'), ['incident', 'fields', 'tags', 0]);
  assert.deepEqual(parsePath('a[1][2].b-c_d'), ['a', 1, 2, 'b-c_d']);
});

test('parsePath returns a fresh array each time (cache cannot be corrupted)', () => {
  const a = parsePath('x.y');
  a.push('z');
  assert.deepEqual(parsePath('x.y'), ['x', 'y']);
});

test('parsePath throws INPUT_INVALID naming the problem', () => {
  for (const bad of ['', '.a', 'a.', 'a..b', '[0]', 'a[x]', 'a[0', 'a b', '1a', 'a.1', 'a[-1]']) {
    assert.throws(
      () => parsePath(bad),
      (e: unknown) => e instanceof AppError && e.code === 'INPUT_INVALID' && e.message.includes(`"${bad}"`),
      bad,
    );
    assert.equal(isValidPath(bad), false);
  }
  assert.throws(() => parsePath('a.b c'), /unexpected " " at position 4/);
});

test('getPath finds nested values, list elements and falsy values', () => {
  const obj = { a: { b: [10, { c: false }], z: 0, n: null, e: '' } };
  assert.deepEqual(getPath(obj, 'a.b[0]'), { found: true, value: 10 });
  assert.deepEqual(getPath(obj, 'a.b[1].c'), { found: true, value: false });
  assert.deepEqual(getPath(obj, 'a.z'), { found: true, value: 0 });
  assert.deepEqual(getPath(obj, 'a.n'), { found: true, value: null });
  assert.deepEqual(getPath(obj, 'a.e'), { found: true, value: '' });
});

test('getPath reports missing for absent keys, wrong shapes, undefined and malformed paths', () => {
  const obj = { a: { b: [1], s: 'text', u: undefined } };
  for (const p of ['x', 'a.x', 'a.b[1]', 'a.b.length', 'a.s.length', 'a.s[0]', 'a[0]', 'a.u', 'a..b', '']) {
    assert.deepEqual(getPath(obj, p), { found: false, value: undefined }, p);
  }
  assert.equal(getPath(null, 'a').found, false);
  assert.equal(getPath('str', 'length').found, false);
});

test('getPath never reaches the prototype chain', () => {
  assert.equal(getPath({}, 'constructor').found, false);
  assert.equal(getPath({ a: {} }, 'a.__proto__').found, false);
  assert.equal(getPath({ a: {} }, 'a.toString').found, false);
});
