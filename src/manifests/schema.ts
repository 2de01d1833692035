/**
 * Strict zod schemas of the manifest format (DESIGN.md §2). Unknown keys are errors everywhere.
 * These types are the contract between manifests, engine, CLI and Slack.
 */
import { z } from 'zod';
import { conditionSchema } from '../domain/condition-schema.ts';
import { parseDuration } from '../domain/duration.ts';

const inRange = (ms: number | null, min: number, max: number) => ms !== null && ms >= min && ms <= max;

const ID = /^[a-z0-9][a-z0-9-]*$/;
export const idSchema = z
  .string()
  .regex(ID, { message: 'ids use lowercase letters, digits and dashes, e.g. emergency-rollback' });
/** Durations like 90s, 30m, 2h, 1d (checked by domain/duration.ts at cross-check time too). */
export const durationSchema = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d))+$/, { message: 'a duration is a number and a unit: 90s, 30m, 2h, 1d, 1h30m' });

export const inputSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][\w]*$/, { message: 'input names are letters, digits and _' }),
  label: z.string().max(48).optional(),
  description: z.string().max(150).optional(),
  type: z.enum(['text', 'select', 'number', 'boolean', 'user']).default('text'),
  options: z
    .array(z.union([z.string(), z.number()]).transform(String))
    .max(100)
    .optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  required: z.boolean().default(false),
  multiline: z.boolean().optional(),
});
export type RunbookInput = z.infer<typeof inputSchema>;

export const bindingSchema = z.union([
  z.strictObject({ from: z.string().min(1) }),
  z.strictObject({ input: z.string().min(1) }),
  z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]) }),
]);
export type BindingSpec = z.infer<typeof bindingSchema>;

/**
 * `staging:` — where a test incident sends a step instead (README "Testing runbooks safely"). A
 * pipeline step names the staging org/project/pipeline (unnamed parts stay the production ones); a
 * follow-up names its whole staging target, so nothing of the production target (a cc list, a
 * secret header) ever reaches staging. A step without `staging:` is skipped for test incidents.
 */
export const STAGING_PIPELINE_KEYS = ['org', 'project', 'pipeline'] as const;
export const stagingPipelineSchema = z
  .strictObject({
    org: z.string().min(1).optional(),
    project: z.string().min(1).optional(),
    pipeline: z.string().min(1).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: `staging names the pipeline a test incident runs instead: set at least one of ${STAGING_PIPELINE_KEYS.join(', ')}`,
  })
  // meta rather than describe: minProperties tells editors what the refine above checks.
  .meta({
    description:
      'The staging pipeline a test incident runs instead (same Run-YAML and bindings): org, project and/or pipeline; unnamed parts stay the production ones.',
    minProperties: 1,
  });
export type StagingPipeline = z.infer<typeof stagingPipelineSchema>;

export const harnessPipelineWith = z.strictObject({
  org: z.string().min(1),
  project: z.string().min(1),
  pipeline: z.string().min(1),
  mode: z.enum(['wait', 'fire_and_forget']).default('wait'),
  timeout: durationSchema.default('30m'),
  abort_on_timeout: z.boolean().default(false),
  module: z.string().optional(),
  inputs: z.string().default(''),
  bind: z.record(z.string(), bindingSchema).default({}),
  staging: stagingPipelineSchema.optional(),
});
export type HarnessPipelineWith = z.infer<typeof harnessPipelineWith>;

export const timelineEventWith = z.strictObject({
  text: z.string().min(1),
  key: z.boolean().default(false),
});
export type TimelineEventWith = z.infer<typeof timelineEventWith>;

// ---- follow-up actions (engine/actions/*): secrets are never values here, only env var NAMES ----

/** The name of an environment variable that holds a secret or a URL with a token in it. */
export const envNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
  message: 'an environment variable name: capital letters, digits and _, e.g. STATUSPAGE_WEBHOOK_SECRET',
});
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const headerNameSchema = z.string().regex(HEADER_NAME, { message: 'an HTTP header name, e.g. X-Source' });
/** One address or a list; each may be a template (`{{ incident.fields.owner_email }}`). */
const addressesSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)]);

