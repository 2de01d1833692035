/**
 * Reads an incident for dry-run from YAML or JSON. Missing base fields get harmless defaults so a
 * runbook author can write just what matters (`severity: P1`, `service: checkout`). An optional
 * `previous:` block describes the incident before an update (for incident.updated triggers).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { INCIDENT_STATUSES, SEVERITIES, type Incident } from '../domain/types.ts';
import { AppError } from '../errors.ts';

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
const incidentShape = z.strictObject({
  id: z.string().default('INC-0'),
  summary: z.string().default('(dry run)'),
  severity: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(SEVERITIES))
    .default('P2'),
  status: z.enum(INCIDENT_STATUSES).default('investigating'),
  service: z.string().nullable().default(null),
  environment: z.string().nullable().default(null),
  type: z.string().default('any'),
  commander: z.string().nullable().default(null),
  channel: z.string().nullable().default(null),
  createdAt: z.string().default('2026-01-01T00:00:00.000Z'),
  fields: z.record(z.string(), fieldValue).default({}),
  /** A test incident (what `dry-run --test` sets too): staging targets, or steps skipped. */
  test: z.boolean().default(false),
});
const fileShape = incidentShape.extend({ previous: incidentShape.partial().optional() });

export function readIncidentFile(path: string): { incident: Incident; previous?: Incident } {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AppError('INPUT_INVALID', `Cannot read incident file ${path}: ${(e as Error).message}`);
  }
  const r = fileShape.safeParse(raw ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('INPUT_INVALID', `Incident file ${path} is not valid:\n${lines.join('\n')}`);
  }
  const { previous, ...incident } = r.data;
  if (!previous) return { incident };
  return {
    incident,
    previous: {
      ...incident,
      ...previous,
      fields: { ...incident.fields, ...(previous.fields ?? {}) },
    } as Incident,
  };
}
