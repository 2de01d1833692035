/**
 * The pure half of loading: file texts in, catalog and every error out. `kind` picks the schema;
 * each document is validated on its own so one broken runbook never hides the problems of another.
 */
import type { z } from 'zod';
import {
  MANIFEST_KINDS,
  accessPolicySchema,
  deploymentGateSchema,
  incidentTypeSchema,
  runbookSchema,
} from './schema.ts';
import type { AccessPolicy, Catalog, DeploymentGate, IncidentType, Runbook } from './schema.ts';
import { compareManifestErrors } from './manifest-error.ts';
import type { ManifestError } from './manifest-error.ts';
import { parseYamlFile } from './yaml-source.ts';
import type { SourceDoc } from './yaml-source.ts';
import { zodIssuesToErrors } from './zod-issues.ts';
import { describeValue, didYouMean } from './wording.ts';
import { crossCheck } from './crosscheck.ts';
import { isRecord } from './schema-walk.ts';

export interface ManifestFile {
  path: string;
  text: string;
}

/** A manifest that passed its schema, with the document it came from (for positions). */
export interface Located<T> {
  manifest: T;
  doc: SourceDoc;
}

export interface ValidManifests {
  runbooks: Located<Runbook>[];
  incidentTypes: Located<IncidentType>[];
  policies: Located<AccessPolicy>[];
  gates?: Located<DeploymentGate>[];
}

const SCHEMAS: Record<(typeof MANIFEST_KINDS)[number], z.ZodType> = {
  Runbook: runbookSchema,
  IncidentType: incidentTypeSchema,
  AccessPolicy: accessPolicySchema,
  DeploymentGate: deploymentGateSchema,
};

export function loadManifestTexts(files: readonly ManifestFile[]): {
  catalog: Catalog;
  errors: ManifestError[];
} {
  const errors: ManifestError[] = [];
  const valid: ValidManifests = { runbooks: [], incidentTypes: [], policies: [], gates: [] };
  for (const f of files) {
    const parsed = parseYamlFile(f.path, f.text);
    errors.push(...parsed.errors);
    for (const doc of parsed.docs) validateDocument(doc, valid, errors);
  }
  const checked = crossCheck(valid);
  errors.push(...checked.errors);
  // Files in the order given, positions in order within a file: reads like a compiler's output.
  const order = new Map(files.map((f, i) => [f.path, i]));
  errors.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || compareManifestErrors(a, b));
  return { catalog: checked.catalog, errors };
}

function validateDocument(doc: SourceDoc, valid: ValidManifests, errors: ManifestError[]): void {
  const allowed = MANIFEST_KINDS.join(', ');
  const err = (path: string, message: string, target: 'value' | 'key' = 'value', at: string[] = []): void => {
    errors.push({ file: doc.file, ...doc.locate(at, target), path, message });
  };
  if (!isRecord(doc.data)) {
    return err('', `a manifest is a map with a kind (${allowed}), got ${describeValue(doc.data)}`);
  }
  const kind = doc.data['kind'];
  if (kind === undefined) return err('kind', `missing required key "kind" (allowed: ${allowed})`);
  if (typeof kind !== 'string' || !(MANIFEST_KINDS as readonly string[]).includes(kind)) {
    const hint = typeof kind === 'string' ? didYouMean(kind, MANIFEST_KINDS) : '';
    return err('kind', `unknown kind ${describeValue(kind)} (allowed: ${allowed})${hint}`, 'value', ['kind']);
  }
  const schema = SCHEMAS[kind as keyof typeof SCHEMAS];
  const r = schema.safeParse(doc.data);
  if (!r.success) {
    errors.push(...zodIssuesToErrors(r.error.issues, doc, schema));
    return;
  }
  if (kind === 'Runbook') valid.runbooks.push({ manifest: r.data as Runbook, doc });
  else if (kind === 'IncidentType') valid.incidentTypes.push({ manifest: r.data as IncidentType, doc });
  else if (kind === 'DeploymentGate') (valid.gates ??= []).push({ manifest: r.data as DeploymentGate, doc });
  else valid.policies.push({ manifest: r.data as AccessPolicy, doc });
}