/** Simple Slack blocks: text is mrkdwn (section, context) or plain (header); values are escaped. */
export const slackBlockSchema = z.union([
  z.strictObject({ section: z.string().min(1) }),
  z.strictObject({ context: z.string().min(1) }),
  z.strictObject({ header: z.string().min(1) }),
  z.strictObject({ divider: z.literal(true) }),
]);
export const slackMessageWith = z.strictObject({
  /** incident (the incident's channel), thread (the run's status thread), a channel id or #name. */
  channel: z
    .string()
    .min(1)
    .optional()
    .describe('incident (default), thread (the run status thread), a channel id (C…) or #name.'),
  /** A Slack user id (or template) to DM instead of posting in a channel. */
  user: z.string().min(1).optional(),
  text: z.string().min(1),
  blocks: z.array(slackBlockSchema).max(20).optional(),
  unfurl_links: z.boolean().default(false),
});
export type SlackMessageWith = z.infer<typeof slackMessageWith>;

export const teamsMessageWith = z.strictObject({
  /** The Teams incoming-webhook / Workflows URL is a secret: it comes from this env var. */
  url_env: envNameSchema.describe('Env var holding the Teams incoming-webhook / Workflows URL (a secret).'),
  title: z.string().min(1),
  text: z.string().min(1),
  facts: z.record(z.string().min(1), z.string()).optional(),
  link: z.strictObject({ title: z.string().min(1).default('Open'), url: z.string().min(1) }).optional(),
  staging: z
    .strictObject({ url_env: envNameSchema })
    .optional()
    .describe('Test incidents post to this Teams webhook instead: { url_env: STAGING_TEAMS_URL }.'),
});
export type TeamsMessageWith = z.infer<typeof teamsMessageWith>;

export const emailWith = z.strictObject({
  to: addressesSchema,
  cc: addressesSchema.optional(),
  subject: z.string().min(1),
  text: z.string().min(1),
  html: z.string().min(1).optional(),
  staging: z
    .strictObject({ to: addressesSchema, cc: addressesSchema.optional() })
    .optional()
    .describe('Test incidents mail these recipients instead (the production cc is not copied).'),
});
export type EmailWith = z.infer<typeof emailWith>;

const jsonBody: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonBody), z.record(z.string(), jsonBody)]),
);
export const webhookWith = z.strictObject({
  /** The target URL (template values are URL-encoded), or url_env when the URL itself is a secret. */
  url: z.string().min(1).optional().describe('Target URL; template values are URL-encoded. Or use url_env.'),
  url_env: envNameSchema.optional().describe('Env var holding the URL, when the URL itself is a secret.'),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  headers: z.record(headerNameSchema, z.string()).default({}),
  /** Headers whose values are secrets (Authorization…): header name -> env var name. */
  headers_from_env: z
    .record(headerNameSchema, envNameSchema)
    .default({})
    .describe(
      'Secret headers: header name -> env var holding its value, e.g. { Authorization: STATUSPAGE_AUTH }.',
    ),
  /** JSON: a YAML object/list (each text value a template) or a JSON text template (values JSON-escaped). */
  body: z.union([z.string().min(1), z.array(jsonBody), z.record(z.string(), jsonBody)]),
  /** Signs the raw body: `<signature_header>: sha256=<hex HMAC-SHA256>` with the secret in this env var. */
  secret_env: envNameSchema
    .optional()
    .describe(
      'Env var holding the HMAC-SHA256 secret; the signature header is sha256=<hex> of the raw body.',
    ),
  signature_header: headerNameSchema.default('X-Runbook-Signature'),
  staging: z
    .strictObject({
      url: z.string().min(1).optional(),
      url_env: envNameSchema.optional(),
      secret_env: envNameSchema.optional(),
      headers_from_env: z.record(headerNameSchema, envNameSchema).optional(),
    })
    .optional()
    .describe(
      'Test incidents deliver here instead: url or url_env, and the staging secret_env / headers_from_env (production secrets are not sent to staging).',
    ),
});
export type WebhookWith = z.infer<typeof webhookWith>;

const jiraIssue = z.string().min(1);
const jiraStaging = z
  .strictObject({ issue: jiraIssue })
  .optional()
  .describe('Test incidents act on this issue instead, e.g. { issue: OPS-TEST-1 }.');
export const jiraCommentWith = z.strictObject({
  /** Issue key, e.g. OPS-123 or "{{ incident.fields.jira_key }}". */
  issue: jiraIssue,
  /** Plain text (blank lines split paragraphs, URLs become links); sent as Atlassian Document Format. */
  body: z.string().min(1),
  staging: jiraStaging,
});
export type JiraCommentWith = z.infer<typeof jiraCommentWith>;

export const jiraTransitionWith = z.strictObject({
  issue: jiraIssue,
  /** The transition's name as shown on the issue's workflow buttons, e.g. "Done". */
  transition: z
    .string()
    .min(1)
    .describe('The transition name as on the workflow button, e.g. Done (case-insensitive).'),
  /** The status it leads to, when its name differs from the transition's (used to detect "already done"). */
  status: z.string().min(1).optional(),
  staging: jiraStaging,
});
export type JiraTransitionWith = z.infer<typeof jiraTransitionWith>;

