/**
 * `teams.message`: posts a card to a Microsoft Teams incoming webhook or a Workflows "post to a
 * channel when a webhook request is received" URL. The URL is a credential (anyone holding it can
 * post), so it only ever comes from the env var named in `url_env`.
 *
 * Format: an Adaptive Card inside a message, as documented for incoming webhooks in
 * learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 * ("Send Adaptive Cards using an incoming webhook": `type: message`, one attachment with
 * contentType `application/vnd.microsoft.card.adaptive`); the same body is what Workflows webhooks
 * take. Legacy connectors answer 200 with "Microsoft Teams endpoint returned HTTP error 429" in the
 * body when throttled (same page, "Rate limiting for connectors"): treated as a 429.
 *
 * idempotentStart: false would leave a run `unknown` for a chat message; a Teams post has no
 * idempotency key, so a restart mid-call may post twice (at-least-once) — the lesser harm.
 */
import { AppError } from '../../errors.ts';
import type { TeamsMessageWith } from '../../manifests/schema.ts';
import type { ActionDefinition, ActionPreview } from '../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  callTimeoutMs,
  envOf,
  followupTimeoutMs,
  missingCollector,
  render,
  requireEnv,
  specAs,
  truncate,
} from './followup-kit.ts';
import { ensureOk, send, type HttpTarget } from './http.ts';

export function buildTeamsCard(w: TeamsMessageWith, scope: Record<string, unknown>) {
  const m = missingCollector();
  const text = (tpl: string) => m.add(render(tpl, scope)).text;
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: truncate(text(w.title), 200), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: truncate(text(w.text), 4000), wrap: true },
  ];
  const facts = Object.entries(w.facts ?? {}).map(([title, v]) => ({ title, value: text(v).trim() || '—' }));
  if (facts.length) body.push({ type: 'FactSet', facts });
  const actions: Record<string, unknown>[] = [];
  const url = w.link ? text(w.link.url).trim() : '';
  // A link whose URL is not known (e.g. a skipped pipeline has no execution) is left out, not an error.
  if (w.link && /^https?:\/\/\S+$/.test(url))
    actions.push({ type: 'Action.OpenUrl', title: text(w.link.title), url });
  const card = {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          body,
          ...(actions.length ? { actions } : {}),
        },
      },
    ],
  };
  return { card, missing: m.all };
}

export const teamsMessageAction: ActionDefinition = {
  uses: 'teams.message',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'teams.message');
    const url = requireEnv(envOf(ctx), [w.url_env], 'teams.message')(w.url_env);
    if (!/^https?:\/\//.test(url)) throw new AppError('ACTION_FAILED', `${w.url_env} is not an http(s) URL`);
    const { card } = buildTeamsCard(w, ctx.scope);
    const target: HttpTarget = { name: `Teams (${w.url_env})`, secrets: [url, new URL(url).pathname] };
    const call = {
      method: 'POST' as const,
      url,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(card),
      timeoutMs: callTimeoutMs(ctx),
    };
    const answer = ensureOk(await send(ctx.deps.fetch ?? fetch, call, target), call, target, ctx.now);
    if (/HTTP error 429/.test(answer.text)) {
      throw new AppError(
        'ACTION_FAILED',
        `Teams (${w.url_env}) is throttling this webhook (HTTP error 429)`,
        {
          retryable: true,
        },
      );
    }
    return {
      kind: 'done',
      status: 'succeeded',
      output: { status: answer.status },
      events: [{ kind: 'followup.done', text: `Teams (${w.url_env}): card posted` }],
    };
  },

  preview(spec, scope): ActionPreview {
    const w = specAs({ spec }, 'teams.message');
    const { card, missing } = buildTeamsCard(w, scope);
    return {
      request: `POST $${w.url_env}`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(card, null, 2),
      missing,
    };
  },
};
