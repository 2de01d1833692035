/** The action registry: one module per `uses:`. */
import type { ActionDefinition, ActionDeps } from '../ports.ts';
import { harnessPipelineAction } from './harness-pipeline.ts';
import { timelineEventAction } from './timeline-event.ts';
import { webhookAction } from './webhook.ts';
import { jiraCommentAction } from './jira/comment.ts';
import { jiraTransitionAction } from './jira/transition.ts';
import { servicenowUpdateAction } from './servicenow/update.ts';
import { teamsMessageAction } from './teams-message.ts';
import { emailAction } from './email.ts';
import { slackMessageAction } from './slack-message.ts';

export type ActionRegistry = ReadonlyMap<string, ActionDefinition>;

export const ALL_ACTIONS: readonly ActionDefinition[] = [
  harnessPipelineAction,
  timelineEventAction,
  webhookAction,
  jiraCommentAction,
  jiraTransitionAction,
  servicenowUpdateAction,
  teamsMessageAction,
  emailAction,
  slackMessageAction,
];

/**
 * Every action. `deps` (env, fetch, smtp, slack, slackThread) are laid over the engine's ActionDeps
 * for each call, so the app (and tests) can give follow-ups their clients without the engine knowing
 * about them: `createEngine({ actions: defaultActions({ slack: web }) })`.
 */
export function defaultActions(deps: Partial<Omit<ActionDeps, 'store' | 'poll'>> = {}): ActionRegistry {
  const bound = Object.keys(deps).length === 0 ? ALL_ACTIONS : ALL_ACTIONS.map((a) => withDeps(a, deps));
  return new Map(bound.map((a) => [a.uses, a]));
}

function withDeps(a: ActionDefinition, extra: Partial<ActionDeps>): ActionDefinition {
  type Ctx = Parameters<ActionDefinition['start']>[0];
  const over = (ctx: Ctx): Ctx => ({ ...ctx, deps: { ...ctx.deps, ...extra } });
  const { check, cancel } = a;
  return {
    ...a,
    start: (ctx) => a.start(over(ctx)),
    ...(check ? { check: (ctx: Ctx) => check(over(ctx)) } : {}),
    ...(cancel ? { cancel: (ctx: Ctx, reason: 'cancelled' | 'timed_out') => cancel(over(ctx), reason) } : {}),
  };
}
