/** The incident service's vocabulary (re-exported by service.ts, where the contract names them). */
import type { IncidentRecord } from '../store/index.ts';

/** `field` is a base field name (`severity`) or `fields.<name>` for a custom field. */
export interface IncidentChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface IncidentEvent {
  type: 'incident.created' | 'incident.updated';
  incident: IncidentRecord;
  /** The incident before the change (incident.updated only). */
  previous?: IncidentRecord;
  /** For incident.created: one entry per field that has a value, `from: null`. */
  changes: IncidentChange[];
  actor: string | null;
  at: number;
}

export type IncidentListener = (ev: IncidentEvent) => void | Promise<void>;

export interface DeclareInput {
  summary: string;
  severity: string;
  service?: string | null;
  environment?: string | null;
  /** IncidentType id or 'any' (the default). */
  type?: string;
  commander?: string | null;
  channel?: string | null;
  fields?: Record<string, unknown>;
  /** The caller's own id for it (incident API, Alertmanager group); unique across incidents. */
  externalId?: string | null;
  /**
   * A test incident (`/incident declare --test`, API `"test": true`): marked everywhere, holds no
   * deployment gate, runs staging pipelines. Fixed at creation; patches cannot change it.
   */
  test?: boolean;
}

/**
 * Fields left out are not touched; `null` (or an empty string) clears a field. Custom `fields` are
 * merged into the incident's, field by field.
 */
export interface IncidentPatch {
  summary?: string;
  severity?: string;
  status?: string;
  service?: string | null;
  environment?: string | null;
  commander?: string | null;
  channel?: string | null;
  fields?: Record<string, unknown>;
}
