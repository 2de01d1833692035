/**
 * Checks inside one runbook: inputs, timeouts, step ids; every condition and `{{ }}` template names
 * something that exists where it is evaluated (crosscheck-expressions.ts, with the namespaces of
 * references.ts); harness.pipeline bindings (crosscheck-pipeline.ts); follow-up steps, secrets
 * included (crosscheck-followups.ts); `staging:` targets (crosscheck-staging.ts).
 */
import { parseDuration } from '../domain/duration.ts';
import type { Runbook } from './schema.ts';
import type { Located } from './load-texts.ts';
import type { PathSegment } from './manifest-error.ts';
import type { Report } from './report.ts';
import type { SourceDoc } from './yaml-source.ts';
import { ALL_ROOTS, checkScopedPath, checkTriggerPath } from './references.ts';
import type { RefScope, TypeContext } from './references.ts';
import { checkPipelineStep } from './crosscheck-pipeline.ts';
import { checkCondition, checkTemplate, checkTemplatesIn } from './crosscheck-expressions.ts';
import { checkFollowupStep } from './crosscheck-followups.ts';
import { checkStaging } from './crosscheck-staging.ts';

type Doc = SourceDoc;

export function checkRunbook(r: Located<Runbook>, type: TypeContext, report: Report): void {
  const rb = r.manifest;
  const doc = r.doc;
  const inputs = rb.inputs.map((i) => i.name);
  const steps = rb.steps.map((s) => s.id);
  const scope = (stepIndex: number, place: string): RefScope => ({
    incidentType: type,
    inputs,
    steps,
    stepIndex,
    roots: ALL_ROOTS,
    place,
  });

  checkInputs(r, type, report);
  rb.triggers.forEach((t, i) => {
    if (t.when) {
      checkCondition(
        doc,
        ['triggers', i, 'when'],
        t.when,
        (p) => checkTriggerPath(p, type),
        t.on === 'incident.updated',
        report,
      );
    }
    if (t.cooldown !== undefined) checkDuration(doc, ['triggers', i, 'cooldown'], t.cooldown, report);
  });
  const approval = rb.access.approval;
  if (typeof approval === 'object') {
    const s = scope(-1, 'access.approval.when');
    checkCondition(
      doc,
      ['access', 'approval', 'when'],
      approval.when,
      (p) => checkScopedPath(p, s),
      false,
      report,
    );
  }

  const seen = new Map<string, number>();
  rb.steps.forEach((step, i) => {
    const first = seen.get(step.id);
    if (first !== undefined)
      report(doc, ['steps', i, 'id'], `duplicate step id "${step.id}": also steps[${first}].id`);
    else seen.set(step.id, i);
    const s = scope(i, `step "${step.id}"`);
    if (step.if)
      checkCondition(doc, ['steps', i, 'if'], step.if, (p) => checkScopedPath(p, s), false, report);
    // Run-YAML is Harness syntax (`<+input>`), not a template: the pipeline check reads it instead.
    const skip = step.uses === 'harness.pipeline' ? ['inputs'] : [];
    checkTemplatesIn(doc, ['steps', i, 'with'], step.with, skip, s, report);
    if (step.timeout !== undefined) checkDuration(doc, ['steps', i, 'timeout'], step.timeout, report);
    checkFollowupStep(doc, ['steps', i], step, report);
    checkStaging(doc, ['steps', i], step, report);
    if (step.uses === 'harness.pipeline') {
      checkDuration(doc, ['steps', i, 'with', 'timeout'], step.with.timeout, report);
      checkPipelineStep(doc, ['steps', i, 'with'], step.with, { type, inputs: rb.inputs }, report);
    }
  });
}

function checkInputs(r: Located<Runbook>, type: TypeContext, report: Report): void {
  const names = new Set<string>();
  const defaultScope: RefScope = {
    incidentType: type,
    inputs: [],
    steps: [],
    stepIndex: -1,
    roots: ['incident'],
    place: 'an input default',
  };
  r.manifest.inputs.forEach((input, i) => {
    const at: PathSegment[] = ['inputs', i];
    if (names.has(input.name)) report(r.doc, [...at, 'name'], `duplicate input "${input.name}"`);
    names.add(input.name);
    const isTemplate = typeof input.default === 'string' && input.default.includes('{{');
    if (isTemplate) checkTemplate(r.doc, [...at, 'default'], String(input.default), defaultScope, report);
    if (input.type === 'select') {
      const options = input.options ?? [];
      if (options.length === 0)
        report(r.doc, at, `a select input needs options, e.g. options: [dev, qa, prod]`);
      else if (input.default !== undefined && !isTemplate && !options.includes(String(input.default))) {
        report(
          r.doc,
          [...at, 'default'],
          `default "${String(input.default)}" is not one of the options (${options.join(', ')})`,
        );
      }
    } else if (input.options !== undefined) {
      report(r.doc, [...at, 'options'], `options only apply to select inputs, not ${input.type}`);
    }
    if (input.default !== undefined && !isTemplate) {
      const d = input.default;
      if (input.type === 'number' && (typeof d === 'boolean' || !Number.isFinite(Number(d)))) {
        report(
          r.doc,
          [...at, 'default'],
          `default of a number input must be a number, got ${JSON.stringify(d)}`,
        );
      }
      if (input.type === 'boolean' && typeof d !== 'boolean') {
        report(
          r.doc,
          [...at, 'default'],
          `default of a boolean input must be true or false, got ${JSON.stringify(d)}`,
        );
      }
    }
  });
}

function checkDuration(doc: Doc, path: PathSegment[], value: string, report: Report): void {
  if (parseDuration(value) === null)
    report(doc, path, `"${value}" is not a duration greater than zero (e.g. 90s, 30m, 2h)`);
}
