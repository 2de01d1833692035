import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/domain/duration.ts';

test('parseDuration reads single units', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1d'), 86_400_000);
});

test('parseDuration reads combined units, largest first, with optional single spaces', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1d2h3m4s5ms'), 86_400_000 + 7_200_000 + 180_000 + 4000 + 5);
  assert.equal(parseDuration('2m 05s'), 125_000);
  assert.equal(parseDuration(' 1h '), 3_600_000);
  assert.equal(parseDuration('0h5m'), 300_000);
});

test('parseDuration returns null for anything else', () => {
  const bad = [
    '',
    ' ',
    '0s',
    '0ms',
    '0h0m',
    '-5m',
    '+5m',
    '5',
    'm',
    '1.5h',
    '5 m',
    '5M',
    '1h  30m',
    '30m1h',
    '1m1m',
    '1w',
    '5min',
    '1h30',
    'abc',
    '1e3s',
    '99999999999999999999d',
  ];
  for (const s of bad) assert.equal(parseDuration(s), null, s);
  assert.equal(parseDuration(undefined as unknown as string), null);
});

test('formatDuration shows two units at most, zero-padded second unit', () => {
  assert.equal(formatDuration(45_000), '45s');
  assert.equal(formatDuration(125_000), '2m 05s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  assert.equal(formatDuration(3_600_000), '1h 00m');
  assert.equal(formatDuration(86_400_000 + 4 * 3_600_000 + 59_000), '1d 04h');
  assert.equal(formatDuration(850), '850ms');
  assert.equal(formatDuration(59_999), '59s');
});

test('formatDuration handles zero, negative and non-numbers without crashing', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(-5000), '0s');
  assert.equal(formatDuration(Number.NaN), 'unknown');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), 'unknown');
});

test('property: formatDuration output parses back to at most the input, within its display precision', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1000, max: 30 * 86_400_000 }), (ms) => {
      const back = parseDuration(formatDuration(ms));
      assert.ok(back !== null && back <= ms, `${ms} -> ${formatDuration(ms)} -> ${back}`);
      const precision = ms >= 86_400_000 ? 3_600_000 : ms >= 3_600_000 ? 60_000 : 1000;
      assert.ok(ms - back < precision);
    }),
  );
});
