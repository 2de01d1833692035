import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runbookFromTemplate, runbookIdFor } from '../../src/manifests/import-runbook.ts';
import { loadManifestTexts } from '../../src/manifests/load-texts.ts';
import { parseRunYaml } from '../../src/domain/runtime-inputs/index.ts';

const SAMPLES = join(import.meta.dirname, '..', 'fixtures', 'harness-samples');
const dir = SAMPLES;

test('runbook ids from Harness identifiers', () => {
  assert.equal(runbookIdFor('rollback_service'), 'rollback-service');
  assert.equal(runbookIdFor('RollbackService'), 'rollback-service');
  assert.equal(runbookIdFor('Deploy.Prod v2'), 'deploy-prod-v2');
  assert.equal(runbookIdFor('___'), 'imported-pipeline');
});

test('every real runtime-input template and pipeline sample imports to a runbook that validates', () => {
  const files = readdirSync(dir).filter((f) => /^(runtime-template|pipeline)-.*\.ya?ml$/.test(f));
  assert.ok(files.length >= 3, `samples found in ${dir}`);
  let checked = 0;
  for (const f of files) {
    const template = readFileSync(join(dir, f), 'utf8');
    const parsedTemplate = parseRunYaml(template);
    if (parsedTemplate.errors.length) continue; // not a Run-YAML (a Terraform fragment…)
    const identifier = (parse(template) as { pipeline?: { identifier?: string } } | null)?.pipeline
      ?.identifier;
    if (!identifier) continue;
    const r = runbookFromTemplate({ org: 'default', project: 'p', pipeline: identifier, template });
    const loaded = loadManifestTexts([{ path: f, text: r.yaml }]);
    assert.deepEqual(
      loaded.errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}`),
      [],
      `${f}\n${r.yaml}`,
    );
    const rb = loaded.catalog.runbooks.get(r.id);
    assert.ok(rb, f);
    // Every placeholder is accounted for: bound, or left to Harness as an execution input.
    const bound = new Set(r.bindings.flatMap((b) => b.places));
    for (const p of parsedTemplate.placeholders)
      assert.ok(bound.has(p.path), `${f}: ${p.path} has a binding`);
    checked++;
  }
  assert.ok(checked >= 3, `checked ${checked}`);
});

test('names that are not identifiers become valid, unique input names; labels stay short', () => {
  const template = `pipeline:
  identifier: "p"
  stages:
    - stage:
        identifier: a
        spec:
          image-tag: <+input>
    - stage:
        identifier: b
        spec:
          image-tag: <+input>.regex(^v[0-9]+$)
`;
  const r = runbookFromTemplate({ org: 'o', project: 'x', pipeline: 'p', template });
  const loaded = loadManifestTexts([{ path: 'r.yaml', text: r.yaml }]);
  assert.deepEqual(loaded.errors, [], r.yaml);
  const names = loaded.catalog.runbooks.get('p')!.inputs.map((i) => i.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[A-Za-z_]\w*$/);
  assert.ok(loaded.catalog.runbooks.get('p')!.inputs.some((i) => /\^v\[0-9\]\+\$/.test(i.description ?? '')));
});
