/**
 * `/runbook` — thin: parse, ack (with the answer when it is quick), then queue what follows (open
 * a modal, call the engine) on the after-ack queue, so waiting requests are acked first.
 * Subcommands: (none) picker · <words> · list · status · cancel <run> · explain · validate · help.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import { findRunbook } from '../../manifests/find.ts';
import { evaluateTrigger } from '../../domain/triggers.ts';
import { helpText, runbookChoices, runList, explainText, runbookPickerModal } from '../blocks/index.ts';
import { applicableRunbooks, openInputModal, ephemeral } from './shared.ts';
import { cancelRunAs } from './run-actions.ts';
import { errorText } from '../errors.ts';
import { validateRunbookText } from './runbook-validate.ts';

export function registerRunbookCommand(app: App, d: SlackDeps): void {
  app.command('/runbook', async ({ command, ack, respond }) => {
    const text = command.text.trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const sub = first.toLowerCase();
    const incident = d.incidents.byChannel(command.channel_id) ?? null;
    const runbooks = applicableRunbooks(d, incident);

    if (sub === 'help') return ack(ephemeral(helpText('/runbook')));
    if (sub === 'list') return ack(ephemeral(runbookChoices(runbooks, incident?.id ?? null)));
    if (sub === 'status') {
      const runs = incident ? d.store.runs.forIncident(incident.id) : d.store.runs.recent(10);
      return ack(ephemeral(runList(runs, { test: incident?.test === true })));
    }
    if (sub === 'explain') {
      if (!incident)
        return ack(
          ephemeral(
            ':warning: `/runbook explain` works in an incident channel: it explains which triggers would fire for that incident.',
          ),
        );
      const rows = runbooks.flatMap((runbook) =>
        runbook.triggers.map((trigger, index) => ({
          runbook,
          index,
          // With this incident's firing history, so "already fired" and cooldowns are explained too.
          decision: evaluateTrigger(
            trigger,
            { type: trigger.on, incident },
            {
              runbook,
              history: d.store.triggerState.history({
                incidentId: incident.id,
                runbookId: runbook.id,
                triggerIndex: index,
              }),
              now: d.clock.now(),
            },
          ),
        })),
      );
      return ack(ephemeral(explainText({ incident, rows })));
    }
    if (sub === 'cancel') {
      const runId = rest[0];
      if (!runId)
        return ack(ephemeral(':warning: Which run? `/runbook cancel RUN-12` (see `/runbook status`).'));
      await ack();
      d.afterAck.push('reply', `/runbook cancel ${runId}`, async () => {
        const result = await cancelRunAs(d, runId, command.user_id);
        await respond({ response_type: 'ephemeral', text: result });
      });
      return;
    }
    if (sub === 'validate') return validateCommand(d, rest.join(' '), incident, runbooks, ack, respond);
    if (sub === '') {
      await ack();
      d.afterAck.push('modal', 'runbook picker', () =>
        d.slackApi.call('views.open', {
          trigger_id: command.trigger_id,
          view: runbookPickerModal({
            runbooks,
            incidentId: incident?.id ?? null,
            channelId: command.channel_id,
          }),
        }),
      );
      return;
    }
    const catalog = d.catalog();
    const found = findRunbook({ ...catalog, runbooks: new Map(runbooks.map((r) => [r.id, r])) }, text);
    if (!('runbook' in found)) {
      const list = found.candidates.length ? found.candidates : runbooks;
      const intro = found.candidates.length
        ? `Several runbooks match “${text}”:`
        : `No runbook matches “${text}”. These apply here:`;
      const choices = runbookChoices(list, incident?.id ?? null);
      return ack(
        ephemeral({
          text: `${intro}\n${choices.text}`,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: intro } }, ...(choices.blocks ?? [])],
        }),
      );
    }
    await ack();
    const runbook = found.runbook;
    d.afterAck.push('modal', `input modal ${runbook.id}`, async () => {
      try {
        await openInputModal(d, command.trigger_id, runbook, incident, command.channel_id);
      } catch (e) {
        d.log.warn({ err: (e as Error).message }, 'views.open failed');
        await respond({ response_type: 'ephemeral', text: errorText(e) });
      }
    });
  });
}

/** `/runbook validate <runbook>`: ack at once (Harness may take a while), then the checklist. */
async function validateCommand(
  d: SlackDeps,
  words: string,
  incident: ReturnType<SlackDeps['incidents']['byChannel']> | null,
  runbooks: ReturnType<typeof applicableRunbooks>,
  ack: (m?: ReturnType<typeof ephemeral>) => Promise<void>,
  respond: (m: { response_type: 'ephemeral'; text: string }) => Promise<unknown>,
): Promise<void> {
  if (!incident)
    return ack(
      ephemeral(
        ':warning: `/runbook validate <runbook>` works in an incident channel: it checks the runbook against that incident (declare a test incident to try one safely).',
      ),
    );
  const found = words
    ? findRunbook({ ...d.catalog(), runbooks: new Map(runbooks.map((r) => [r.id, r])) }, words)
    : { candidates: runbooks };
  if (!('runbook' in found))
    return ack(
      ephemeral(
        `:warning: Which runbook? \`/runbook validate <id>\` — these apply here: ${runbooks.map((r) => `\`${r.id}\``).join(', ') || 'none'}`,
      ),
    );
  await ack(ephemeral(`:hourglass_flowing_sand: Checking ${found.runbook.name} against ${incident.id}…`));
  d.afterAck.push('reply', `/runbook validate ${found.runbook.id}`, async () => {
    const text = await validateRunbookText(d, found.runbook, incident).catch((e: unknown) => errorText(e));
    await respond({ response_type: 'ephemeral', text });
  });
}
