/**
 * `runbook-bot import` through the real CLI entry point against the Harness fake's template
 * endpoint: the written runbook binds every placeholder, validates beside the shipped manifests,
 * and dry-runs; refusals (unknown pipeline, bad key, missing flags or env) say what to fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { spawnBot } from '../support/bot-process.ts';
import { tempDir } from '../support/tmp.ts';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';

const TEMPLATE = `pipeline:
  identifier: "rollback_checkout"
  variables:
    - name: "service"
      type: "String"
      value: "<+input>"
    - name: "environment"
      type: "String"
      value: "<+input>.allowedValues(dev,qa,prod)"
    - name: "incident_id"
      type: "String"
      value: "<+input>"
    - name: "target"
      type: "String"
      value: "<+input>.default(last_successful).allowedValues(last_successful,previous)"
    - name: "reason"
      type: "String"
      value: "<+input>"
    - name: "heap_dump"
      type: "String"
      value: "<+input>.default(no).allowedValues(yes,no).executionInput()"
`;

async function cli(args: string[], env: Record<string, string>) {
  const p = spawnBot(env, args);
  const code = await p.exited;
  return { code, out: p.output() };
}

const envFor = (h: HarnessFake, manifests: string) => ({
  HARNESS_BASE_URL: h.url,
  HARNESS_API_KEY: h.apiKey,
  HARNESS_ACCOUNT_ID: h.accountId,
  MANIFESTS_DIR: manifests,
});

test('import: template → runbook with every placeholder bound, valid beside the shipped manifests, dry-runs', async () => {
  const h = await startHarnessFake();
  const tmp = tempDir();
  try {
    const manifests = join(tmp.dir, 'manifests');
    cpSync(join(import.meta.dirname, '..', '..', 'manifests'), manifests, { recursive: true });
    h.templates.set('rollback_checkout', TEMPLATE);
    const out = join(manifests, 'rollback-checkout.yaml');
    const r = await cli(
      [
        'import',
        '--org',
        'default',
        '--project',
        'payments',
        '--pipeline',
        'rollback_checkout',
        '--out',
        out,
      ],
      envFor(h, manifests),
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /✓ valid/);

    // The request Harness saw: the template endpoint, scoped, with the key.
    const [call] = h.templates.calls;
    assert.ok(call);
    assert.equal(call.method, 'POST');
    assert.equal(call.apiKey, 'valid');
    assert.deepEqual(
      { ...call.query },
      {
        accountIdentifier: h.accountId,
        orgIdentifier: 'default',
        projectIdentifier: 'payments',
        pipelineIdentifier: 'rollback_checkout',
      },
    );

    const rb = parse(readFileSync(out, 'utf8'));
    assert.equal(rb.kind, 'Runbook');
    assert.equal(rb.id, 'rollback-checkout');
    const step = rb.steps[0];
    assert.equal(step.uses, 'harness.pipeline');
    assert.deepEqual(
      { org: step.with.org, project: step.with.project, pipeline: step.with.pipeline },
      { org: 'default', project: 'payments', pipeline: 'rollback_checkout' },
    );
    assert.equal(step.with.inputs, TEMPLATE, 'the template is kept verbatim');
    assert.deepEqual(step.with.bind, {
      service: { from: 'incident.service' },
      incident_id: { from: 'incident.id' },
      environment: { input: 'environment' },
      target: { input: 'target' },
      reason: { input: 'reason' },
    });
    const inputs = Object.fromEntries(rb.inputs.map((i: { name: string }) => [i.name, i]));
    assert.deepEqual(inputs.environment, {
      name: 'environment',
      label: 'Environment',
      type: 'select',
      options: ['dev', 'qa', 'prod'],
      default: '{{ incident.environment }}',
      required: true,
    });
    assert.deepEqual(inputs.target.options, ['last_successful', 'previous']);
    assert.equal(inputs.target.default, 'last_successful');
    assert.equal(inputs.target.required, false);
    assert.equal(inputs.reason.type, undefined, 'free text');
    assert.equal(inputs.heap_dump, undefined, 'execution inputs are left to Harness');
    assert.match(r.out, /heap_dump ← harness \(execution input/);

    // The whole folder still validates, and the new runbook dry-runs against an incident.
    const v = await cli(['validate', manifests], {});
    assert.equal(v.code, 0, v.out);
    assert.match(v.out, /rollback-checkout — Run rollback_checkout/);
    const d = await cli(
      [
        'dry-run',
        'rollback-checkout',
        '--incident',
        'examples/incident-p1.yaml',
        '--input',
        'reason=bad deploy',
        '--dir',
        manifests,
      ],
      {},
    );
    assert.equal(d.code, 0, d.out);
    assert.match(d.out, /value: "?checkout"?/);
    assert.match(d.out, /value: "?INC-42"?/);
    assert.match(d.out, /value: "?bad deploy"?/);
  } finally {
    await h.close();
    tmp.cleanup();
  }
});

test('import: refusals name what to fix', async () => {
  const h = await startHarnessFake();
  const tmp = tempDir();
  try {
    const env = envFor(h, join(tmp.dir, 'none'));
    const base = ['import', '--org', 'default', '--project', 'payments'];
    const unknown = await cli([...base, '--pipeline', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.out,
      /Could not read the pipeline's runtime inputs: .*pipeline "nope".*doesn't exist/s,
    );

    const badKey = await cli([...base, '--pipeline', 'nope'], { ...env, HARNESS_API_KEY: 'pat.wrong' });
    assert.equal(badKey.code, 1);
    assert.match(badKey.out, /refused access|INVALID_TOKEN/);

    const noEnv = await cli([...base, '--pipeline', 'x'], { MANIFESTS_DIR: env.MANIFESTS_DIR });
    assert.equal(noEnv.code, 1);
    assert.match(noEnv.out, /set HARNESS_API_KEY and HARNESS_ACCOUNT_ID/);

    const noFlags = await cli(['import', '--org', 'default'], env);
    assert.equal(noFlags.code, 2);
    assert.match(noFlags.out, /import needs --project, --pipeline/);

    const badId = await cli([...base, '--pipeline', 'x', '--id', 'Bad_ID'], env);
    assert.equal(badId.code, 2);
    assert.match(badId.out, /--id "Bad_ID"/);

    const existing = join(tmp.dir, 'taken.yaml');
    writeFileSync(existing, 'keep me');
    h.templates.set('x', '');
    const taken = await cli([...base, '--pipeline', 'x', '--out', existing], env);
    assert.equal(taken.code, 1);
    assert.match(taken.out, /exists; choose another --out or add --force/);
    assert.equal(readFileSync(existing, 'utf8'), 'keep me');

    // A pipeline without runtime inputs: a runbook that runs it as saved; --force replaces the file.
    const forced = await cli(
      [...base, '--pipeline', 'x', '--out', existing, '--force', '--id', 'run-x'],
      env,
    );
    assert.equal(forced.code, 0, forced.out);
    assert.match(forced.out, /no runtime inputs/);
    const rb = parse(readFileSync(existing, 'utf8'));
    assert.equal(rb.id, 'run-x');
    assert.equal(rb.steps[0].with.inputs, '');
    assert.equal(rb.steps[0].with.bind, undefined);
  } finally {
    await h.close();
    tmp.cleanup();
  }
});

test('import: an id that clashes with an existing runbook is reported against the new file', async () => {
  const h = await startHarnessFake();
  const tmp = tempDir();
  try {
    const manifests = join(tmp.dir, 'manifests');
    cpSync(join(import.meta.dirname, '..', '..', 'manifests'), manifests, { recursive: true });
    h.templates.set('rollback_checkout', TEMPLATE);
    const out = join(tmp.dir, 'new.yaml');
    const r = await cli(
      [
        'import',
        '--org',
        'default',
        '--project',
        'payments',
        '--pipeline',
        'rollback_checkout',
        '--id',
        'emergency-rollback',
        '--out',
        out,
      ],
      envFor(h, manifests),
    );
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /new\.yaml:\d+:\d+ .*emergency-rollback/);
    assert.match(r.out, /✗ 1 error\(s\) in the imported runbook/);
  } finally {
    await h.close();
    tmp.cleanup();
  }
});
