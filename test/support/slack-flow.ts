/** User actions in Slack, as signed requests into the running bot (shared by the end-to-end tests). */
import assert from 'node:assert/strict';
import { SIGNING_SECRET, type BotUnderTest } from './bot-app.ts';
import { slashCommand, viewSubmission, blockAction } from './slack-requests.ts';
import { stateFor } from './slack-view-state.ts';
import * as ids from '../../src/slack/ids.ts';
import { checkMessage, checkView } from '../../src/slack/blocks/index.ts';

export const USER = 'W111';
type Json = Record<string, unknown>;
export interface OpenedView {
  id: string;
  hash: string;
  view: Json;
}

/** Runs `act` (a slash command or click) and returns the modal it opened (views.open comes after the ack). */
export async function opens(bot: BotUnderTest, act: () => Promise<{ status: number }>): Promise<OpenedView> {
  const before = bot.slack.callsTo('views.open').length;
  const res = await act();
  assert.equal(res.status, 200);
  await bot.slack.waitFor(() => bot.slack.callsTo('views.open').length > before, { what: 'a modal to open' });
  const call = bot.slack.callsTo('views.open').at(-1)!;
  const id = String((call.response!.view as Json).id);
  const v = bot.slack.view(id)!;
  return { id, hash: v.hash, view: v.view };
}

export function current(bot: BotUnderTest, id: string): OpenedView {
  const v = bot.slack.view(id)!;
  return { id, hash: v.hash, view: v.view };
}

export function submit(
  bot: BotUnderTest,
  opened: OpenedView,
  typed: Record<string, string | string[] | null>,
  user = USER,
) {
  return viewSubmission(bot.url, SIGNING_SECRET, {
    user: { id: user },
    view: {
      id: opened.id,
      hash: opened.hash,
      callback_id: opened.view.callback_id,
      private_metadata: opened.view.private_metadata,
      state: { values: stateFor(opened.view, typed) },
    },
  });
}

export function command(
  bot: BotUnderTest,
  cmd: '/runbook' | '/incident',
  text: string,
  channel: string,
  user = USER,
) {
  return slashCommand(bot.url, SIGNING_SECRET, { command: cmd, text, channel_id: channel, user_id: user });
}

/** A select in a modal that dispatches a block action (type select, runbook picker). */
export function selectInView(
  bot: BotUnderTest,
  opened: OpenedView,
  actionId: string,
  blockId: string,
  value: string,
  user = USER,
) {
  return blockAction(bot.url, SIGNING_SECRET, {
    user: { id: user },
    view: {
      id: opened.id,
      hash: opened.hash,
      callback_id: opened.view.callback_id,
      private_metadata: opened.view.private_metadata,
      state: { values: stateFor(opened.view) },
    },
    actions: [
      {
        type: 'static_select',
        action_id: actionId,
        block_id: blockId,
        selected_option: { text: { type: 'plain_text', text: value }, value },
      },
    ],
  });
}

/**
 * Declares a major incident through the modal, as a responder would. Not customer facing by
 * default, so the shipped rollback trigger stays quiet unless a test wants it.
 */
export async function declare(
  bot: BotUnderTest,
  summary = 'Checkout returns 500s',
  customerFacing = false,
): Promise<{ incidentId: string; channel: string }> {
  const opened = await opens(bot, () => command(bot, '/incident', `declare ${summary}`, 'C111'));
  assert.equal(opened.view.callback_id, ids.DECLARE_MODAL);
  const updatesBefore = bot.slack.callsTo('views.update').length;
  assert.equal(
    (await selectInView(bot, opened, ids.DECLARE_TYPE, ids.DECLARE_TYPE_BLOCK, 'major-incident')).status,
    200,
  );
  await bot.slack.waitFor(() => bot.slack.callsTo('views.update').length > updatesBefore, {
    what: 'the declare modal to show the type fields',
  });
  const rebuilt = current(bot, opened.id);
  assert.match(JSON.stringify(rebuilt.view), /Customer facing/);
  const ack = await submit(bot, rebuilt, {
    [ids.DECLARE_TYPE_BLOCK]: 'major-incident',
    [ids.fieldBlock('customer_facing')]: String(customerFacing),
    [ids.DECLARE_SEVERITY_BLOCK]: 'P1',
    [ids.DECLARE_SERVICE_BLOCK]: 'checkout',
    [ids.DECLARE_ENVIRONMENT_BLOCK]: 'prod',
  });
  assert.equal(ack.status, 200, ack.body);
  assert.equal(ack.body, '', `the declare modal was refused: ${ack.body}`);
  await bot.slack.waitFor(() => bot.slack.callsTo('pins.add').length > 0, {
    what: 'the summary to be pinned',
  });
  const incident = bot.app.store.incidents.list(1)[0]!;
  return { incidentId: incident.id, channel: incident.channel! };
}

export async function waitForRun(bot: BotUnderTest, state: string) {
  await bot.slack.waitFor(() => bot.app.store.runs.recent(1)[0]?.state === state, {
    what: `a run in state ${state}`,
    timeoutMs: 15_000,
  });
  return bot.app.store.runs.recent(1)[0]!;
}

/** Every message and view the bot sent stays within Block Kit's limits. */
export function assertAllPayloadsWithinLimits(bot: BotUnderTest): void {
  let checked = 0;
  for (const c of bot.slack.calls) {
    const a = c.args as Json;
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    if (/^chat\.(postMessage|update|postEphemeral)$/.test(c.method) && a.blocks) {
      assert.deepEqual(
        checkMessage({ text: String(a.text ?? ''), blocks: parse(a.blocks) }),
        [],
        `${c.method} within limits`,
      );
      checked++;
    }
    if (/^views\.(open|update|publish|push)$/.test(c.method) && a.view) {
      assert.deepEqual(checkView(parse(a.view)), [], `${c.method} within limits`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'some payloads were checked');
}
