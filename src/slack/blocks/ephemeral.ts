/**
 * Ephemeral answers to slash commands: help, runbook choices with Run buttons, run lists, and
 * `/runbook explain` (which triggers would fire for this incident, with the condition trace).
 */
import type { Runbook } from '../../manifests/schema.ts';
import type { Incident } from '../../domain/types.ts';
import type { TriggerDecision } from '../../domain/triggers.ts';
import type { RunRecord } from '../../store/index.ts';
import * as ids from '../ids.ts';
import { button, capBlocks, context, section, type Block, type Message } from './kit.ts';
import { LIMITS } from './limits-table.ts';
import { runLine, runbookSummaryLine } from './lines.ts';
import { escapeMrkdwn, joinLines, md, oneLine, truncateMrkdwn } from './text.ts';

const HELP: Record<'/runbook' | '/incident', string[]> = {
  '/runbook': [
    '*`/runbook`* runs a runbook (a Harness pipeline with inputs filled from the incident)',
    '• `/runbook` — pick a runbook (in an incident channel: the ones for its incident)',
    '• `/runbook <words>` — open a runbook by id, alias or words, e.g. `/runbook rollback`',
    '• `/runbook list` — every runbook',
    '• `/runbook status` — runs of this incident, with links to Harness',
    '• `/runbook cancel <run>` — cancel a run and abort its Harness execution, e.g. `/runbook cancel RUN-12`',
    '• `/runbook explain` — which runbooks would start automatically for this incident, and why',
    '• `/runbook validate <runbook>` — checklist against this incident: inputs resolved, pipelines reachable, follow-ups configured (runs nothing)',
    '• `/runbook help` — this help',
  ],
  '/incident': [
    '*`/incident`* declares and updates incidents',
    '• `/incident declare [summary]` — open the declare form (creates the incident and its channel)',
    '• `/incident declare --test [summary]` — a 🧪 *test incident* to rehearse runbooks: channel `test-inc-…`, runbooks run their `staging:` pipelines (or skip the step), external follow-ups go to staging or are skipped, no deployment gate is held',
    '• `/incident` — summary of this channel’s incident',
    '• `/incident severity P1` — P0 (most severe) to P4',
    '• `/incident status mitigated` — investigating, identified, monitoring, mitigated, resolved',
    '• `/incident commander @someone`',
    '• `/incident set <field> <value>` — a base field (summary, service, environment) or a custom field of the incident type',
    '• `/incident resolve`',
    '• `/incident freeze <reason>` / `/incident unfreeze` — commanders: hold or release the deployment gates for this incident',
    '• `/incident help` — this help',
  ],
};

export function helpText(command: '/runbook' | '/incident'): Message {
  const lines = HELP[command] ?? HELP['/runbook'];
  const text = lines.join('\n');
  return { text, blocks: [section(text)] };
}

/** Several runbooks match (or none): one line each with a Run button. */
export function runbookChoices(runbooks: Runbook[], incidentId: string | null, intro?: string): Message {
  const head = intro ?? (runbooks.length ? 'Which runbook?' : 'No runbook matches.');
  const blocks: Block[] = [section(md(head, 500))];
  const budget = LIMITS.messageBlocks - 2;
  for (const r of runbooks.slice(0, budget)) {
    blocks.push(
      section(runbookSummaryLine(r), {
        accessory: button({
          text: 'Run',
          actionId: ids.RUNBOOK_RUN,
          value: ids.encodeRunButton(r.id, incidentId),
        }),
      }),
    );
  }
  if (runbooks.length > budget)
    blocks.push(context([`_+${runbooks.length - budget} more: add words to narrow it down._`]));
  const names = runbooks.map((r) => oneLine(r.name) || r.id).join(', ');
  return { text: truncateMrkdwn(escapeMrkdwn(`${head} ${names}`), LIMITS.sectionText), blocks };
}

export interface RunListOptions {
  now?: number;
  /** run id → Harness execution url (see harnessUrlOf) */
  links?: Record<string, string | null>;
  title?: string;
  /** The runs belong to a test incident: each line is marked. */
  test?: boolean;
}

export function runList(runs: RunRecord[], opts: RunListOptions = {}): Message {
  const title = opts.title ?? 'Runs';
  const lines = runs.map((r) =>
    runLine(r, {
      ...(opts.now !== undefined ? { now: opts.now } : {}),
      link: opts.links?.[r.id] ?? null,
      test: opts.test === true,
    }),
  );
  const body = lines.length ? joinLines(lines, LIMITS.sectionText - 200, 'more runs') : '_No runs yet._';
  const blocks = [section(`*${md(title, 150)}*\n${body}`)];
  return {
    text: truncateMrkdwn(`${escapeMrkdwn(title)}: ${runs.length} run${runs.length === 1 ? '' : 's'}`, 3000),
    blocks,
  };
}

/** One trigger of one runbook and what evaluateTrigger decided for it. */
export interface ExplainRow {
  runbook: Runbook;
  /** index of the trigger in runbook.triggers */
  index: number;
  decision: TriggerDecision;
}

/** Trace lines of one trigger in a code block; each capped so the fence is never cut. */
function traceBlock(lines: string[]): string {
  if (lines.length === 0) return '';
  return `\n\`\`\`${joinLines(
    lines.map((l) => escapeMrkdwn(l)),
    1200,
    'more conditions',
  )}\`\`\``;
}

/**
 * `/runbook explain`: one section per trigger (runbook name on its first), and, when `runbooks`
 * is given, the runbooks without triggers listed as manual only.
 */
export function explainText(opts: { incident: Incident; rows: ExplainRow[]; runbooks?: Runbook[] }): Message {
  const { incident, rows } = opts;
  const blocks: Block[] = [
    section(
      `*Automatic runbooks for ${md(incident.id, 40)}* (${md(incident.severity, 10)} · ${md(incident.status, 30)}): would they start now?`,
    ),
  ];
  let firing = 0;
  const named = new Set<Runbook>();
  for (const { runbook, index, decision } of rows) {
    if (decision.fires) firing += 1;
    const on = runbook.triggers?.[index]?.on ?? 'trigger';
    const mark = decision.fires ? '✅ would start' : '➖ would not start';
    const title = named.has(runbook) ? '' : `*${md(oneLine(runbook.name) || runbook.id, 150)}*\n`;
    named.add(runbook);
    blocks.push(
      section(
        `${title}${mark} on \`${md(on, 40)}\`: ${md(decision.reason, 900)}${traceBlock(decision.traceLines)}`,
      ),
    );
  }
  if (rows.length === 0) blocks.push(section('_No runbook has a trigger: they all run by hand._'));
  const manual = (opts.runbooks ?? [])
    .filter((r) => (r.triggers ?? []).length === 0)
    .map((r) => oneLine(r.name) || r.id);
  if (manual.length) blocks.push(context([`Manual only: ${md(manual.join(', '), 2900)}`]));
  const text = `${firing} runbook trigger${firing === 1 ? '' : 's'} would start for ${escapeMrkdwn(oneLine(incident.id))}`;
  return { text: truncateMrkdwn(text, 3000), blocks: capBlocks(blocks, LIMITS.messageBlocks) };
}
