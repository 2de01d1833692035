/**
 * App Home ("Runbooks" tab): every runbook with a Run button, then the latest runs.
 */
import type { Runbook } from '../../manifests/schema.ts';
import type { RunRecord } from '../../store/index.ts';
import type { Incident } from '../../domain/types.ts';
import * as ids from '../ids.ts';
import { button, capBlocks, context, divider, header, section, type Block, type HomeView } from './kit.ts';
import { LIMITS } from './limits-table.ts';
import { incidentLine, runLine, runbookSummaryLine } from './lines.ts';
import { escapeMrkdwn, joinLines } from './text.ts';

export interface HomeOptions {
  runbooks: Runbook[];
  runs: RunRecord[];
  now: number;
  /** Deployment gates held closed, one line each ("gate … held by INC-3 …"); empty: all open. */
  gateHolds?: string[];
  /** The last manifest reload that failed (the bot keeps the previous good set), file:line each. */
  manifestErrors?: string[];
  /** Open incidents (test ones marked); absent: no incidents section. */
  incidents?: Incident[];
  /** Ids of test incidents, so their runs are marked in the run list. */
  testIncidents?: ReadonlySet<string>;
}

/** Open incidents listed on Home; the rest are counted. */
const OPEN_INCIDENTS = 15;

/** Recent runs shown on Home; older ones are in `/runbook status`. */
const RECENT_RUNS = 20;

export function homeView(opts: HomeOptions): HomeView {
  const top: Block[] = [
    header('📘 Runbooks'),
    context([
      `${opts.runbooks.length} runbook${opts.runbooks.length === 1 ? '' : 's'} · *Run* asks for the inputs (and the incident) · in an incident channel, \`/runbook <name>\``,
    ]),
  ];
  if (opts.gateHolds) {
    top.push(
      section(
        opts.gateHolds.length
          ? `🔒 *Deployments halted*\n${joinLines(
              opts.gateHolds.map((l) => `• ${escapeMrkdwn(l)}`),
              LIMITS.sectionText - 40,
              'more',
            )}`
          : '🟢 All deployment gates are open.',
      ),
    );
  }
  if (opts.manifestErrors?.length) {
    top.push(
      section(
        `⚠️ *The last manifest change was refused*; the previous runbooks stay loaded:\n${joinLines(
          opts.manifestErrors.map((e) => `• \`${escapeMrkdwn(e).replace(/`/g, "'")}\``),
          LIMITS.sectionText - 120,
          'more errors',
        )}`,
      ),
    );
  }
  if (opts.incidents) {
    const open = opts.incidents.slice(0, OPEN_INCIDENTS);
    const more = opts.incidents.length - open.length;
    top.push(
      section(
        open.length
          ? `🚨 *Open incidents*\n${joinLines(
              open.map((i) => `• ${incidentLine(i)}`),
              LIMITS.sectionText - 60,
              'more incidents',
            )}${more > 0 ? `\n_+${more} more open incidents_` : ''}`
          : '🟢 *No open incidents.*',
      ),
    );
  }
  const runs = opts.runs.slice(0, RECENT_RUNS);
  const tests = opts.testIncidents;
  const bottom: Block[] = [
    divider(),
    header('🕘 Recent runs'),
    section(
      runs.length
        ? joinLines(
            runs.map((r) =>
              runLine(r, { now: opts.now, test: !!r.incidentId && (tests?.has(r.incidentId) ?? false) }),
            ),
            LIMITS.sectionText,
            'more runs',
          )
        : '_No runs yet._',
    ),
  ];
  // Runbooks take what the header and the runs leave, minus one block for a "+N more" note.
  const budget = LIMITS.viewBlocks - top.length - bottom.length - 1;
  const shown = opts.runbooks.slice(0, budget);
  const middle: Block[] = shown.map((r) =>
    section(runbookSummaryLine(r), {
      accessory: button({
        text: 'Run',
        actionId: ids.RUNBOOK_RUN,
        value: ids.encodeRunButton(r.id, null),
        style: 'primary',
      }),
    }),
  );
  if (opts.runbooks.length === 0)
    middle.push(section('_No runbooks loaded. Add YAML files to `MANIFESTS_DIR`._'));
  if (opts.runbooks.length > shown.length)
    middle.push(context([`_+${opts.runbooks.length - shown.length} more runbooks: use \`/runbook list\`._`]));
  return { type: 'home', blocks: capBlocks([...top, ...middle, ...bottom], LIMITS.viewBlocks) };
}
