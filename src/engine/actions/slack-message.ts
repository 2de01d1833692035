/**
 * `slack.message`: posts to the incident's channel (default), the run's status thread
 * (`channel: thread`), another channel (`C…` id or `#name`) or a person by DM (`user: U…`, posted in
 * the app's DM with them), through the app's Web API client (ActionDeps.slack). Text is mrkdwn: the
 * author's markup stays, substituted values are escaped (`&`, `<`, `>`), so a summary can never
 * ping <!channel>. Block Kit limits are respected by truncation (DESIGN.md §4.2).
 *
 * idempotentStart: true — chat.postMessage has no idempotency key; after a restart mid-call the
 * message may be posted again (at-least-once), which beats a run stuck `unknown` over a chat line.
 */
import { AppError } from '../../errors.ts';
import { escapers } from '../../domain/templates.ts';
import type { SlackMessageWith } from '../../manifests/schema.ts';
import type { ActionContext, ActionDefinition, ActionPreview } from '../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  followupTimeoutMs,
  missingCollector,
  render,
  renderRequired,
  specAs,
  truncate,
} from './followup-kit.ts';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL = /^([CGD][A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]*)$/;
// Errors Slack documents as temporary for chat.postMessage.
const TEMPORARY = new Set([
  'ratelimited',
  'rate_limited',
  'service_unavailable',
  'fatal_error',
  'internal_error',
  'request_timeout',
]);
const HINTS: Record<string, string> = {
  not_in_channel: 'invite the app to the channel first (/invite @runbook-bot)',
  channel_not_found: 'check the channel id, and that the app was added to that channel',
  is_archived: 'the channel is archived',
  invalid_auth: 'check SLACK_BOT_TOKEN',
  not_authed: 'check SLACK_BOT_TOKEN',
  missing_scope: 'the app needs the chat:write scope',
};

export function buildSlackMessage(w: SlackMessageWith, scope: Record<string, unknown>) {
  const m = missingCollector();
  const mrkdwn = (tpl: string, max: number) =>
    truncate(m.add(render(tpl, scope, escapers.slack)).text, max) || '—';
  const blocks = w.blocks?.map((b) => {
    if ('section' in b) return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(b.section, 3000) } };
    if ('context' in b)
      return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(b.context, 2000) }] };
    if ('header' in b) {
      const text = truncate(m.add(render(b.header, scope)).text.replace(/\s+/g, ' ').trim(), 150) || '—';
      return { type: 'header', text: { type: 'plain_text', text, emoji: true } };
    }
    return { type: 'divider' };
  });
  return { text: mrkdwn(w.text, 3000), ...(blocks?.length ? { blocks } : {}), missing: m.all };
}

/** Where the message goes: channel id (or user id for a DM) and, for `thread`, the thread. */
function destination(
  ctx: ActionContext,
  w: SlackMessageWith,
): { channel: string; thread_ts?: string; note?: string } {
  if (w.user !== undefined) {
    const user = renderRequired(w.user, ctx.scope, 'user');
    if (!USER_ID.test(user))
      throw new AppError(
        'ACTION_FAILED',
        `with.user rendered "${user}", which is not a Slack user id like U012ABCDEF`,
      );
    return { channel: user };
  }
  const ch = w.channel === undefined ? 'incident' : renderRequired(w.channel, ctx.scope, 'channel');
  const incidentChannel = ctx.incident?.channel ?? null;
  if (ch === 'thread') {
    const thread = ctx.deps.slackThread?.(ctx.run.id);
    if (thread) return { channel: thread.channel, thread_ts: thread.ts };
    if (incidentChannel)
      return {
        channel: incidentChannel,
        note: 'the run has no status message yet; posted in the incident channel',
      };
    throw new AppError(
      'ACTION_FAILED',
      'channel: thread, but this run has no status message and no incident channel',
    );
  }
  if (ch === 'incident') {
    if (!incidentChannel)
      throw new AppError(
        'ACTION_FAILED',
        `${ctx.incident ? `incident ${ctx.incident.id} has` : 'the run has'} no Slack channel; set with.channel`,
      );
    return { channel: incidentChannel };
  }
  if (!CHANNEL.test(ch))
    throw new AppError(
      'ACTION_FAILED',
      `with.channel rendered "${ch}": use incident, thread, a channel id (C…) or #name`,
    );
  return { channel: ch };
}

