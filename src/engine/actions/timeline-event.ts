/** `timeline.event`: a custom (optionally key) event on the incident timeline, from a template. */
import { renderTemplate } from '../../domain/templates.ts';
import type { ActionDefinition } from '../ports.ts';

export const timelineEventAction: ActionDefinition = {
  uses: 'timeline.event',
  // The event is written with a dedupe key in the result's transaction: repeating start is harmless.
  idempotentStart: true,
  async start(ctx) {
    if (ctx.spec.uses !== 'timeline.event') throw new Error('timeline.event got another step kind');
    const { text } = renderTemplate(ctx.spec.with.text, ctx.scope);
    return {
      kind: 'done',
      status: 'succeeded',
      output: { text },
      events: [{ kind: 'custom', text, key: ctx.spec.with.key }],
    };
  },
};