/** Incident states of a stock ServiceNow instance (incident.state choice values). */
export const SERVICENOW_STATES = {
  new: 1,
  in_progress: 2,
  on_hold: 3,
  resolved: 6,
  closed: 7,
  canceled: 8,
} as const;
const serviceNowTable = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'a ServiceNow table name, e.g. incident' });
export const servicenowUpdateWith = z.strictObject({
  /** The record: its number (INC0010001, CHG0030001) or sys_id (32 hex characters); a template. */
  record: z.string().min(1).describe('The record number (INC0010001, CHG0030001) or its sys_id.'),
  table: serviceNowTable.default('incident'),
  work_notes: z.string().min(1).optional(),
  comments: z.string().min(1).optional(),
  state: z
    .union([
      z.enum(Object.keys(SERVICENOW_STATES) as [keyof typeof SERVICENOW_STATES]),
      z.number().int().min(-100).max(100),
    ])
    .optional(),
  close_code: z.string().min(1).optional(),
  close_notes: z.string().min(1).optional(),
  staging: z
    .strictObject({ record: z.string().min(1), table: serviceNowTable.optional() })
    .optional()
    .describe("Test incidents update this record instead (table defaults to the step's table)."),
});
export type ServicenowUpdateWith = z.infer<typeof servicenowUpdateWith>;

const stepBase = {
  id: idSchema,
  name: z.string().optional(),
  if: conditionSchema.optional(),
  continue_on_error: z.boolean().default(false),
  /** Retries of a failed attempt when the failure is temporary (network, 408, 429, 5xx). */
  retries: z
    .number()
    .int()
    .min(0)
    .max(20)
    .optional()
    .describe('Retries of temporary failures (network, 408, 429, 5xx); follow-ups default to 5.'),
  /** How long the step may keep trying, from its first attempt (harness.pipeline: use with.timeout). */
  timeout: durationSchema
    .optional()
    .describe('How long a follow-up may keep trying from its first attempt (default 10m).'),
};

/** One entry per `uses:`. Adding an action = one schema here + one module in engine/actions/. */
export const stepSchema = z.discriminatedUnion('uses', [
  z.strictObject({ ...stepBase, uses: z.literal('harness.pipeline'), with: harnessPipelineWith }),
  z.strictObject({ ...stepBase, uses: z.literal('timeline.event'), with: timelineEventWith }),
  z.strictObject({ ...stepBase, uses: z.literal('slack.message'), with: slackMessageWith }),
  z.strictObject({ ...stepBase, uses: z.literal('teams.message'), with: teamsMessageWith }),
  z.strictObject({ ...stepBase, uses: z.literal('email'), with: emailWith }),
  z.strictObject({ ...stepBase, uses: z.literal('webhook'), with: webhookWith }),
  z.strictObject({ ...stepBase, uses: z.literal('jira.comment'), with: jiraCommentWith }),
  z.strictObject({ ...stepBase, uses: z.literal('jira.transition'), with: jiraTransitionWith }),
  z.strictObject({ ...stepBase, uses: z.literal('servicenow.update'), with: servicenowUpdateWith }),
]);
export type Step = z.infer<typeof stepSchema>;
export type StepUses = Step['uses'];

export const triggerSchema = z.strictObject({
  on: z.enum(['incident.created', 'incident.updated']),
  when: conditionSchema.optional(),
  once: z.enum(['per_incident', 'per_change']).default('per_incident'),
  cooldown: durationSchema.optional(),
  approval: z.enum(['required', 'none']).default('required'),
});
export type Trigger = z.infer<typeof triggerSchema>;

export const accessSchema = z.strictObject({
  run: z.array(z.string()).default(['responders']),
  approve: z.array(z.string()).default(['commanders']),
  approval: z
    .union([z.enum(['none', 'required']), z.strictObject({ when: conditionSchema })])
    .default('none'),
});

