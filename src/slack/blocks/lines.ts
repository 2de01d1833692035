/**
 * One-line descriptions of a runbook and of a run, shared by App Home, `/runbook list`,
 * `/runbook status` and the choice lists, so they read the same everywhere.
 */
import type { Runbook } from '../../manifests/schema.ts';
import type { Incident } from '../../domain/types.ts';
import type { RunRecord } from '../../store/index.ts';
import { SEVERITY_EMOJI, ago, isActive, runElapsed, runEmoji, runLabel } from './format.ts';
import { link, md, oneLine, textOf, userMention } from './text.ts';
import { testPrefix } from './test-mark.ts';

/** Name, id, description and how it starts (automatically or by hand). */
export function runbookSummaryLine(r: Runbook): string {
  const lines = [`*${md(oneLine(r.name) || r.id, 150)}*  \`${md(r.id, 80)}\``];
  if (r.description) lines.push(md(oneLine(r.description), 300));
  const triggers = r.triggers ?? [];
  const on = [...new Set(triggers.map((t) => t.on))].join(', ');
  const facts = [triggers.length ? `⚡ runs automatically on ${md(on, 100)}` : 'manual only'];
  if ((r.context?.incidentType ?? 'any') !== 'any')
    facts.push(`needs a ${md(r.context.incidentType, 60)} incident`);
  if (r.aliases?.length) facts.push(`aliases: ${md(r.aliases.join(', '), 150)}`);
  lines.push(`_${facts.join(' · ')}_`);
  return lines.join('\n');
}

/**
 * One run in a list: state, id, runbook, incident, how long or how long ago, who, link.
 * `test`: the run's incident is a test incident (the line starts with the test mark).
 */
export function runLine(
  run: RunRecord,
  opts: { now?: number; link?: string | null; test?: boolean } = {},
): string {
  const name = md(oneLine(run.runbook?.name ?? run.runbookId) || run.runbookId, 80);
  const parts = [`${testPrefix(opts.test, ' ')}${runEmoji(run.state)} *${md(run.id, 40)}* ${name}`];
  if (run.incidentId) parts.push(md(run.incidentId, 40));
  parts.push(runLabel(run.state));
  if (opts.now !== undefined) {
    parts.push(
      isActive(run.state)
        ? `for ${runElapsed(run, opts.now)}`
        : ago(run.finishedAt ?? run.updatedAt, opts.now),
    );
  } else if (!isActive(run.state)) {
    parts.push(`took ${runElapsed(run, run.finishedAt ?? run.updatedAt)}`);
  }
  parts.push(run.requester ? `by ${userMention(run.requester)}` : `by ${md(run.trigger, 40)}`);
  if (opts.link) parts.push(link(opts.link, 'Harness'));
  return parts.join(' · ');
}

/** One open incident in a list: test mark, severity, id, summary, service/environment, channel. */
export function incidentLine(incident: Incident): string {
  const sev = textOf(incident.severity);
  const parts = [
    `${testPrefix(incident.test, ' ')}${SEVERITY_EMOJI[sev] ?? '⚪'} *${md(incident.id, 40)}* ${md(oneLine(incident.summary), 100)}`,
    `${md(sev, 10)} · ${md(incident.status, 30)}`,
  ];
  const where = [incident.service, incident.environment].filter((x): x is string => !!x);
  if (where.length) parts.push(md(where.join('/'), 100));
  if (incident.channel) parts.push(`<#${md(incident.channel, 40)}>`);
  return parts.join(' · ');
}
