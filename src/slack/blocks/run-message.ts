/**
 * The one live message per run (DESIGN.md §4.5) and its thread replies. Written for a responder
 * at 3 a.m.: state first, then who/what/how long, the stage Harness is in, and the two buttons
 * that matter (open in Harness, cancel).
 */
import type { IncidentRecord, RunRecord, StepRecord, TimelineEvent } from '../../store/index.ts';
import type { RunbookInput } from '../../manifests/schema.ts';
import * as ids from '../ids.ts';
import { button, context, fieldsSection, section, type Block, type Message } from './kit.ts';
import { approvalBlocks } from './approval.ts';
import { LIMITS } from './limits-table.ts';
import {
  harnessUrlOf,
  isActive,
  progressStep,
  runElapsed,
  runEmoji,
  runLabel,
  stageLine,
  stepElapsed,
  stepEmoji,
  stepLabel,
} from './format.ts';
import { escapeMrkdwn, joinLines, link, md, oneLine, textOf, truncateMrkdwn, userMention } from './text.ts';
import { testBanner, testPrefix } from './test-mark.ts';

export interface RunMessageData {
  run: RunRecord;
  steps: StepRecord[];
  incident: IncidentRecord | null;
  now: number;
}

/** Inputs shown as fields; longer values are cut, the full ones are in the thread and audit log. */
const INPUT_VALUE_MAX = 200;

export function runMessage(data: RunMessageData): Message {
  const { run, steps, incident, now } = data;
  const name = oneLine(run.runbook?.name ?? run.runbookId) || run.runbookId;
  const active = isActive(run.state);
  const blocks: Block[] = [];

  // A run in a test incident says so first: the message may be read out of context (a link, Home).
  const test = incident?.test === true;
  const title = [`${testPrefix(test)}${runEmoji(run.state)} *${md(name, 200)}* · ${runLabel(run.state)}`];
  const stage = progressStep(steps);
  const stageText = stage ? stageLine(stage.progress) : null;
  if (stageText) title.push(escapeMrkdwn(stageText));
  const reason = runReason(run, steps);
  if (reason) title.push(`> ${reason}`);
  blocks.push(section(title.join('\n')));

  blocks.push(context(contextParts(run, incident, now)));
  blocks.push(...testBanner(test, 'This run belongs to a *test incident*'));

  const fields = inputFields(run);
  if (fields.length > 0) blocks.push(fieldsSection(fields));

  if (steps.length > 0) {
    const lines = steps.map((s) => stepLine(run, s, now));
    blocks.push(section(joinLines(lines, LIMITS.sectionText, 'more steps')));
  }

  const approval = approvalBlocks(run, { test });
  blocks.push(...approval);
  const url = harnessUrlOf(steps);
  const awaiting = run.state === 'awaiting_approval';
  const buttons = awaiting
    ? []
    : [
        ...(url ? [button({ text: 'View in Harness', actionId: ids.RUN_OPEN_HARNESS, url })] : []),
        ...(active
          ? [
              button({
                text: 'Cancel run',
                actionId: ids.RUN_CANCEL,
                value: run.id,
                style: 'danger',
                confirm: {
                  title: 'Cancel this run?',
                  text: `${name} (${run.id}) will be cancelled and its Harness execution aborted.`,
                  confirm: 'Cancel run',
                  deny: 'Keep running',
                },
              }),
            ]
          : []),
      ];
  if (buttons.length > 0)
    blocks.push({ type: 'actions', block_id: ids.RUN_ACTIONS_BLOCK, elements: buttons });

  const where = incident ? ` (${oneLine(incident.id)})` : '';
  const text = `${testPrefix(test)}${runEmoji(run.state)} ${escapeMrkdwn(name)} — ${runLabel(run.state).toLowerCase()}${escapeMrkdwn(where)}`;
  return { text: truncateMrkdwn(text, LIMITS.sectionText), blocks };
}