export const runbookSchema = z.strictObject({
  kind: z.literal('Runbook'),
  id: idSchema,
  name: z.string().min(1).max(75),
  description: z.string().max(1000).optional(),
  aliases: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/)).default([]),
  context: z.strictObject({ incidentType: z.string().default('any') }).default({ incidentType: 'any' }),
  inputs: z.array(inputSchema).default([]),
  access: accessSchema.default({ run: ['responders'], approve: ['commanders'], approval: 'none' }),
  triggers: z.array(triggerSchema).default([]),
  /** How long a run waits for a decision before its approval request expires (engine default 30m). */
  approval_timeout: durationSchema
    .refine((s) => inRange(parseDuration(s), 60_000, 7 * 86_400_000), {
      message: 'approval_timeout is between 1m and 7d, e.g. 30m',
    })
    .optional()
    .describe('How long an approval request waits for a decision before it expires (1m to 7d; default 30m).'),
  /** A deploying runbook is refused while a DeploymentGate covering its service/environment is closed. */
  deploys: z
    .boolean()
    .optional()
    .describe(
      'true: refused while a DeploymentGate covering its service/environment is closed (unless exempt).',
    ),
  steps: z.array(stepSchema).min(1),
});
export type Runbook = z.infer<typeof runbookSchema>;

export const customFieldSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, { message: 'field names are lowercase letters, digits and _' }),
  label: z.string().optional(),
  type: z.enum(['text', 'select', 'number', 'boolean', 'user', 'multiselect']).default('text'),
  options: z.array(z.string()).optional(),
  required: z.boolean().default(false),
});
export type CustomField = z.infer<typeof customFieldSchema>;

export const incidentTypeSchema = z.strictObject({
  kind: z.literal('IncidentType'),
  id: idSchema,
  name: z.string().min(1),
  description: z.string().optional(),
  fields: z.array(customFieldSchema).default([]),
});
export type IncidentType = z.infer<typeof incidentTypeSchema>;

export const roleSchema = z.strictObject({
  users: z.array(z.string()).default([]),
  usergroups: z.array(z.string()).default([]),
  everyone: z.boolean().default(false),
});
export const accessPolicySchema = z.strictObject({
  kind: z.literal('AccessPolicy'),
  id: idSchema.default('default'),
  roles: z.record(z.string(), roleSchema),
});
export type AccessPolicy = z.infer<typeof accessPolicySchema>;

/** Harness identifiers: a letter or _, then letters, digits, _ and $ (Harness's own rule). */
const harnessIdSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,127}$/, { message: 'a Harness identifier, e.g. default or payments' });
/** A gate's scope on one axis: a list, every value, or the holding incident's own value. */
const gateAxis = (field: 'environment' | 'service') =>
  z
    .union([
      z.array(z.string().min(1)).min(1),
      z.enum(['all', 'from-incident']),
      // Which field `from` may name is checked in crosscheck-gates.ts, with a clearer message.
      z.strictObject({ from: z.string().min(1) }),
    ])
    .default('from-incident')
    .describe(
      `A list, all, or from-incident (the incident's ${field}; also written { from: incident.${field} }).`,
    );

export const deploymentGateSchema = z.strictObject({
  kind: z.literal('DeploymentGate'),
  id: idSchema,
  name: z.string().min(1).max(75),
  description: z.string().max(1000).optional(),
  /** Which open incidents close the gate, e.g. severity: { at_least: P1 }. */
  when: conditionSchema,
  scope: z
    .strictObject({ environments: gateAxis('environment'), services: gateAxis('service') })
    .default({ environments: 'from-incident', services: 'from-incident' }),
  exempt: z.strictObject({ runbooks: z.array(idSchema).default([]) }).default({ runbooks: [] }),
  harness: z
    .strictObject({
      freeze: z.boolean().default(false),
      org: harnessIdSchema.optional(),
      project: harnessIdSchema.optional(),
      duration: durationSchema
        .refine((s) => inRange(parseDuration(s), 30 * 60_000, 7 * 86_400_000), {
          message: 'duration is between 30m (the Harness minimum) and 7d, e.g. 1h',
        })
        .default('1h')
        .describe('Length of the freeze window; extended while the gate stays closed (30m to 7d).'),
    })
    .optional(),
});
export type DeploymentGate = z.infer<typeof deploymentGateSchema>;

export const manifestSchema = z.discriminatedUnion('kind', [
  runbookSchema,
  incidentTypeSchema,
  accessPolicySchema,
  deploymentGateSchema,
]);
export type Manifest = z.infer<typeof manifestSchema>;
export const MANIFEST_KINDS = ['Runbook', 'IncidentType', 'AccessPolicy', 'DeploymentGate'] as const;

/** Everything loaded from MANIFESTS_DIR, cross-checked. */
export interface Catalog {
  runbooks: Map<string, Runbook>;
  incidentTypes: Map<string, IncidentType>;
  access: AccessPolicy | null;
  /** alias -> runbook id */
  aliases: Map<string, string>;
  /** where each runbook came from, for error messages */
  sources: Map<string, { file: string; line: number }>;
  /** DeploymentGate manifests by id (absent in catalogs built by hand: no gates). */
  gates?: Map<string, DeploymentGate>;
}
