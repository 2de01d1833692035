/**
 * Realistic records for the Block Kit builder tests: runbooks parsed with the real schema (so
 * defaults are filled in as in production), runs and steps shaped like the store returns them.
 */
import assert from 'node:assert/strict';
import { runbookSchema, incidentTypeSchema } from '../../src/manifests/schema.ts';
import type { Catalog, IncidentType, Runbook } from '../../src/manifests/schema.ts';
import type { IncidentRecord, RunRecord, StepRecord } from '../../src/store/index.ts';
import type { StageProgress } from '../../src/harness/types.ts';
import { checkMessage, checkView } from '../../src/slack/blocks/limits.ts';

export const T0 = Date.UTC(2026, 8, 1, 3, 0, 0);

export const ROLLBACK_YAML = `pipeline:
  identifier: rollback_service
  variables:
    - name: service
      type: String
      value: <+input>
    - name: environment
      type: String
      value: <+input>.allowedValues(dev,qa,prod)
    - name: replicas
      type: String
      value: <+input>.regex(^[0-9]+$)
`;

export function runbook(over: Record<string, unknown> = {}): Runbook {
  return runbookSchema.parse({
    kind: 'Runbook',
    id: 'emergency-rollback',
    name: 'P1 - Emergency Rollback',
    description: 'Roll the service back to its last successful deployment.',
    aliases: ['rollback'],
    context: { incidentType: 'major-incident' },
    inputs: [
      {
        name: 'environment',
        label: 'Environment',
        type: 'select',
        options: ['dev', 'qa', 'prod'],
        default: '{{ incident.environment }}',
        required: true,
      },
      { name: 'replicas', label: 'Replicas', type: 'number', default: 3 },
      { name: 'notify', label: 'Notify customers', type: 'boolean' },
      { name: 'approver', label: 'Second pair of eyes', type: 'user' },
      { name: 'reason', label: 'Reason', type: 'text', multiline: true, description: 'Why roll back?' },
    ],
    triggers: [{ on: 'incident.created', when: { severity: { in: ['P0', 'P1'] } } }],
    steps: [
      {
        id: 'rollback',
        name: 'Roll back',
        uses: 'harness.pipeline',
        with: {
          org: 'default',
          project: 'payments',
          pipeline: 'rollback_service',
          inputs: ROLLBACK_YAML,
          bind: {
            service: { from: 'incident.service' },
            environment: { input: 'environment' },
            replicas: { input: 'replicas' },
          },
        },
      },
      { id: 'note', uses: 'timeline.event', with: { text: 'Rolled back' } },
    ],
    ...over,
  });
}

export function incidentType(over: Record<string, unknown> = {}): IncidentType {
  return incidentTypeSchema.parse({
    kind: 'IncidentType',
    id: 'major-incident',
    name: 'Major Incident',
    description: 'Customer-visible outage',
    fields: [
      { name: 'customer_facing', label: 'Customer facing', type: 'boolean', required: true },
      { name: 'region', label: 'Region', type: 'select', options: ['us-east-1', 'eu-west-1'] },
      { name: 'jira_key', label: 'Jira issue', type: 'text' },
      { name: 'impact', type: 'number' },
      { name: 'owner', type: 'user' },
      { name: 'teams', type: 'multiselect', options: ['payments', 'checkout', 'search'] },
    ],
    ...over,
  });
}

export function catalog(
  runbooks: Runbook[] = [runbook()],
  types: IncidentType[] = [incidentType()],
): Catalog {
  return {
    runbooks: new Map(runbooks.map((r) => [r.id, r])),
    incidentTypes: new Map(types.map((t) => [t.id, t])),
    access: null,
    aliases: new Map(runbooks.flatMap((r) => r.aliases.map((a) => [a, r.id] as [string, string]))),
    sources: new Map(),
  };
}