/** @slack/web-api's errors (by their documented `code`) → temporary or final, with Slack's error. */
export function slackFailure(e: unknown): AppError {
  const err = e as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    message?: string;
  };
  switch (err.code) {
    case 'slack_webapi_rate_limited_error':
      return new AppError(
        'ACTION_FAILED',
        `Slack rate-limited chat.postMessage (retry after ${err.retryAfter ?? '?'}s)`,
        {
          retryable: true,
          ...(typeof err.retryAfter === 'number' ? { details: { retryAfterMs: err.retryAfter * 1000 } } : {}),
        },
      );
    case 'slack_webapi_platform_error': {
      const code = err.data?.error ?? 'unknown_error';
      const hint = HINTS[code] ? ` — ${HINTS[code]}` : '';
      return new AppError('ACTION_FAILED', `Slack refused chat.postMessage: ${code}${hint}`, {
        retryable: TEMPORARY.has(code),
      });
    }
    case 'slack_webapi_http_error': {
      const s = err.statusCode ?? 0;
      return new AppError('ACTION_FAILED', `Slack answered HTTP ${s} to chat.postMessage`, {
        retryable: s === 408 || s === 429 || s >= 500,
      });
    }
    case 'slack_webapi_request_error':
      return new AppError('ACTION_FAILED', `Slack could not be reached: ${err.message ?? 'request failed'}`, {
        retryable: true,
      });
    default:
      return new AppError('ACTION_FAILED', `Slack chat.postMessage failed: ${err.message ?? String(e)}`);
  }
}

export const slackMessageAction: ActionDefinition = {
  uses: 'slack.message',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'slack.message');
    if (!ctx.deps.slack)
      throw new AppError(
        'CONFIG_INVALID',
        'slack.message needs the Slack app: set SLACK_BOT_TOKEN (see README.md#configuration)',
      );
    const to = destination(ctx, w);
    const msg = buildSlackMessage(w, ctx.scope);
    let res;
    try {
      res = await ctx.deps.slack.chat.postMessage({
        channel: to.channel,
        text: msg.text,
        ...(msg.blocks ? { blocks: msg.blocks } : {}),
        ...(to.thread_ts ? { thread_ts: to.thread_ts } : {}),
        unfurl_links: w.unfurl_links,
        unfurl_media: w.unfurl_links,
      });
    } catch (e) {
      throw slackFailure(e);
    }
    const where = to.thread_ts
      ? `the run's thread`
      : w.user !== undefined
        ? `a DM to <@${to.channel}>`
        : `<#${to.channel}>`;
    return {
      kind: 'done',
      status: 'succeeded',
      output: {
        channel: res.channel ?? to.channel,
        ts: res.ts ?? null,
        ...(to.thread_ts ? { thread_ts: to.thread_ts } : {}),
        ...(to.note ? { note: to.note } : {}),
      },
      events: [
        { kind: 'followup.done', text: `Slack message posted in ${where}${to.note ? ` (${to.note})` : ''}` },
      ],
    };
  },

  preview(spec, scope): ActionPreview {
    const w = specAs({ spec }, 'slack.message');
    const msg = buildSlackMessage(w, scope);
    const m = missingCollector();
    m.add(msg);
    const dest =
      w.user !== undefined
        ? m.add(render(w.user, scope)).text || '<user>'
        : w.channel === undefined
          ? 'incident'
          : m.add(render(w.channel, scope)).text;
    const channel =
      dest === 'incident' ? '<incident channel>' : dest === 'thread' ? '<run status thread>' : dest;
    return {
      request: 'chat.postMessage',
      body: JSON.stringify(
        { channel, text: msg.text, ...(msg.blocks ? { blocks: msg.blocks } : {}) },
        null,
        2,
      ),
      missing: m.all,
    };
  },
};
