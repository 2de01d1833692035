/**
 * Strict zod schemas of the manifest format (DESIGN.md §2). Unknown keys are errors everywhere.
 * These types are the contract between manifests, engine, CLI and Slack.
 */
import { z } from 'zod';
import { conditionSchema } from '../domain/condition-schema.ts';

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
});
export type HarnessPipelineWith = z.infer<typeof harnessPipelineWith>;

export const timelineEventWith = z.strictObject({
  text: z.string().min(1),
  key: z.boolean().default(false),
});
export type TimelineEventWith = z.infer<typeof timelineEventWith>;

const stepBase = {
  id: idSchema,
  name: z.string().optional(),
  if: conditionSchema.optional(),
  continue_on_error: z.boolean().default(false),
};

/** One entry per `uses:`. Adding an action = one schema here + one module in engine/actions/. */
export const stepSchema = z.discriminatedUnion('uses', [
  z.strictObject({ ...stepBase, uses: z.literal('harness.pipeline'), with: harnessPipelineWith }),
  z.strictObject({ ...stepBase, uses: z.literal('timeline.event'), with: timelineEventWith }),
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

export const manifestSchema = z.discriminatedUnion('kind', [
  runbookSchema,
  incidentTypeSchema,
  accessPolicySchema,
]);
export type Manifest = z.infer<typeof manifestSchema>;
export const MANIFEST_KINDS = ['Runbook', 'IncidentType', 'AccessPolicy'] as const;

/** Everything loaded from MANIFESTS_DIR, cross-checked. */
export interface Catalog {
  runbooks: Map<string, Runbook>;
  incidentTypes: Map<string, IncidentType>;
  access: AccessPolicy | null;
  /** alias -> runbook id */
  aliases: Map<string, string>;
  /** where each runbook came from, for error messages */
  sources: Map<string, { file: string; line: number }>;
}
