/** Bad input never crashes the loader, and every error it reports has a real position. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadManifestTexts } from '../../src/manifests/load-texts.ts';
import type { ManifestError } from '../../src/manifests/manifest-error.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = readFileSync(`${ROOT}manifests/emergency-rollback.yaml`, 'utf8');
const TYPES = readFileSync(`${ROOT}manifests/incident-types.yaml`, 'utf8');

function wellFormed(errors: ManifestError[], text: string, file = 'f.yaml'): void {
  const lines = text.split('\n').length;
  for (const e of errors) {
    assert.equal(e.file, file);
    assert.ok(
      Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1,
      `line ${e.line} of ${lines}: ${e.message}`,
    );
    assert.ok(Number.isInteger(e.col) && e.col >= 1, `col ${e.col}: ${e.message}`);
    assert.ok(e.message.length > 0);
  }
}

test('arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const r = loadManifestTexts([{ path: 'f.yaml', text }]);
      wellFormed(r.errors, text);
    }),
    { numRuns: 300 },
  );
});

test('arbitrary values in every place of a runbook never throw', () => {
  const anyValue = fc.jsonValue({ maxDepth: 3 });
  const keys = fc.constantFrom(
    'kind',
    'id',
    'name',
    'aliases',
    'context',
    'inputs',
    'access',
    'triggers',
    'steps',
    'x',
  );
  fc.assert(
    fc.property(fc.dictionary(keys, anyValue, { maxKeys: 6 }), fc.boolean(), (doc, asRunbook) => {
      const text = stringify(asRunbook ? { ...doc, kind: 'Runbook' } : doc);
      wellFormed(loadManifestTexts([{ path: 'f.yaml', text }]).errors, text);
    }),
    { numRuns: 300 },
  );
});

test('the example with lines deleted or duplicated never throws, and errors stay in the file', () => {
  const lines = EXAMPLE.split('\n');
  fc.assert(
    fc.property(fc.array(fc.nat({ max: lines.length - 1 }), { maxLength: 4 }), fc.boolean(), (picks, dup) => {
      const edited = lines.flatMap((l, i) => (picks.includes(i) ? (dup ? [l, l] : []) : [l])).join('\n');
      const r = loadManifestTexts([
        { path: 'f.yaml', text: edited },
        { path: 't.yaml', text: TYPES },
      ]);
      wellFormed(
        r.errors.filter((e) => e.file === 'f.yaml'),
        edited,
      );
    }),
    { numRuns: 300 },
  );
});
