/**
 * The ack-latency baseline as its own process: a bare Bolt app (the version runbook-bot uses) with
 * the same HTTPReceiver and a no-op listener for /runbook and every action, on 127.0.0.1.
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
app.command('/runbook', async ({ ack }) => ack());
app.action(/.*/, async ({ ack }) => ack());
createServer(receiver.requestListener).listen(0, '127.0.0.1');
// Exit through 'exit' handlers on SIGTERM (the bench stops it so), so a profiler hook can write out.
process.once('SIGTERM', () => process.exit(0));
