/**
 * One-line descriptions of a runbook and of a run, shared by App Home, `/runbook list`,
 * `/runbook status` and the choice lists, so they read the same everywhere.
 */
import type { Runbook } from '../../manifests/schema.ts';
import type { RunRecord } from '../../store/index.ts';
import { ago, isActive, runElapsed, runEmoji, runLabel } from './format.ts';
import { link, md, oneLine, userMention } from './text.ts';

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

/** One run in a list: state, id, runbook, incident, how long or how long ago, who, link. */
export function runLine(run: RunRecord, opts: { now?: number; link?: string | null } = {}): string {
  const name = md(oneLine(run.runbook?.name ?? run.runbookId) || run.runbookId, 80);
  const parts = [`${runEmoji(run.state)} *${md(run.id, 40)}* ${name}`];
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
