/**
 * `jira.transition`: moves an issue through its workflow by the transition's NAME (ids differ per
 * workflow): GET …/transitions, pick the one named (case-insensitive), POST its id.
 *
 * idempotentStart: true — before transitioning, the issue's status is read: when it already is the
 * status the transition leads to (`with.status`, else the transition's `to`, else its name) the step
 * succeeds without a POST. A retry after a crash therefore never fails on "no such transition from
 * Done" nor moves the issue twice.
 */
import { AppError } from '../../../errors.ts';
import type { ActionDefinition, ActionPreview } from '../../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  callTimeoutMs,
  envOf,
  followupTimeoutMs,
  missingCollector,
  render,
  renderRequired,
  specAs,
} from '../followup-kit.ts';
import { checkIssueKey, jiraClient, jiraConfig } from './client.ts';

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export const jiraTransitionAction: ActionDefinition = {
  uses: 'jira.transition',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'jira.transition');
    const key = checkIssueKey(renderRequired(w.issue, ctx.scope, 'issue'), w.issue);
    const name = renderRequired(w.transition, ctx.scope, 'transition');
    const wanted = w.status === undefined ? undefined : renderRequired(w.status, ctx.scope, 'status');
    const jira = jiraClient(jiraConfig(envOf(ctx)), ctx.deps.fetch ?? fetch, callTimeoutMs(ctx), ctx.now);
    const [transitions, current] = await Promise.all([jira.transitions(key), jira.status(key)]);
    const t = transitions.find((x) => same(x.name, name));
    const target = wanted ?? t?.to?.name ?? name;
    const url = jira.browseUrl(key);
    if (same(current.name, target)) {
      return {
        kind: 'done',
        status: 'succeeded',
        url,
        output: { issue: key, status: current.name, already: true },
        events: [{ kind: 'followup.done', text: `Jira ${key} is already ${current.name}: ${url}` }],
      };
    }
    if (!t) {
      const available = transitions.map((x) => `"${x.name}" (→ ${x.to?.name ?? '?'})`).join(', ') || 'none';
      throw new AppError(
        'ACTION_FAILED',
        `Jira ${key} is "${current.name}" and has no transition named "${name}"; available: ${available}`,
      );
    }
    await jira.transition(key, t.id);
    return {
      kind: 'done',
      status: 'succeeded',
      url,
      output: {
        issue: key,
        transition: t.name,
        from: current.name,
        status: t.to?.name ?? target,
        already: false,
      },
      events: [
        {
          kind: 'followup.done',
          text: `Jira ${key}: ${current.name} → ${t.to?.name ?? target} (${t.name}): ${url}`,
        },
      ],
    };
  },

  preview(spec, scope): ActionPreview {
    const w = specAs({ spec }, 'jira.transition');
    const m = missingCollector();
    const key = m.add(render(w.issue, scope)).text.trim() || '<issue>';
    const name = m.add(render(w.transition, scope)).text.trim();
    return {
      request: `GET $JIRA_BASE_URL/rest/api/3/issue/${key}/transitions, then POST …/transitions`,
      headers: { Authorization: 'Basic [$JIRA_EMAIL:$JIRA_API_TOKEN]', 'Content-Type': 'application/json' },
      body: JSON.stringify({ transition: { id: `<id of the transition named "${name}">` } }, null, 2),
      missing: m.all,
    };
  },
};
