/**
 * Every real Harness sample (pipelines, templates, input sets, Run-modal templates, freeze
 * files, and the YAML inside API responses) goes through parse → plan → render, checked against
 * an independent reading of the same YAML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument, visit } from 'yaml';
import {
  parseRunYaml,
  planBindings,
  renderRunYaml,
  resolveRunYaml,
} from '../../src/domain/runtime-inputs/index.ts';
import type { Placeholder } from '../../src/domain/runtime-inputs/index.ts';

// Copies of ../shared/reference/harness-samples (public sources, see SOURCES.md there).
const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'harness-samples');

function loadSamples(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(DIR).sort()) {
    if (f.endsWith('.yaml') || f.endsWith('.yml')) out.set(f, readFileSync(join(DIR, f), 'utf8'));
    if (f.endsWith('.json')) {
      const data: unknown = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
      if (data && typeof data === 'object') {
        for (const [k, v] of Object.entries(data))
          if (/yaml$/i.test(k) && typeof v === 'string') out.set(`${f}#${k}`, v);
      }
    }
  }
  return out;
}
const SAMPLES = loadSamples();

function sample(name: string): string {
  const text = SAMPLES.get(name);
  assert.ok(text !== undefined, `sample ${name} exists`);
  return text;
}

/** Independent count: value scalars starting with `<+input>` or `<+input.` (yaml's own visitor). */
function countByVisitor(text: string): number {
  let n = 0;
  visit(parseDocument(text), {
    Scalar(key, node) {
      if (
        key !== 'key' &&
        typeof node.value === 'string' &&
        (node.value.startsWith('<+input>') || node.value.startsWith('<+input.'))
      )
        n++;
    },
  });
  return n;
}

function setIn(obj: unknown, segments: readonly (string | number)[], value: unknown): void {
  let cur = obj as Record<string | number, unknown>;
  segments.forEach((s, i) => {
    if (i === segments.length - 1) cur[s] = value;
    else cur = cur[s] as Record<string | number, unknown>;
  });
}

/** A value that passes the placeholder's own rules. */
function validValue(p: Placeholder, i: number): string {
  const m = p.modifiers;
  return m.allowedValues?.[0] ?? m.selectOneFrom?.[0] ?? m.selectManyFrom?.[0] ?? `value-${i}`;
}

test('the sample set is the one SOURCES.md describes', () => {
  assert.ok(SAMPLES.size >= 20, `17 YAML files + 3 YAML strings in JSON, found ${SAMPLES.size}`);
  assert.ok(SAMPLES.has('response-inputsetV2-data.json#inputSetTemplateYaml'));
  assert.ok(SAMPLES.has('response-inputsetV2-data.json#inputSetYaml'));
});

for (const [name, text] of SAMPLES) {
  test(`${name}: parses, every placeholder found with its position, renders to the same tree`, () => {
    const { placeholders, errors } = parseRunYaml(text);
    assert.deepEqual(errors, []);
    assert.equal(placeholders.length, countByVisitor(text));

    const doc = parseDocument(text);
    const lines = text.split('\n');
    for (const p of placeholders) {
      assert.equal(doc.getIn(p.segments), p.raw, `${p.path} names the scalar`);
      const at = lines[p.line - 1]?.slice(p.col - 1) ?? '';
      assert.ok(
        at.startsWith(p.raw) || at.startsWith(`"${p.raw}`) || at.startsWith(`'${p.raw}`),
        `${p.path} at ${p.line}:${p.col}: ${at}`,
      );
    }

    // tricky values, rendered by path: same tree with only those leaves changed
    const values = new Map(placeholders.map((p, i) => [p.path, `v${i}: "x" # y\n- z, <+input>`]));
    const out = renderRunYaml(text, values);
    const expected = parse(text);
    for (const [path, v] of values)
      setIn(expected, placeholders.find((p) => p.path === path)?.segments ?? [], v);
    assert.deepEqual(parse(out), expected);

    // every line without a placeholder is byte-identical
    const placeholderLines = new Set(placeholders.map((p) => p.line));
    const outLines = out.split('\n');
    assert.equal(outLines.length, lines.length);
    lines.forEach((line, i) => {
      if (!placeholderLines.has(i + 1)) assert.equal(outLines[i], line, `line ${i + 1}`);
    });

    // bound by full path with valid values, the whole resolver agrees
    const bind = Object.fromEntries(placeholders.map((p, i) => [p.path, { value: validValue(p, i) }]));
    const resolved = resolveRunYaml(text, bind, { incident: {}, inputs: {} });
    assert.deepEqual(resolved.errors, []);
    const expectedResolved = parse(text);
    placeholders.forEach((p, i) => setIn(expectedResolved, p.segments, validValue(p, i)));
    assert.deepEqual(parse(resolved.yaml), expectedResolved);
  });
}

