/**
 * Dry run (pure): what a run of this runbook would do for this incident — the resolved inputs, the
 * exact YAML each pipeline step would send, the request each follow-up would make (secrets shown as
 * the names of the env vars they come from; none is read), which steps would run or be skipped and
 * why, and which triggers would fire, with the condition trace. Nothing is recorded or sent.
 * For a test incident (`incident.test`, or `--test`): the staging pipeline each pipeline step would
 * run, and each external follow-up redirected to its `staging:` target or "skipped: test incident".
 */
import type { Runbook } from '../manifests/schema.ts';
import type { Incident, StepState } from '../domain/types.ts';
import { evaluateTrigger, type TriggerDecision } from '../domain/triggers.ts';
import { prepareRun, type PreparedRun } from './prepare.ts';
import { shouldRun } from './step-runner.ts';
import { runScope } from './scope.ts';
import type { StepRecord } from '../store/index.ts';
import type { ActionPreview } from './ports.ts';
import { ALL_ACTIONS } from './actions/index.ts';
import { toAppError } from '../errors.ts';
import { isTestIncident, planForIncident, targetStep } from './actions/test-incident.ts';

export interface DryRunStep {
  id: string;
  uses: string;
  wouldRun: boolean;
  reason: string;
  assumedStatus: StepState;
  request?: { method: string; path: string; yaml: string };
  /** A follow-up's request as it would be sent, secrets shown as their env var names (would-run steps). */
  payload?: ActionPreview | { error: string };
  /** Test incidents: where the step goes instead of production ("test incident: running staging …"). */
  testIncident?: string;
}

const PREVIEWS = new Map(ALL_ACTIONS.filter((a) => a.preview).map((a) => [a.uses as string, a.preview!]));

export interface DryRunReport {
  runbook: Runbook;
  prepared: PreparedRun;
  steps: DryRunStep[];
  triggers: (TriggerDecision & { index: number; on: string })[];
  /** The incident is a test incident: steps show their staging targets or test-incident skips. */
  testIncident: boolean;
}

/** `assume` sets the outcome of earlier steps (default: succeeded) to explore `if:` branches. */
export function dryRun(
  runbook: Runbook,
  incident: Incident,
  opts: {
    inputs?: Record<string, unknown>;
    previous?: Incident;
    assume?: Record<string, StepState>;
    requester?: string;
  } = {},
): DryRunReport {
  const prepared = prepareRun(runbook, incident, opts.inputs ?? {});
  const isTest = isTestIncident(incident);
  const simulated: StepRecord[] = [];
  const steps: DryRunStep[] = runbook.steps.map((spec, idx) => {
    const run = {
      id: 'RUN-dry',
      requester: opts.requester ?? null,
      approver: null,
      trigger: 'manual' as const,
      runbookId: runbook.id,
      inputs: prepared.inputs,
    };
    const scope = withPlaceholders(runScope(run, incident, simulated), simulated);
    const ifGate = shouldRun(runbook.steps, simulated, idx, scope);
    // The same decision the engine makes for a test incident (actions/test-incident.ts).
    const plan = planForIncident(spec, incident, scope);
    const gate = ifGate.run && plan.kind === 'skip' ? { run: false, reason: plan.reason } : ifGate;
    const target = plan.kind === 'skip' ? spec : plan.spec;
    const assumed: StepState = gate.run ? (opts.assume?.[spec.id] ?? 'succeeded') : 'skipped';
    const preview = gate.run ? PREVIEWS.get(spec.uses) : undefined;
    let payload: DryRunStep['payload'];
    if (preview) {
      try {
        payload = preview(target, scope, { runId: run.id, stepId: spec.id });
      } catch (e) {
        payload = { error: toAppError(e).message };
      }
    }
    simulated.push({
      runId: 'RUN-dry',
      idx,
      stepId: spec.id,
      uses: spec.uses,
      status: assumed,
      url: null,
      externalId: null,
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
    } as unknown as StepRecord);
    const prep = prepared.steps[idx];
    const request =
      target.uses === 'harness.pipeline' && (gate.run || plan.kind !== 'skip')
        ? {
            method: 'POST',
            path: `/pipeline/api/pipeline/execute/${target.with.pipeline}?orgIdentifier=${target.with.org}&projectIdentifier=${target.with.project}`,
            yaml: targetStep({ resolvedYaml: prep?.resolvedYaml ?? '' }, plan).resolvedYaml,
          }
        : undefined;
    return {
      id: spec.id,
      uses: spec.uses,
      wouldRun: gate.run,
      reason: gate.reason,
      assumedStatus: assumed,
      ...(request ? { request } : {}),
      ...(payload ? { payload } : {}),
      ...(isTest && plan.kind === 'staging' && gate.run ? { testIncident: plan.note } : {}),
    };
  });
  const type = opts.previous ? 'incident.updated' : 'incident.created';
  const triggers = runbook.triggers.map((t, index) => ({
    index,
    on: t.on,
    // No history in a dry run: as if nothing had fired yet for this incident (the first firing).
    ...evaluateTrigger(
      t,
      { type, incident, ...(opts.previous ? { previous: opts.previous } : {}) },
      { runbook },
    ),
  }));
  return { runbook, prepared, steps, triggers, testIncident: isTest };
}

