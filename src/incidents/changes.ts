/**
 * What changed between two versions of an incident, and how the timeline says it. Pure.
 * Timeline texts are Slack mrkdwn: people are mentions (`<@U1>`), and anything a person typed is
 * escaped so that a summary like "<!channel> down" cannot ping a whole channel from the thread.
 */
import type { Incident } from '../domain/types.ts';
import type { IncidentType } from '../manifests/schema.ts';
import type { IncidentChange } from './types.ts';

/** Order in which changes are listed (and written to the timeline). */
const BASE_FIELDS = [
  'summary',
  'severity',
  'status',
  'service',
  'environment',
  'commander',
  'channel',
  'type',
] as const;

/** Changes that matter to responders at a glance (`key` timeline events). */
export const KEY_FIELDS = new Set<string>(['severity', 'status', 'commander']);

const norm = (v: unknown) => (v === undefined ? null : v);
const same = (a: unknown, b: unknown) => JSON.stringify(norm(a)) === JSON.stringify(norm(b));

/** Only real changes: a field set to the value it already had is not a change. */
export function diffIncidents(
  before: Incident,
  after: Incident,
  type: IncidentType | null,
): IncidentChange[] {
  const changes: IncidentChange[] = [];
  for (const f of BASE_FIELDS) {
    if (!same(before[f], after[f])) changes.push({ field: f, from: norm(before[f]), to: norm(after[f]) });
  }
  // Custom fields in the type's order, then any the type no longer declares.
  const declared = (type?.fields ?? []).map((f) => f.name);
  const keys = [...new Set([...declared, ...Object.keys(before.fields), ...Object.keys(after.fields)])];
  for (const k of keys) {
    const from = before.fields[k];
    const to = after.fields[k];
    if (!same(from, to)) changes.push({ field: `fields.${k}`, from: norm(from), to: norm(to) });
  }
  return changes;
}

/** The initial values of a new incident, as changes from nothing. */
export function initialChanges(incident: Incident, type: IncidentType | null): IncidentChange[] {
  const empty: Incident = {
    ...incident,
    summary: '',
    service: null,
    environment: null,
    commander: null,
    channel: null,
    fields: {},
  };
  const base: IncidentChange[] = [
    { field: 'summary', from: null, to: incident.summary },
    { field: 'severity', from: null, to: incident.severity },
    { field: 'status', from: null, to: incident.status },
    { field: 'type', from: null, to: incident.type },
  ];
  const rest = diffIncidents(empty, incident, type).filter((c) => !base.some((b) => b.field === c.field));
  return [...base, ...rest];
}

/** Slack mrkdwn escaping (the three characters Slack asks apps to escape). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const USER_ID = /^[UW][A-Z0-9]+$/;
/** A Slack user becomes a mention; any other actor (api, cli) is shown as text. */
export function actorText(actor: string | null): string {
  if (!actor) return '';
  return ` by ${USER_ID.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor)}`;
}

function show(field: string, value: unknown, type: IncidentType | null): string {
  if (value === null || value === undefined) return '(none)';
  if (field === 'commander') return `<@${String(value)}>`;
  if (field === 'channel') return `<#${String(value)}>`;
  if (field.startsWith('fields.')) {
    const def = type?.fields.find((f) => `fields.${f.name}` === field);
    if (def?.type === 'user') return `<@${String(value)}>`;
    if (typeof value === 'boolean') return value ? 'yes' : 'no';
    if (Array.isArray(value)) return value.length ? escapeMrkdwn(value.join(', ')) : '(none)';
  }
  return escapeMrkdwn(String(value));
}

function label(field: string, type: IncidentType | null): string {
  if (!field.startsWith('fields.')) return field.charAt(0).toUpperCase() + field.slice(1);
  const name = field.slice('fields.'.length);
  const def = type?.fields.find((f) => f.name === name);
  const text = def?.label ?? name;
  return escapeMrkdwn(text.charAt(0).toUpperCase() + text.slice(1));
}

/** One timeline line per change, e.g. "Severity changed from P2 to P1 by <@U1>". */
export function changeText(change: IncidentChange, actor: string | null, type: IncidentType | null): string {
  const by = actorText(actor);
  const { field, from, to } = change;
  const f = (v: unknown) => show(field, v, type);
  const quoted = field === 'summary';
  const val = (v: unknown) => (quoted ? `"${f(v)}"` : f(v));
  if (field === 'status' && to === 'resolved') return `Incident resolved${by}`;
  if (field === 'status' && from === 'resolved')
    return `Incident reopened${by}: status changed from resolved to ${f(to)}`;
  const name = label(field, type);
  if (from === null) return `${name} set to ${val(to)}${by}`;
  if (to === null) return `${name} cleared${by} (was ${val(from)})`;
  return `${name} changed from ${val(from)} to ${val(to)}${by}`;
}

/**
 * "Incident declared by <@U1>: P1 · checkout · prod — Checkout 500s"; a test incident says so first
 * ("🧪 TEST incident declared…"), since the timeline is read (and exported) without the channel name.
 */
export function declaredText(incident: Incident, actor: string | null): string {
  const facts = [incident.severity, incident.service, incident.environment].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  );
  const what = incident.test ? '🧪 TEST incident' : 'Incident';
  return `${what} declared${actorText(actor)}: ${escapeMrkdwn(facts.join(' · '))} — ${escapeMrkdwn(incident.summary)}`;
}
