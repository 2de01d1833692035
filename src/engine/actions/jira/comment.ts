/**
 * `jira.comment`: adds a comment (ADF) to an issue. The comment ends with a marker naming the run
 * and step ("runbook-bot RUN-7/tell-jira").
 *
 * idempotentStart: true — Jira has no idempotency key, so on any attempt after the first (a retry
 * after a lost answer, or after a restart mid-call) the latest comments are read first and a
 * comment already carrying the marker counts as done: the comment is posted once.
 */
import { escapers } from '../../../domain/templates.ts';
import type { ActionDefinition, ActionPreview } from '../../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  callTimeoutMs,
  deliveryMarker,
  envOf,
  followupTimeoutMs,
  missingCollector,
  render,
  renderRequired,
  specAs,
} from '../followup-kit.ts';
import { adfText, textToAdf } from './adf.ts';
import { checkIssueKey, jiraClient, jiraConfig } from './client.ts';

export const jiraCommentAction: ActionDefinition = {
  uses: 'jira.comment',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'jira.comment');
    const key = checkIssueKey(renderRequired(w.issue, ctx.scope, 'issue'), w.issue);
    const text = renderRequired(w.body, ctx.scope, 'body', escapers.plain);
    const marker = deliveryMarker({ runId: ctx.run.id, stepId: ctx.step.stepId });
    const jira = jiraClient(jiraConfig(envOf(ctx)), ctx.deps.fetch ?? fetch, callTimeoutMs(ctx), ctx.now);
    const done = (id: string, already: boolean) => {
      const url = `${jira.browseUrl(key)}?focusedCommentId=${encodeURIComponent(id)}`;
      return {
        kind: 'done' as const,
        status: 'succeeded' as const,
        url,
        externalId: id,
        output: { issue: key, comment_id: id, already_posted: already },
        events: [
          {
            kind: 'followup.done',
            text: `Jira ${key}: ${already ? 'comment was already posted' : 'comment added'}: ${url}`,
          },
        ],
      };
    };
    if (ctx.step.attempts > 1) {
      const existing = (await jira.comments(key)).find((c) => adfText(c.body).includes(marker));
      if (existing) return done(String(existing.id), true);
    }
    const created = await jira.addComment(key, textToAdf(text, marker));
    return done(created.id, false);
  },

  preview(spec, scope, ids): ActionPreview {
    const w = specAs({ spec }, 'jira.comment');
    const m = missingCollector();
    const key = m.add(render(w.issue, scope)).text.trim() || '<issue>';
    const body = textToAdf(m.add(render(w.body, scope)).text, deliveryMarker(ids));
    return {
      request: `POST $JIRA_BASE_URL/rest/api/3/issue/${key}/comment`,
      headers: { Authorization: 'Basic [$JIRA_EMAIL:$JIRA_API_TOKEN]', 'Content-Type': 'application/json' },
      body: JSON.stringify({ body }, null, 2),
      missing: m.all,
    };
  },
};
