/**
 * Pure (the Harness read is passed in): the part of the `/runbook validate` checklist for a test
 * incident — per pipeline step and external follow-up, what runs instead of production (the
 * staging pipeline, asked of Harness when the caller can; each follow-up redirected to its staging
 * target, with its staging env vars, or "skipped: test incident"). Uses the same decision as the
 * engine (actions/test-incident.ts).
 */
import type { Runbook } from '../manifests/schema.ts';
import type { Incident } from '../domain/types.ts';
import { parseRunYaml } from '../domain/runtime-inputs/index.ts';
import { userMessage } from '../errors.ts';
import { INTERNAL, isTestIncident, planForIncident } from './actions/test-incident.ts';
import { followupEnvNames as neededEnv } from './actions/followup-kit.ts';
import type { CheckItem, Env } from './runbook-checklist.ts';

/** Harness's runtime-input template of a pipeline (src/harness/input-template.ts fits). */
export type ReadPipelineTemplate = (req: {
  org: string;
  project: string;
  pipeline: string;
}) => Promise<{ yaml: string }>;

// Every step but the internal ones (slack.message, timeline.event) behaves differently for a test incident.

interface Planned {
  item: CheckItem;
  /** A staging pipeline to ask Harness for (replaces `item` when the caller can read Harness). */
  pipeline?: { stepId: string; runYaml: string; org: string; project: string; pipeline: string };
}

function planned(runbook: Runbook, incident: Incident, env: Env | undefined): Planned[] {
  if (!isTestIncident(incident)) return [];
  const scope = { incident: { ...incident, fields: { ...incident.fields } } };
  const out: Planned[] = [];
  for (const step of runbook.steps) {
    if (INTERNAL.has(step.uses)) continue;
    const plan = planForIncident(step, incident, scope);
    const what = step.uses === 'harness.pipeline' ? 'Pipeline step' : 'Follow-up';
    const head = `${what} ${step.id} (${step.uses})`;
    if (plan.kind === 'skip') {
      const how =
        step.uses === 'harness.pipeline' ? 'staging: { org, project, pipeline }' : 'a staging: target';
      out.push({
        item: {
          state: 'skipped',
          title: `${head}: ${plan.reason}`,
          details: [`add ${how} to exercise it`],
          testIncident: true,
        },
      });
    } else if (
      plan.kind === 'staging' &&
      plan.spec.uses === 'harness.pipeline' &&
      step.uses === 'harness.pipeline'
    ) {
      const w = plan.spec.with;
      out.push({
        item: {
          state: 'ok',
          title: `${head}: runs staging pipeline ${plan.target} instead of production`,
          details: [],
          testIncident: true,
        },
        pipeline: {
          stepId: step.id,
          runYaml: step.with.inputs,
          org: w.org,
          project: w.project,
          pipeline: w.pipeline,
        },
      });
    } else if (plan.kind === 'staging') {
      const missing = env
        ? neededEnv(plan.spec)
            .filter((alternatives) => !alternatives.some((v) => env[v]))
            .map((alternatives) => alternatives.join(' or '))
        : [];
      out.push({
        item: {
          state: missing.length ? 'failed' : 'ok',
          title: `${head}: redirected to its staging target (${plan.target})`,
          details: missing.length ? [`set ${missing.join(', ')}`] : [],
          testIncident: true,
        },
      });
    }
  }
  return out;
}

/**
 * Pure, test incidents only (else []): one item per pipeline step and external follow-up saying
 * where it goes instead of production, or that it is skipped. With `env`, a redirected follow-up's
 * staging env vars (names only) must be set.
 */
export function testIncidentPlanItems(runbook: Runbook, incident: Incident, env?: Env): CheckItem[] {
  return planned(runbook, incident, env).map((p) => p.item);
}

/**
 * testIncidentPlanItems, and with `read` each staging pipeline asked of Harness: it must exist and
 * take the runtime inputs of the runbook's Run-YAML (the same YAML is sent to it).
 */
export async function testIncidentChecks(
  runbook: Runbook,
  incident: Incident,
  opts: { env?: Env; read?: ReadPipelineTemplate } = {},
): Promise<CheckItem[]> {
  const read = opts.read;
  return Promise.all(
    planned(runbook, incident, opts.env).map((p) =>
      p.pipeline && read ? stagingPipelineCheck(p.pipeline, read) : p.item,
    ),
  );
}

const inputNames = (yaml: string): Set<string> =>
  new Set(yaml.trim() ? parseRunYaml(yaml).placeholders.map((p) => p.key) : []);

async function stagingPipelineCheck(
  p: NonNullable<Planned['pipeline']>,
  read: ReadPipelineTemplate,
): Promise<CheckItem> {
  const title = `Staging pipeline ${p.org}/${p.project}/${p.pipeline} (step ${p.stepId})`;
  try {
    const live = inputNames((await read({ org: p.org, project: p.project, pipeline: p.pipeline })).yaml);
    const mine = inputNames(p.runYaml);
    const drift = [
      ...[...live]
        .filter((n) => !mine.has(n))
        .map((n) => `runtime input of the staging pipeline, not in the runbook: ${n}`),
      ...[...mine]
        .filter((n) => !live.has(n))
        .map((n) => `runtime input the staging pipeline does not have: ${n}`),
    ];
    return drift.length
      ? {
          state: 'failed',
          title: `${title}: reachable, but its runtime inputs differ from the runbook's Run-YAML`,
          details: drift,
          testIncident: true,
        }
      : {
          state: 'ok',
          title: `${title}: Harness returns it; runtime inputs match`,
          details: [],
          testIncident: true,
        };
  } catch (e) {
    return {
      state: 'failed',
      title: `${title}: not reachable`,
      details: [userMessage(e)],
      testIncident: true,
    };
  }
}
