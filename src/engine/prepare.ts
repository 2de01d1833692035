/**
 * Preparing a run (pure): resolve the user's inputs and every `harness.pipeline` step's Run-YAML
 * before anything is recorded or sent. A run that cannot be resolved is refused up front with every
 * problem listed, instead of failing at 3 a.m. halfway through.
 */
import type { Runbook } from '../manifests/schema.ts';
import type { Incident } from '../domain/types.ts';
import { resolveInputs, type InputValue } from '../domain/inputs.ts';
import { resolveRunYaml, type ResolvedValue } from '../domain/runtime-inputs/index.ts';
import { incidentScope } from './scope.ts';

export interface PreparedStep {
  stepId: string;
  uses: string;
  resolvedYaml: string | null;
  resolved: ResolvedValue[] | null;
}

export interface PreparedRun {
  inputs: Record<string, InputValue>;
  steps: PreparedStep[];
  problems: string[];
}

export function prepareRun(
  runbook: Runbook,
  incident: Incident | null,
  provided: Record<string, unknown>,
): PreparedRun {
  const scope = { incident: incidentScope(incident) };
  const { values, problems: inputProblems } = resolveInputs(runbook.inputs, provided, scope);
  const problems = inputProblems.map((p) => `input ${p.input} ${p.message}`);
  const steps: PreparedStep[] = runbook.steps.map((step) => {
    if (step.uses !== 'harness.pipeline')
      return { stepId: step.id, uses: step.uses, resolvedYaml: null, resolved: null };
    const r = resolveRunYaml(step.with.inputs, step.with.bind, {
      incident: incidentScope(incident),
      inputs: values,
    });
    for (const e of r.errors) problems.push(`step ${step.id}: ${e.message}`);
    return { stepId: step.id, uses: step.uses, resolvedYaml: r.yaml, resolved: r.resolved };
  });
  return { inputs: values, steps, problems };
}
