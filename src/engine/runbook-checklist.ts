/**
 * Pure: the checklist `/runbook validate` shows before anyone trusts a runbook in an incident —
 * does every input and `<+input>` resolve for this incident (with the values), are the follow-ups'
 * targets configured (env var names only; values are never read out), plus the results of the
 * live checks the caller ran (Harness returns the pipeline, the timeline is writable).
 * For a test incident it also says, per step, what runs instead of production
 * (test-incident-checklist.ts).
 */
import type { Runbook } from '../manifests/schema.ts';
import type { Incident } from '../domain/types.ts';
import { dryRun } from './dry-run.ts';
import { isTestIncident } from './actions/test-incident.ts';
import { followupEnvNames as neededEnv } from './actions/followup-kit.ts';
import { testIncidentPlanItems } from './test-incident-checklist.ts';

export type CheckState = 'ok' | 'failed' | 'skipped';

export interface CheckItem {
  state: CheckState;
  title: string;
  details: string[];
  /** Produced by test-incident-checklist.ts (so checklistText adds them only when the caller did not). */
  testIncident?: true;
}

export type Env = Record<string, string | undefined>;

/** Every input and placeholder resolved for this incident, with values and where they come from. */
export function mappingCheck(runbook: Runbook, incident: Incident): CheckItem {
  const report = dryRun(runbook, incident, {});
  const details: string[] = [];
  for (const [name, value] of Object.entries(report.prepared.inputs))
    details.push(`input ${name} = ${JSON.stringify(value)}`);
  for (const step of report.prepared.steps)
    for (const r of step.resolved ?? [])
      details.push(
        `${step.stepId}: ${r.key} = ${r.value === null ? '(asked by Harness during the run)' : `${JSON.stringify(r.value)}${r.source ? ` ← ${r.source}` : ''}`}`,
      );
  const problems = report.prepared.problems;
  return {
    state: problems.length ? 'failed' : 'ok',
    title: problems.length
      ? `Field mapping: ${problems.length} problem(s)`
      : 'Field mapping: every input resolves',
    details: [...problems.map((p) => `✗ ${p}`), ...details],
  };
}

const FOLLOWUPS = new Set([
  'jira.comment',
  'jira.transition',
  'servicenow.update',
  'email',
  'teams.message',
  'webhook',
  'slack.message',
]);

/** One item per follow-up step: configured, or which variables are missing. */
export function followupChecks(runbook: Runbook, env: Env): CheckItem[] {
  return runbook.steps
    .filter((s) => FOLLOWUPS.has(s.uses))
    .map((s) => {
      const missing = neededEnv(s)
        .filter((alternatives) => !alternatives.some((v) => env[v]))
        .map((alternatives) => alternatives.join(' or '));
      return missing.length
        ? {
            state: 'failed' as const,
            title: `Follow-up ${s.id} (${s.uses}): not configured`,
            details: [`set ${missing.join(', ')}`],
          }
        : { state: 'ok' as const, title: `Follow-up ${s.id} (${s.uses}): configured`, details: [] };
    });
}

const ICON: Record<CheckState, string> = {
  ok: ':white_check_mark:',
  failed: ':x:',
  skipped: ':white_circle:',
};

/** The checklist as Slack mrkdwn lines (details capped so the message stays within Slack's limits). */
export function checklistText(runbook: Runbook, incident: Incident, items: CheckItem[]): string {
  const isTest = isTestIncident(incident);
  // A caller that did not run testIncidentChecks still gets the redirect/skip list (pure part).
  if (isTest && !items.some((i) => i.testIncident))
    items = [...items, ...testIncidentPlanItems(runbook, incident)];
  const failed = items.filter((i) => i.state === 'failed').length;
  const against = isTest ? `test incident *${incident.id}*` : `*${incident.id}*`;
  const head = `*Checklist for ${runbook.name}* (\`${runbook.id}\`) against ${against} — ${failed ? `${failed} problem(s)` : 'ready'}`;
  const firstTest = items.findIndex((i) => i.testIncident);
  const lines = items.flatMap((i, n) => [
    ...(n === firstTest ? ['_Test incident — what runs instead of production:_'] : []),
    `${ICON[i.state]} ${i.title}`,
    ...i.details.slice(0, 12).map((d) => `      • ${d.length > 200 ? `${d.slice(0, 199)}…` : d}`),
    ...(i.details.length > 12 ? [`      • … and ${i.details.length - 12} more`] : []),
  ]);
  return [head, ...lines].join('\n').slice(0, 2900);
}
