/**
 * The ack-latency baseline as its own process: a bare Bolt app (the version runbook-bot uses) with
 * the same HTTPReceiver and a no-op listener for /runbook and every action, on 127.0.0.1 (with
 * EDGE_URL set, for `--aa=modal`, each listener opens a modal after its ack).
 * botId/botUserId are given, as the real app does, so Bolt never calls auth.test.
 */
import { createServer } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET!,
  endpoints: '/slack/events',
});
const app = new App({
  token: 'xoxb-bench-bare',
  botId: 'B0BENCH',
  botUserId: 'U0BENCH',
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL! },
});
// `--aa=modal`: after each ack, open a modal the size of the bot's (~1.2 KB) through the bot's lean
// caller, from setImmediate as the bot's after-ack queue does — what one Slack call costs alone.
let openModal: (triggerId: string) => void = () => undefined;
if (process.env.EDGE_URL) {
  const { createLeanSlackApi } = await import('../src/slack/lean-api.ts');
  const api = createLeanSlackApi({ token: 'xoxb-bench-bare', slackApiUrl: process.env.EDGE_URL });
  const input = (i: number) => ({
    type: 'input',
    block_id: `input_${i}`,
    label: { type: 'plain_text', text: `Input ${i}` },
    element: { type: 'plain_text_input', action_id: 'value', initial_value: 'checkout-service-production' },
  });
  const view = JSON.stringify({
    type: 'modal',
    callback_id: 'bench_bare_modal',
    title: { type: 'plain_text', text: 'Run emergency rollback' },
    submit: { type: 'plain_text', text: 'Run' },
    blocks: Array.from({ length: 8 }, (_, i) => input(i)),
  });
  openModal = (triggerId) =>
    setImmediate(() =>
      api.send('views.open', `{"trigger_id":${JSON.stringify(triggerId)},"view":${view}}`).catch((e) => {
        console.error(`bare-bolt: views.open failed: ${(e as Error).message}`);
      }),
    );
}
app.command('/runbook', async ({ ack, command }) => {
  await ack();
  openModal(command.trigger_id);
});
app.action(/.*/, async ({ ack, body }) => {
  await ack();
  if ('trigger_id' in body) openModal(body.trigger_id);
});
createServer(receiver.requestListener).listen(0, '127.0.0.1');
// Exit through 'exit' handlers on SIGTERM (the bench stops it so), so a profiler hook can write out.
process.once('SIGTERM', () => process.exit(0));