function keysAndModifiers(name: string): [string, string, unknown][] {
  return parseRunYaml(sample(name)).placeholders.map((p) => [p.key, p.path, p.modifiers]);
}

test('runtime-template-mixed-defaults.yaml: keys and modifiers', () => {
  assert.deepEqual(keysAndModifiers('runtime-template-mixed-defaults.yaml'), [
    ['repoName', 'pipeline.properties.ci.codebase.repoName', { executionInput: false }],
    ['build', 'pipeline.properties.ci.codebase.build', { executionInput: false }],
    ['SERVICE_LIST', 'pipeline.variables[0].value', { executionInput: false }],
    [
      'DEPLOY',
      'pipeline.variables[1].value',
      { executionInput: false, default: 'true', allowedValues: ['true', 'false'] },
    ],
    [
      'HAR_REGISTRY',
      'pipeline.variables[2].value',
      { executionInput: false, default: 'https://registry.example.com' },
    ],
  ]);
  const ps = parseRunYaml(sample('runtime-template-mixed-defaults.yaml')).placeholders;
  const { plan, errors } = planBindings(ps, {
    repoName: { value: 'r' },
    build: { value: 'main' },
    SERVICE_LIST: { from: 'incident.service' },
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    plan.map((x) => x.via),
    ['value', 'value', 'from', 'default', 'default'],
  );
  assert.match(
    planBindings(ps, {})
      .errors.map((e) => e.message)
      .join('\n'),
    /"repoName" is not bound[\s\S]*"build" is not bound[\s\S]*"SERVICE_LIST" is not bound/,
  );
});

test('runtime-template-selectonefrom.yaml: spaces in lists trimmed, selectOneFrom read', () => {
  assert.deepEqual(
    keysAndModifiers('runtime-template-selectonefrom.yaml').map(([k, , m]) => [k, m]),
    [
      ['JAVA_BUILD', { executionInput: false, default: 'true', allowedValues: ['true', 'false'] }],
      ['PYTHON_BUILD', { executionInput: false, default: 'false', allowedValues: ['true', 'false'] }],
      ['NPM_BUILD', { executionInput: false, default: 'false', selectOneFrom: ['true', 'false'] }],
    ],
  );
  const r = resolveRunYaml(
    sample('runtime-template-selectonefrom.yaml'),
    { NPM_BUILD: { value: 'maybe' } },
    { incident: {}, inputs: {} },
  );
  assert.equal(
    r.errors[0]?.message,
    'bind "NPM_BUILD": runtime input "NPM_BUILD" must be one of: true, false (got "maybe") (at pipeline.variables[2].value, line 14)',
  );
});

test('devhub stage template: .default(new york).executionInput() stays for Harness', () => {
  const text = sample('pipeline-devhub-stage-template-executioninput.yaml');
  assert.deepEqual(keysAndModifiers('pipeline-devhub-stage-template-executioninput.yaml'), [
    [
      'var1',
      'pipeline.stages[0].stage.template.templateInputs.variables[0].value',
      { executionInput: true, default: 'new york' },
    ],
  ]);
  const r = resolveRunYaml(text, {}, { incident: {}, inputs: {} });
  assert.deepEqual(r.errors, []);
  assert.equal(r.yaml, text);
});

test('pipeline-dynamic-asg-allowedvalues.yaml and tf-provider release: allowed values of variables', () => {
  const asg = keysAndModifiers('pipeline-dynamic-asg-allowedvalues.yaml');
  assert.deepEqual(asg.slice(2), [
    [
      'Segments',
      'pipeline.variables[0].value',
      { executionInput: false, allowedValues: ['cpe', 'css', 'cie'] },
    ],
    [
      'Environments',
      'pipeline.variables[2].value',
      { executionInput: false, allowedValues: ['dev', 'sit', 'rit'] },
    ],
  ]);
  const tf = keysAndModifiers('pipeline-tf-provider-release.yaml');
  assert.deepEqual(
    tf.map(([k, path]) => [k, path]),
    [
      ['VERSION', 'pipeline.stages[0].stage.variables[3].value'],
      ['CREATE_TAG', 'pipeline.stages[0].stage.variables[4].value'],
      ['BASE_BRANCH', 'pipeline.stages[0].stage.variables[5].value'],
      ['build', 'pipeline.properties.ci.codebase.build'],
    ],
  );
});

test('hand-counted placeholders match SOURCES.md', () => {
  const count = (n: string) => parseRunYaml(sample(n)).placeholders.length;
  assert.equal(count('pipeline-google-cloud-run.yaml'), 12);
  assert.equal(count('pipeline-podinfo-gitops.yaml'), 13);
  assert.equal(count('pipeline-idp-service-onboarding.yaml'), 7);
  assert.equal(count('inputset-devhub-artifact.yaml'), 0);
  assert.equal(count('freeze-devhub-window.yaml'), 0);
});

test('podinfo: variable names repeated across stages are ambiguous, bindable by path', () => {
  const ps = parseRunYaml(sample('pipeline-podinfo-gitops.yaml')).placeholders;
  const { errors } = planBindings(ps, { 'cluster.name': { value: 'c' } });
  assert.match(
    errors[0]?.message ?? '',
    /bind "cluster\.name" is ambiguous: 2 runtime inputs are called "cluster\.name": stages\[0\]\.stage\.spec\.execution\.steps\[0\]\.step\.spec\.variables\[0\]\.value \(line 36\), stages\[2\]/,
  );
});

test('rootless CI factory fragment: no root to strip, Terraform ${} text untouched', () => {
  const text = sample('pipeline-ci-image-factory-tftemplate.yaml');
  const ps = parseRunYaml(text).placeholders;
  assert.deepEqual(
    ps.map((p) => [p.key, p.path, p.pathWithoutRoot]),
    [
      ['registry', 'variables[0].value', undefined],
      ['is_retry', 'variables[1].value', undefined],
      ['modify_default', 'variables[2].value', undefined],
    ],
  );
  const r = resolveRunYaml(
    text,
    { registry: { value: 'r' }, is_retry: { value: 'false' }, modify_default: { value: true } },
    { incident: {}, inputs: {} },
  );
  assert.deepEqual(r.errors, []);
  assert.ok(r.yaml.includes('templateRef: ${GATHER_SCAN_TEMPLATE}'));
  assert.ok(r.yaml.includes('default: "${MODIFY_DEFAULT}"'));
});

test('inputsetV2: rendering the Run-modal template gives the input set Harness recorded', () => {
  const template = sample('response-inputsetV2-data.json#inputSetTemplateYaml');
  const [p] = parseRunYaml(template).placeholders;
  assert.equal(p?.key, 'Delegate');
  assert.equal(p?.modifiers.allowedValues?.length, 20);
  const r = resolveRunYaml(
    template,
    { Delegate: { input: 'delegate' } },
    { incident: {}, inputs: { delegate: 'chi-play-acc' } },
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(parse(r.yaml), parse(sample('response-inputsetV2-data.json#inputSetYaml')));
  const bad = resolveRunYaml(
    template,
    { Delegate: { input: 'delegate' } },
    { incident: {}, inputs: { delegate: 'nope' } },
  );
  assert.match(
    bad.errors[0]?.message ?? '',
    /must be one of: pie-play-acc, pl-play-acc, .*product-mngt-play-acc \(got "nope"\)/,
  );
});