export function formatDryRun(r: DryRunReport): string {
  const out: string[] = [`Runbook: ${r.runbook.name} (${r.runbook.id})`];
  if (r.testIncident)
    out.push(
      'Test incident: pipeline steps run their staging: pipeline, external follow-ups go to their staging: target; steps without one are skipped (skipped: test incident).',
    );
  if (r.prepared.problems.length) {
    out.push('', 'Problems (a real run would be refused):', ...r.prepared.problems.map((p) => `  ✗ ${p}`));
  }
  out.push('', 'Inputs:');
  const inputs = Object.entries(r.prepared.inputs);
  out.push(...(inputs.length ? inputs.map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`) : ['  (none)']));
  out.push(
    '',
    'Steps (earlier steps are assumed to succeed; explore other outcomes with --assume <step>=failed):',
  );
  r.steps.forEach((s, i) => {
    out.push(
      `  ${i + 1}. ${s.id} (${s.uses}) — ${s.wouldRun ? 'would run' : 'would be skipped'}: ${s.reason.replace(/^skipped: /, '')}`,
    );
    if (s.testIncident) out.push(`     ${s.testIncident}`);
    const prep = r.prepared.steps[i];
    if (prep?.resolved?.length) {
      out.push('     Runtime inputs:');
      for (const v of prep.resolved)
        out.push(
          `       ${v.key} = ${v.value === null ? '(left for Harness)' : JSON.stringify(v.value)}  ← ${v.via === 'value' ? 'fixed value' : (v.source ?? v.via)}   [${v.path}]`,
        );
    }
    if (s.request) {
      out.push(
        `     ${s.request.method} ${s.request.path}`,
        '     Content-Type: application/yaml',
        '     ---',
      );
      out.push(
        ...s.request.yaml
          .trimEnd()
          .split('\n')
          .map((l) => `     ${l}`),
      );
      out.push('     ---');
    }
    if (s.payload) out.push(...formatPayload(s.payload));
  });
  out.push('', 'Triggers:');
  if (!r.triggers.length) out.push('  (none: manual only)');
  for (const t of r.triggers) {
    out.push(`  [${t.index}] on ${t.on}: ${t.fires ? 'WOULD FIRE' : 'would not fire'} — ${t.reason}`);
    if (t.policy) out.push(`      (fires ${t.policy}; the first firing for an incident is shown)`);
    out.push(...t.traceLines.map((l) => `      ${l}`));
  }
  return out.join('\n');
}

/**
 * What only a real run knows (an execution's url and id, how long a step took, its error) reads as a
 * bracketed placeholder in previews, e.g. `[url of rollback]`, instead of an empty string.
 */
function withPlaceholders(scope: Record<string, unknown>, simulated: StepRecord[]): Record<string, unknown> {
  const steps = scope.steps as Record<string, Record<string, unknown>>;
  for (const sim of simulated) {
    const s = steps[sim.stepId];
    if (!s || sim.status === 'skipped') continue;
    const failed = ['failed', 'timed_out', 'unknown', 'cancelled'].includes(sim.status);
    const fill: Record<string, boolean> = {
      url: sim.uses === 'harness.pipeline',
      execution_id: sim.uses === 'harness.pipeline',
      duration: true,
      error: failed,
    };
    for (const [field, applies] of Object.entries(fill))
      if (applies && (s[field] === null || s[field] === undefined))
        s[field] = `[${field.replace('_', ' ')} of ${sim.stepId}]`;
  }
  return scope;
}

function formatPayload(p: ActionPreview | { error: string }): string[] {
  if ('error' in p) return [`     ✗ would fail: ${p.error}`];
  const indent = (l: string) => `     ${l}`;
  return [
    indent(p.request),
    ...Object.entries(p.headers ?? {}).map(([k, v]) => indent(`${k}: ${v}`)),
    indent('---'),
    ...p.body.trimEnd().split('\n').map(indent),
    indent('---'),
    ...(p.missing.length ? [indent(`(no value before the run: ${p.missing.join(', ')})`)] : []),
  ];
}
