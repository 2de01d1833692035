/**
 * JSON Schema of the manifest format, for editors (`# yaml-language-server: $schema=...` on the first
 * line of a manifest gives completion and inline errors). Generated from the zod schemas, except the
 * condition language: zod emits `{ additionalProperties: {} }` for that lazy, refined record, which
 * offers nothing, so the condition part is written here by hand to give operator completion.
 * Draft-07: the draft every YAML/JSON editor plugin supports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { conditionSchema, operatorsSchema } from '../domain/condition-schema.ts';
import type { Operator } from '../domain/condition-schema.ts';
import { bindingSchema, harnessPipelineWith, inputSchema, manifestSchema, stepSchema } from './schema.ts';

type Json = Record<string, unknown>;

const CONDITION_REF = '#/definitions/condition';
// Same grammar as condition-schema.ts's FIELD_PATH, minus the combinator names (JSON Schema applies
// both `properties` and `patternProperties` to a key matching both).
const FIELD_PATH_KEY = '^(?!(all|any|not)$)[A-Za-z_][\\w-]*(\\.[A-Za-z_][\\w-]*|\\[\\d+\\])*$';

const OPERATOR_HELP: Record<Operator, string> = {
  equals: 'The value equals this (text, number, true/false or null).',
  not_equals: 'The value differs from this.',
  in: 'The value is one of these, e.g. [P0, P1].',
  not_in: 'The value is none of these.',
  matches: 'The value matches this regular expression.',
  exists: 'true: the field is set; false: it is not.',
  at_least: 'Severity at least this severe, e.g. P1 (matches P0 and P1).',
  at_most: 'Severity at most this severe, e.g. P2 (matches P2, P3, P4).',
  changed: 'incident.updated only: the field changed (true) or did not (false).',
  changed_from: 'incident.updated only: the field changed away from this value.',
  changed_to: 'incident.updated only: the field changed to this value.',
};

/** Hints shown on hover for the fields authors most often get wrong. */
const DESCRIPTIONS = new Map<unknown, string>([
  [
    harnessPipelineWith.shape.inputs,
    'The Run-YAML: paste it from Harness Run → YAML. Every <+input> must be bound under bind:, have a .default(...), or be .executionInput().',
  ],
  [
    harnessPipelineWith.shape.bind,
    'Resolves runtime inputs by short key (service) or path (stages[0].stage.spec...).',
  ],
  [bindingSchema, '{ from: incident.<field> } | { input: <runbook input name> } | { value: <fixed value> }'],
  [harnessPipelineWith.shape.timeout, 'How long to wait for the execution, e.g. 90s, 30m, 2h.'],
  [
    inputSchema,
    'A value asked in the Slack modal. default may be a template over incident fields, e.g. "{{ incident.environment }}".',
  ],
  [stepSchema, `One action (uses:): ${stepSchema.options.map((o) => o.shape.uses.value).join(', ')}.`],
]);

function conditionDefinitions(): Record<string, Json> {
  const operators = z.toJSONSchema(operatorsSchema, { io: 'input', target: 'draft-07' }) as Json;
  delete operators['$schema'];
  const props = (operators['properties'] ?? {}) as Record<string, Json>;
  for (const [op, help] of Object.entries(OPERATOR_HELP)) if (props[op]) props[op]['description'] = help;
  operators['minProperties'] = 1;
  operators['description'] = 'Operators for this field; all must hold.';
  const list = (what: string): Json => ({
    type: 'array',
    minItems: 1,
    items: { $ref: CONDITION_REF },
    description: what,
  });
  return {
    condition: {
      type: 'object',
      minProperties: 1,
      description:
        'A field path (severity, fields.region, steps.rollback.status) mapped to operators; all entries must hold. Combine with all, any, not.',
      properties: {
        all: list('All of these conditions hold.'),
        any: list('At least one of these conditions holds.'),
        not: { $ref: CONDITION_REF, description: 'This condition does not hold.' },
      },
      patternProperties: { [FIELD_PATH_KEY]: { $ref: '#/definitions/operators' } },
      additionalProperties: false,
    },
    operators,
  };
}

export function manifestJsonSchema(): Json {
  const generated = z.toJSONSchema(manifestSchema, {
    io: 'input',
    target: 'draft-07',
    override: (ctx) => {
      const js = ctx.jsonSchema as Json;
      if (ctx.zodSchema === (conditionSchema as unknown)) {
        for (const k of Object.keys(js)) delete js[k];
        js['$ref'] = CONDITION_REF;
        return;
      }
      const help = DESCRIPTIONS.get(ctx.zodSchema);
      if (help !== undefined) js['description'] = help;
    },
  }) as Json;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'runbook-bot manifest (Runbook, IncidentType or AccessPolicy)',
    ...rest,
    definitions: { ...((rest['definitions'] as Json | undefined) ?? {}), ...conditionDefinitions() },
  };
}

/** The file's exact text, so a test can compare the committed file with the schemas. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}

export function writeJsonSchema(outFile: string): void {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, jsonSchemaText());
}
