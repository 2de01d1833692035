/**
 * Pure: what a step does when its run belongs to a test incident (`incident.test === true`).
 * The engine, dry-run and the `/runbook validate` checklist all ask this one function, so what a
 * dry-run promises is what a run does.
 *
 * - slack.message and timeline.event are internal: they run as written.
 * - harness.pipeline with `staging:` runs the staging org/project/pipeline (same Run-YAML, same
 *   bindings); without it the step is skipped — a test incident never executes a production pipeline.
 * - external follow-ups with `staging:` go to the staging target; without it they are skipped.
 * Runs of other incidents, and runs without an incident, are never changed.
 */
import { isMap, parseDocument } from 'yaml';
import { renderTemplate } from '../../domain/templates.ts';
import type { Step } from '../../manifests/schema.ts';

export const TEST_SKIP_REASON = 'skipped: test incident';
export const TEST_SKIP_PIPELINE_REASON = 'skipped: test incident (no staging pipeline)';

/** Actions that only write inside runbook-bot and Slack: a test incident runs them unchanged. */
export const INTERNAL: ReadonlySet<Step['uses']> = new Set(['slack.message', 'timeline.event']);

export type TestIncidentPlan =
  /** Not a test incident, or an internal action: the step as written. */
  | { kind: 'as-is'; spec: Step }
  /** The step with its staging target in place of the production one; `note` says so in the timeline. */
  | { kind: 'staging'; spec: Step; note: string; target: string }
  /** Never started: `reason` is recorded on the step, `event` in the timeline. */
  | { kind: 'skip'; reason: string; event: string };

export function isTestIncident(incident: { test?: boolean } | null | undefined): boolean {
  return incident?.test === true;
}

/** `scope` (optional) renders template targets for the note, e.g. the Jira issue key. */
export function planForIncident(
  spec: Step,
  incident: { test?: boolean } | null | undefined,
  scope: Record<string, unknown> = {},
): TestIncidentPlan {
  if (!isTestIncident(incident) || INTERNAL.has(spec.uses)) return { kind: 'as-is', spec };
  const shown = (tpl: string) => renderTemplate(tpl, scope).text.trim() || tpl;
  const staged = (s: Step, target: string): TestIncidentPlan => ({
    kind: 'staging',
    spec: s,
    target,
    note:
      s.uses === 'harness.pipeline'
        ? `test incident: running staging pipeline ${target}`
        : `test incident: ${s.uses} step ${s.id} goes to its staging target (${target})`,
  });
  switch (spec.uses) {
    case 'harness.pipeline': {
      const { staging, ...w } = spec.with;
      if (!staging)
        return {
          kind: 'skip',
          reason: TEST_SKIP_PIPELINE_REASON,
          event: `Step ${spec.id} ${TEST_SKIP_PIPELINE_REASON}: pipeline ${w.org}/${w.project}/${w.pipeline} was not run`,
        };
      const next = {
        ...w,
        org: staging.org ?? w.org,
        project: staging.project ?? w.project,
        pipeline: staging.pipeline ?? w.pipeline,
      };
      return staged({ ...spec, with: next }, `${next.org}/${next.project}/${next.pipeline}`);
    }
    case 'jira.comment': {
      const { staging, ...w } = spec.with;
      if (!staging) return skipFollowup(spec);
      return staged({ ...spec, with: { ...w, issue: staging.issue } }, `issue ${shown(staging.issue)}`);
    }
    case 'jira.transition': {
      const { staging, ...w } = spec.with;
      if (!staging) return skipFollowup(spec);
      return staged({ ...spec, with: { ...w, issue: staging.issue } }, `issue ${shown(staging.issue)}`);
    }
    case 'servicenow.update': {
      const { staging, ...w } = spec.with;
      if (!staging) return skipFollowup(spec);
      const table = staging.table ?? w.table;
      return staged(
        { ...spec, with: { ...w, record: staging.record, table } },
        `${table} ${shown(staging.record)}`,
      );
    }
    case 'email': {
      const { staging, cc: _productionCc, ...w } = spec.with;
      if (!staging) return skipFollowup(spec);
      // The staging recipients replace the production ones entirely: the production cc is dropped.
      const next = { ...w, to: staging.to, ...(staging.cc !== undefined ? { cc: staging.cc } : {}) };
      const to = [staging.to, staging.cc ?? []].flat().map(shown);
      return staged({ ...spec, with: next }, `to ${to.join(', ')}`);
    }
    case 'teams.message': {
      const { staging, ...w } = spec.with;
      if (!staging) return skipFollowup(spec);
      return staged({ ...spec, with: { ...w, url_env: staging.url_env } }, `$${staging.url_env}`);
    }
    case 'webhook': {
      const { staging, url: _url, url_env: _urlEnv, secret_env: _secret, ...w } = spec.with;
      if (!staging) return skipFollowup(spec);
      // Production secrets (signature, secret headers) are never sent to a staging URL.
      const next = {
        ...w,
        ...(staging.url !== undefined ? { url: staging.url } : {}),
        ...(staging.url_env !== undefined ? { url_env: staging.url_env } : {}),
        ...(staging.secret_env !== undefined ? { secret_env: staging.secret_env } : {}),
        headers_from_env: staging.headers_from_env ?? {},
      };
      const target = staging.url !== undefined ? shown(staging.url) : `$${staging.url_env ?? '?'}`;
      return staged({ ...spec, with: next }, target);
    }
    default:
      return { kind: 'as-is', spec };
  }
}

function skipFollowup(spec: Step): TestIncidentPlan {
  return {
    kind: 'skip',
    reason: TEST_SKIP_REASON,
    event: `Step ${spec.id} (${spec.uses}) ${TEST_SKIP_REASON}: it has no staging: target, nothing was sent`,
  };
}

/** The spec an action is called with: the staging one, or the step as written (also for skips). */
export function targetSpec(spec: Step, plan: TestIncidentPlan): Step {
  return plan.kind === 'skip' ? spec : plan.spec;
}

/** The step as its action sees it: a staging pipeline gets the Run-YAML retargeted to it. */
export function targetStep<S extends { resolvedYaml: string | null }>(s: S, plan: TestIncidentPlan): S {
  if (plan.kind !== 'staging' || plan.spec.uses !== 'harness.pipeline' || s.resolvedYaml === null) return s;
  return { ...s, resolvedYaml: stagingRunYaml(s.resolvedYaml, plan.spec.with.pipeline) };
}

/**
 * The Run-YAML for a staging pipeline: Harness refuses a runtime-input YAML whose
 * `pipeline.identifier` names another pipeline, so the identifier (only) is set to the staging one,
 * on the parsed tree. Everything else is sent exactly as resolved.
 */
export function stagingRunYaml(yaml: string, pipeline: string): string {
  if (!yaml.trim()) return yaml;
  const doc = parseDocument(yaml);
  if (doc.errors.length) return yaml;
  const root = doc.contents;
  const p = isMap(root) ? root.get('pipeline', true) : undefined;
  if (!isMap(p) || !p.has('identifier') || p.get('identifier') === pipeline) return yaml;
  p.set('identifier', pipeline);
  return doc.toString();
}
