/**
 * The pinned incident summary: what is broken, how bad, who leads, and the type's custom fields.
 * Rebuilt and updated in place after every change.
 */
import type { IncidentRecord } from '../../store/index.ts';
import type { CustomField, IncidentType } from '../../manifests/schema.ts';
import { context, fieldsSection, header, section, type Block, type Message } from './kit.ts';
import { LIMITS } from './limits-table.ts';
import { SEVERITY_EMOJI, STATUS_EMOJI, ago } from './format.ts';
import { escapeMrkdwn, md, oneLine, textOf, truncateMrkdwn, userMention } from './text.ts';
import { testBanner, testPrefix } from './test-mark.ts';

/** Custom fields use at most this many sections (10 fields each); the rest is counted. */
const MAX_FIELD_SECTIONS = 4;

export function incidentSummary(
  incident: IncidentRecord,
  type: IncidentType | null,
  now: number,
  /** Deployment gates this incident holds, one line each (src/gates describeFor). */
  gates: string[] = [],
): Message {
  const resolved = incident.status === 'resolved';
  const summary = oneLine(incident.summary) || '(no summary)';
  const mark = testPrefix(incident.test);
  const blocks: Block[] = [
    header(`${mark}${resolved ? '✅' : '🚨'} ${oneLine(incident.id)} · ${summary}`),
    ...testBanner(incident.test),
  ];

  const sev = textOf(incident.severity);
  const status = textOf(incident.status);
  blocks.push(
    fieldsSection([
      `*Severity*\n${SEVERITY_EMOJI[sev] ?? '⚪'} ${md(sev, 20)}`,
      `*Status*\n${STATUS_EMOJI[status] ?? '❓'} ${md(status, 40)}`,
      `*Commander*\n${incident.commander ? userMention(incident.commander) : '_unassigned_ (`/incident commander @someone`)'}`,
      `*Type*\n${md(type?.name ?? (incident.type === 'any' || incident.type === 'default' ? 'General' : incident.type), 100)}`,
      `*Service*\n${md(incident.service, 200)}`,
      `*Environment*\n${md(incident.environment, 200)}`,
    ]),
  );

  const custom = customFieldLines(incident, type);
  const perSection = LIMITS.sectionFields;
  for (let i = 0; i < custom.length && i / perSection < MAX_FIELD_SECTIONS; i += perSection) {
    const last = i / perSection === MAX_FIELD_SECTIONS - 1;
    // fieldsSection itself writes "+N more" when handed more than 10.
    blocks.push(fieldsSection(last ? custom.slice(i) : custom.slice(i, i + perSection)));
  }

  if (gates.length > 0) {
    blocks.push(section(truncateMrkdwn(`*Deployment gates*\n${gates.join('\n')}`, LIMITS.sectionText)));
  }

  const declared = Date.parse(incident.createdAt);
  const times = [
    Number.isFinite(declared) ? `Declared ${ago(declared, now)}` : null,
    `updated ${ago(incident.updatedAt, now)}`,
    '`/incident help` for commands',
  ].filter((x): x is string => x !== null);
  blocks.push(context([times.join(' · ')]));

  const text = `${mark}${resolved ? '✅' : '🚨'} ${escapeMrkdwn(oneLine(incident.id))} (${escapeMrkdwn(sev)}, ${escapeMrkdwn(status)}): ${escapeMrkdwn(summary)}`;
  return { text: truncateMrkdwn(text, LIMITS.sectionText), blocks };
}

function customFieldLines(incident: IncidentRecord, type: IncidentType | null): string[] {
  const values = incident.fields ?? {};
  const defs: CustomField[] = type?.fields ?? [];
  const known = new Set(defs.map((d) => d.name));
  const lines = defs.map(
    (d) => `*${md(oneLine(d.label ?? d.name), 100)}*\n${fieldValueText(d, values[d.name])}`,
  );
  for (const [name, v] of Object.entries(values)) {
    if (!known.has(name)) lines.push(`*${md(name, 100)}*\n${fieldValueText(undefined, v)}`);
  }
  return lines;
}

export function fieldValueText(def: CustomField | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (def?.type === 'user' && typeof v === 'string') return userMention(v);
  return md(textOf(v), 300);
}