export function incident(over: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'INC-42',
    summary: 'Checkout 500s in eu-west-1',
    severity: 'P1',
    status: 'investigating',
    service: 'checkout',
    environment: 'prod',
    type: 'major-incident',
    commander: 'U0COMMAND',
    channel: 'C0INC42',
    createdAt: new Date(T0 - 600_000).toISOString(),
    fields: { customer_facing: true, region: 'eu-west-1' },
    updatedAt: T0 - 60_000,
    version: 3,
    ...over,
  };
}

export function run(over: Partial<RunRecord> = {}): RunRecord {
  const rb = over.runbook ?? runbook();
  return {
    id: 'RUN-7',
    seq: 7,
    incidentId: 'INC-42',
    runbookId: rb.id,
    runbook: rb,
    trigger: 'manual',
    triggerDetail: null,
    requester: 'U0ALICE',
    approver: null,
    inputs: { environment: 'prod', replicas: 3, notify: false, approver: 'U0BOB', reason: 'bad deploy' },
    state: 'running',
    error: null,
    createdAt: T0,
    startedAt: T0,
    finishedAt: null,
    updatedAt: T0,
    approvalExpiresAt: null,
    decidedAt: null,
    triggerIndex: null,
    ...over,
  } as RunRecord;
}

export const STAGES: StageProgress[] = [
  { identifier: 'build', name: 'Build', status: 'Success', phase: 'terminal', outcome: 'succeeded' },
  { identifier: 'deploy', name: 'Deploy', status: 'Running', phase: 'running' },
  { identifier: 'verify', name: 'Verify', status: 'NotStarted', phase: 'queued' },
];

export function progress(list: StageProgress[] = STAGES) {
  return {
    stages: { total: list.length, succeeded: 1, failed: 0, running: 1, list },
    status: 'Running',
    runSequence: 12,
  };
}

export const EXEC_URL =
  'https://app.harness.io/ng/account/acc/module/cd/orgs/default/projects/payments/pipelines/rollback_service/executions/abc123/pipeline';

export function step(over: Partial<StepRecord> = {}): StepRecord {
  return {
    runId: 'RUN-7',
    idx: 0,
    stepId: 'rollback',
    uses: 'harness.pipeline',
    status: 'running',
    resolvedYaml: null,
    resolved: null,
    dispatching: false,
    externalId: 'abc123',
    externalStatus: 'Running',
    url: EXEC_URL,
    progress: progress(),
    attempts: 1,
    nextAttemptAt: null,
    deadlineAt: null,
    startedAt: T0,
    finishedAt: null,
    output: null,
    error: null,
    errorCode: null,
    skipReason: null,
    ...over,
  };
}

export const noteStep = (over: Partial<StepRecord> = {}): StepRecord =>
  step({
    idx: 1,
    stepId: 'note',
    uses: 'timeline.event',
    status: 'pending',
    url: null,
    progress: null,
    externalId: null,
    startedAt: null,
    ...over,
  });

/** Fails with the full list of violations, so a broken limit is named in the test output. */
export function assertMessageOk(msg: { text: string; blocks: unknown[] }): void {
  assert.deepEqual(checkMessage(msg), [], 'message has Block Kit violations');
  assert.ok(msg.text.trim().length > 0, 'fallback text is set');
}

export function assertViewOk(view: unknown): void {
  assert.deepEqual(checkView(view), [], 'view has Block Kit violations');
}

/** All the text a payload shows, for "is it there" assertions. */
export function allText(payload: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(payload);
  return out.join('\n');
}

/**
 * Only what Slack parses as mrkdwn (mrkdwn text objects and the fallback text): `<!channel>` in a
 * plain_text object is shown literally and pings nobody, so only these must be escaped.
 */
export function mrkdwnText(payload: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      else Object.values(o).forEach(walk);
    }
  };
  walk(payload);
  const top = (payload as { text?: unknown })?.text;
  if (typeof top === 'string') out.push(top);
  return out.join('\n');
}

export const NASTY = '<!channel> & <@U0EVIL> <https://evil.example|click> *bold* `code`';
