/** findRunbook: what `/runbook <words>` opens. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findRunbook } from '../../src/manifests/find.ts';
import { assertNoErrors, load } from '../fixtures/manifests/helpers.ts';

const rb = (id: string, name: string, aliases: string[] = []) =>
  `kind: Runbook\nid: ${id}\nname: ${name}\naliases: [${aliases.join(', ')}]\nsteps:\n  - { id: s, uses: timeline.event, with: { text: x } }\n`;

const { catalog, errors } = load({
  'a.yaml': rb('emergency-rollback', 'P1 - Emergency Rollback', ['rollback']),
  'b.yaml': rb('scale-service-production', 'Scale Service - Production', ['scale']),
  'c.yaml': rb('scale-service-staging', 'Scale Service - Staging'),
  'd.yaml': rb('diagnostic-pipeline', 'Diagnostic Pipeline Execution', ['diag']),
});

const ids = (r: ReturnType<typeof findRunbook>) =>
  'runbook' in r ? [r.runbook.id] : r.candidates.map((c) => c.id).sort();

test('fixture loads', () => assertNoErrors(errors));

test('exact id and exact alias win, case and spaces ignored', () => {
  assert.deepEqual(findRunbook(catalog, 'emergency-rollback'), {
    runbook: catalog.runbooks.get('emergency-rollback'),
  });
  assert.ok('runbook' in findRunbook(catalog, '  Rollback '));
  assert.deepEqual(ids(findRunbook(catalog, 'diag')), ['diagnostic-pipeline']);
});

test('an alias that is also a substring of other runbooks still resolves exactly', () => {
  // "scale" is in three places (alias, two ids) but it is an exact alias.
  const r = findRunbook(catalog, 'scale');
  assert.ok('runbook' in r);
  assert.equal(r.runbook.id, 'scale-service-production');
});

test('words: the unique runbook containing all of them in id, name or aliases', () => {
  assert.deepEqual(ids(findRunbook(catalog, 'service staging')), ['scale-service-staging']);
  assert.deepEqual(ids(findRunbook(catalog, 'P1 emergency')), ['emergency-rollback']);
  assert.deepEqual(ids(findRunbook(catalog, 'pipeline execution')), ['diagnostic-pipeline']);
});

test('several or no matches are returned as candidates', () => {
  assert.deepEqual(findRunbook(catalog, 'service'), {
    candidates: ['scale-service-production', 'scale-service-staging'].map((id) => catalog.runbooks.get(id)!),
  });
  assert.deepEqual(findRunbook(catalog, 'reboot the world'), { candidates: [] });
  assert.equal(ids(findRunbook(catalog, '')).length, 4, 'no words: every runbook is a candidate');
});
