/**
 * A minimal loopback Slack Web API for slack.message tests, spoken to by the real @slack/web-api
 * WebClient: POST /api/chat.postMessage (form-encoded, as the client sends it; `blocks` JSON-encoded),
 * bearer token checked, `{ok:false,error}` with HTTP 200 for platform errors (not_in_channel,
 * channel_not_found, invalid_blocks), and whatever the loopback base injects (429 + Retry-After).
 * (The full Slack fake belongs to the Slack app; this stays independent of it.)
 */
import { WebClient } from '@slack/web-api';
import { startLoopback, type LoopbackServer } from '../fakes/loopback.ts';

export interface PostedMessage {
  channel: string;
  text: string;
  blocks?: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[];
  thread_ts?: string;
  ts: string;
}

export interface SlackWebApi extends LoopbackServer {
  token: string;
  posted: PostedMessage[];
  /** Channels the bot is a member of; others answer not_in_channel. Users (U…) are always DM-able. */
  channels: Set<string>;
  client(): WebClient;
}

export async function startSlackWebApi(): Promise<SlackWebApi> {
  const token = 'xoxb-1111-2222-fakeslacktoken';
  const posted: PostedMessage[] = [];
  const channels = new Set(['C0INCIDENT', 'C0OTHER']);
  let seq = 1;
  const server = await startLoopback({
    route: (method, path) =>
      method === 'POST' && path === '/api/chat.postMessage' ? 'chat.postMessage' : null,
    notFound: () => ({ status: 200, body: { ok: false, error: 'unknown_method' } }),
    handle(req) {
      if (req.headers['authorization'] !== `Bearer ${token}`)
        return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      const form = new URLSearchParams(req.body);
      const channel = form.get('channel') ?? '';
      if (!/^U/.test(channel) && !channels.has(channel))
        return {
          status: 200,
          body: { ok: false, error: /^[CG]/.test(channel) ? 'not_in_channel' : 'channel_not_found' },
        };
      let blocks: PostedMessage['blocks'];
      if (form.has('blocks')) {
        try {
          blocks = JSON.parse(form.get('blocks')!) as PostedMessage['blocks'];
        } catch {
          return { status: 200, body: { ok: false, error: 'invalid_blocks_format' } };
        }
        if (!Array.isArray(blocks) || blocks.length > 50)
          return { status: 200, body: { ok: false, error: 'invalid_blocks' } };
      }
      const ts = `1700000000.${String(seq++).padStart(6, '0')}`;
      const target = /^U/.test(channel) ? `D${channel.slice(1)}` : channel;
      posted.push({
        channel: target,
        text: form.get('text') ?? '',
        ...(blocks ? { blocks } : {}),
        ...(form.get('thread_ts') ? { thread_ts: form.get('thread_ts')! } : {}),
        ts,
      });
      return { status: 200, body: { ok: true, channel: target, ts } };
    },
  });
  return Object.assign(server, {
    token,
    posted,
    channels,
    client: () =>
      new WebClient(token, {
        slackApiUrl: `${server.url}/api/`,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
        timeout: 5000,
      }),
  }) as SlackWebApi;
}
