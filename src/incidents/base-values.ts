/**
 * Parsing of the base incident values (severity, status, names, channel) from what people type.
 * Pure; failures name the field and what is allowed.
 */
import { INCIDENT_STATUSES, SEVERITIES } from '../domain/types.ts';
import type { IncidentStatus, Severity } from '../domain/types.ts';
import { isEmpty, parseText, quote, type Parsed } from './values.ts';

const NAME_MAX = 100; // service, environment: names, not prose
const CHANNEL_MAX = 80;

export function parseSeverity(raw: unknown): Parsed<Severity> {
  const s = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  return (SEVERITIES as readonly string[]).includes(s)
    ? { ok: true, value: s as Severity }
    : {
        ok: false,
        error: `severity ${quote(raw)} is not valid; allowed: ${SEVERITIES.join(', ')} (P0 is the most severe)`,
      };
}

export function parseStatus(raw: unknown): Parsed<IncidentStatus> {
  const s = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return (INCIDENT_STATUSES as readonly string[]).includes(s)
    ? { ok: true, value: s as IncidentStatus }
    : { ok: false, error: `status ${quote(raw)} is not valid; allowed: ${INCIDENT_STATUSES.join(', ')}` };
}

/** service / environment / commander / channel: empty clears. */
export function optional<T>(raw: unknown, parse: (raw: unknown) => Parsed<T>): Parsed<T | null> {
  return isEmpty(raw) ? { ok: true, value: null } : parse(raw);
}
export const parseName = (label: string) => (raw: unknown) => parseText(label, raw, NAME_MAX);
export function parseChannel(raw: unknown): Parsed<string> {
  const s = typeof raw === 'string' ? raw.trim() : '';
  return s && s.length <= CHANNEL_MAX && !/\s/.test(s)
    ? { ok: true, value: s }
    : { ok: false, error: `channel ${quote(raw)} is not valid; allowed: a Slack channel id like C012AB3CD` };
}
