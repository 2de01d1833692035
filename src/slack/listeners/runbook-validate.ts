/**
 * `/runbook validate <runbook>` in an incident channel: the pre-flight checklist for one runbook
 * against this (test) incident — field mapping with values, Harness returns each pipeline (and its
 * runtime inputs still match the runbook's Run-YAML), the timeline is writable, follow-up targets
 * are configured. Nothing runs and nothing is written. Answered privately (it can name env vars).
 */
import type { SlackDeps } from '../deps.ts';
import type { Runbook } from '../../manifests/schema.ts';
import type { IncidentRecord } from '../../store/index.ts';
import type { InputTemplate, InputTemplateRequest } from '../../harness/input-template.ts';
import { parseRunYaml } from '../../domain/runtime-inputs/index.ts';
import { userMessage } from '../../errors.ts';
import { testIncidentChecks } from '../../engine/test-incident-checklist.ts';
import {
  checklistText,
  followupChecks,
  mappingCheck,
  type CheckItem,
} from '../../engine/runbook-checklist.ts';

export type ReadInputTemplate = (req: InputTemplateRequest) => Promise<InputTemplate>;

/** Runtime inputs by name (a variable's name, else the field name): indexes shift, names do not. */
const namesOf = (yaml: string): Set<string> =>
  new Set(yaml.trim() ? parseRunYaml(yaml).placeholders.map((p) => p.key) : []);

async function pipelineChecks(runbook: Runbook, read: ReadInputTemplate | undefined): Promise<CheckItem[]> {
  const steps = runbook.steps.filter((s) => s.uses === 'harness.pipeline');
  if (!steps.length) return [];
  if (!read)
    return [
      {
        state: 'failed',
        title: 'Harness: not configured',
        details: ['set HARNESS_API_KEY and HARNESS_ACCOUNT_ID'],
      },
    ];
  return Promise.all(
    steps.map(async (s): Promise<CheckItem> => {
      const w = s.with as { org: string; project: string; pipeline: string; inputs?: string };
      const name = `${w.org}/${w.project}/${w.pipeline}`;
      try {
        const t = await read({ org: w.org, project: w.project, pipeline: w.pipeline });
        const live = namesOf(t.yaml);
        const mine = namesOf(w.inputs ?? '');
        const added = [...live].filter((p) => !mine.has(p));
        const gone = [...mine].filter((p) => !live.has(p));
        const drift = [
          ...added.map((p) => `new runtime input in Harness, not in the runbook: ${p}`),
          ...gone.map((p) => `runtime input no longer in Harness: ${p}`),
        ];
        return drift.length
          ? {
              state: 'failed',
              title: `Pipeline ${name} (step ${s.id}): reachable, but its inputs changed`,
              details: [...drift, 're-import: runbook-bot import … --force'],
            }
          : {
              state: 'ok',
              title: `Pipeline ${name} (step ${s.id}): Harness returns it; runtime inputs match`,
              details: [],
            };
      } catch (e) {
        return {
          state: 'failed',
          title: `Pipeline ${name} (step ${s.id}): not reachable`,
          details: [userMessage(e)],
        };
      }
    }),
  );
}

/** Takes the write lock and lets go: proves the timeline (the SQLite file) accepts writes now. */
function timelineCheck(d: SlackDeps): CheckItem {
  try {
    d.store.db.exec('BEGIN IMMEDIATE');
    d.store.db.exec('ROLLBACK');
    return { state: 'ok', title: 'Timeline: writable', details: [] };
  } catch (e) {
    return { state: 'failed', title: 'Timeline: not writable', details: [(e as Error).message] };
  }
}

export async function validateRunbookText(
  d: SlackDeps & { readInputTemplate?: ReadInputTemplate },
  runbook: Runbook,
  incident: IncidentRecord,
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const items: CheckItem[] = [
    mappingCheck(runbook, incident),
    ...(await pipelineChecks(runbook, d.readInputTemplate)),
    timelineCheck(d),
    ...followupChecks(runbook, env),
    // A test incident runs `staging:` targets: check those are reachable/configured too.
    ...(await testIncidentChecks(runbook, incident, {
      env,
      ...(d.readInputTemplate ? { read: d.readInputTemplate } : {}),
    })),
  ];
  return checklistText(runbook, incident, items);
}
