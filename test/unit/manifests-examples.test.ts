/** The shipped examples, the committed JSON Schema, and reading a folder from disk. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATORS } from '../../src/domain/condition-schema.ts';
import { loadManifests } from '../../src/manifests/load.ts';
import { jsonSchemaText, manifestJsonSchema } from '../../src/manifests/json-schema.ts';
import { stepSchema } from '../../src/manifests/schema.ts';
import { assertNoErrors, show } from '../fixtures/manifests/helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

test('the example manifests load with zero errors', () => {
  const r = loadManifests(join(ROOT, 'manifests'));
  assertNoErrors(r.errors);
  assert.deepEqual([...r.catalog.runbooks.keys()].sort(), [
    'diagnostic-pipeline',
    'emergency-rollback',
    'scale-service-production',
  ]);
  assert.ok(r.catalog.incidentTypes.has('major-incident'));
  assert.deepEqual(Object.keys(r.catalog.access?.roles ?? {}).sort(), [
    'commanders',
    'responders',
    'sre-leads',
  ]);
  const rollback = r.catalog.runbooks.get('emergency-rollback')!;
  assert.equal(r.catalog.aliases.get('rollback'), 'emergency-rollback');
  const step = rollback.steps[0]!;
  assert.equal(step.uses, 'harness.pipeline');
  if (step.uses === 'harness.pipeline') {
    assert.equal(step.with.mode, 'wait');
    assert.equal(step.with.timeout, '30m');
    assert.deepEqual(
      Object.values(step.with.bind)
        .map((b) => Object.keys(b)[0])
        .sort(),
      ['from', 'from', 'input', 'value'],
    );
  }
});

test('every example manifest starts with the yaml-language-server schema line', () => {
  const dir = join(ROOT, 'manifests');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const first = readFileSync(join(dir, f), 'utf8').split('\n')[0];
    assert.equal(first, '# yaml-language-server: $schema=../schema/manifest.schema.json', f);
  }
});

test('schema/manifest.schema.json is up to date (regenerate with npm run schema)', () => {
  const committed = readFileSync(join(ROOT, 'schema/manifest.schema.json'), 'utf8');
  assert.equal(committed, jsonSchemaText());
});

test('the JSON Schema offers every operator and the combinators inside conditions', () => {
  const s = manifestJsonSchema() as {
    definitions: Record<string, { properties: Record<string, unknown>; patternProperties?: object }>;
  };
  assert.deepEqual(Object.keys(s.definitions['operators']!.properties).sort(), [...OPERATORS].sort());
  assert.deepEqual(Object.keys(s.definitions['condition']!.properties).sort(), ['all', 'any', 'not']);
  const text = JSON.stringify(s);
  // Every place that takes a condition refers to the hand-written definition.
  // One `if:` per kind of step, trigger `when:`, `access.approval.when` and all/any/not inside it, DeploymentGate `when:`.
  assert.equal(text.match(/"#\/definitions\/condition"/g)?.length, stepSchema.options.length + 2 + 3 + 1);
  assert.ok(!text.includes('"additionalProperties":{}'), 'no opaque condition schema left');
});

test('loadManifests reads *.yaml and *.yml recursively, skips hidden folders and other files', () => {
  const dir = join(ROOT, 'test/fixtures/manifests/tree');
  const r = loadManifests(dir);
  assert.deepEqual(r.files, [join(dir, 'policy.yaml'), join(dir, 'sub/runbooks.yml')]);
  assert.deepEqual([...r.catalog.runbooks.keys()], ['restart-pods']);
  assert.equal(r.errors.length, 1, show(r.errors));
  assert.equal(r.errors[0]!.file, join(dir, 'sub/runbooks.yml'));
  assert.equal(`${r.errors[0]!.line}:${r.errors[0]!.col}`, '12:63');
  assert.match(r.errors[0]!.message, /unknown key "colour" \(allowed: text, key\)/);
});

test('a missing folder is an error, not a crash', () => {
  const r = loadManifests(join(ROOT, 'test/fixtures/manifests/does-not-exist'));
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /manifests folder not found/);
  assert.deepEqual(r.files, []);
});