function contextParts(run: RunRecord, incident: IncidentRecord | null, now: number): string[] {
  const who =
    run.requester !== null
      ? `Requested by ${userMention(run.requester)}`
      : `Triggered by ${md(run.triggerDetail ?? run.trigger, 150)}`;
  const parts = [who];
  if (incident) parts.push(`*${md(incident.id, 40)}* ${md(oneLine(incident.summary), 80)}`);
  else if (run.incidentId) parts.push(`*${md(run.incidentId, 40)}*`);
  parts.push(runElapsed(run, now));
  parts.push(md(run.id, 40));
  return [parts.join(' · ')];
}

/** Why a finished run ended, when no step line already says it. */
function runReason(run: RunRecord, steps: StepRecord[]): string | null {
  if (!run.error || run.state === 'succeeded') return null;
  const cancelled = /^cancelled by (\S+)$/.exec(run.error);
  if (cancelled)
    return `Cancelled by ${cancelled[1] === 'system' ? 'the system' : userMention(cancelled[1])}`;
  if (steps.some((s) => s.error)) return null;
  return md(run.error, 500);
}

function inputFields(run: RunRecord): string[] {
  const defs = new Map<string, RunbookInput>((run.runbook?.inputs ?? []).map((d) => [d.name, d]));
  const names = [...defs.keys(), ...Object.keys(run.inputs ?? {}).filter((k) => !defs.has(k))];
  return names
    .filter((n) => Object.prototype.hasOwnProperty.call(run.inputs ?? {}, n))
    .map((n) => {
      const def = defs.get(n);
      const label = md(oneLine(def?.label ?? n), 100);
      return `*${label}*\n${inputValueText(def, run.inputs[n])}`;
    });
}

function inputValueText(def: RunbookInput | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (def?.type === 'user' && typeof v === 'string') return userMention(v);
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return md(textOf(v), INPUT_VALUE_MAX);
}

function stepLine(run: RunRecord, s: StepRecord, now: number): string {
  const spec = run.runbook?.steps?.[s.idx];
  const name = md(oneLine(spec?.name ?? s.stepId), 100);
  const parts = [`${stepEmoji(s.status)} *${name}* — ${stepLabel(s.status)}`];
  const took = stepElapsed(s, now);
  if (took && s.status !== 'skipped') parts.push(took);
  if (s.url) parts.push(link(s.url, 'execution'));
  let line = parts.join(' · ');
  if (s.status === 'skipped' && s.skipReason) line += ` _(${md(s.skipReason, 150)})_`;
  if (s.error && s.status !== 'succeeded') line += `\n      ${md(oneLine(s.error), 300)}`;
  return line;
}

/** Emoji for a timeline event in the run's thread, by kind (and outcome where the kind is shared). */
function eventEmoji(ev: TimelineEvent): string {
  switch (ev.kind) {
    case 'run.requested':
      return '📝';
    case 'pipeline.started':
      return '🚀';
    case 'pipeline.finished':
      if (/abort/i.test(textOf(ev.data?.status))) return '🛑';
      return ev.key ? '❌' : '✅';
    case 'run.finished': {
      const m = / (succeeded|failed|timed out|cancelled|rejected) after /.exec(ev.text);
      const state = m?.[1]?.replace(' ', '_');
      return state ? runEmoji(state) : 'ℹ️';
    }
    case 'run.cancelled':
      return '🛑';
    case 'step.failed':
      return '❌';
    case 'step.timed_out':
      return '⌛';
    case 'step.skipped':
      return '⏭️';
    case 'step.abort_failed':
      return '⚠️';
    case 'custom':
      return '📌';
    default:
      return ev.key ? '❗' : 'ℹ️';
  }
}

/**
 * One thread reply per timeline event. The text is escaped (a runbook name or Harness message can
 * carry `<!channel>`), except the user mentions the engine writes on purpose (`<@U123>`).
 */
export function runThreadReply(event: TimelineEvent): { text: string } {
  const body = escapeMrkdwn(textOf(event.text)).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
  const text = truncateMrkdwn(
    `${eventEmoji(event)} ${body.trim() === '' ? escapeMrkdwn(textOf(event.kind)) : body}`,
    3000,
  );
  return { text };
}
