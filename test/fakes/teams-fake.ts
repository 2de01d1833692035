/**
 * A loopback Microsoft Teams incoming webhook. Like the real one it is a secret URL (any other path
 * is 404), it answers 200 with the text "1" on success (connectors-using.md: "If the POST succeeds,
 * you should see a simple 1"), and it refuses what is not a card: a body without `type: message` and
 * an Adaptive Card attachment (and not a legacy MessageCard / text payload) gets 400 "Summary or Text
 * is required.", the error Teams gives such payloads. `throttle()` makes it answer the way throttled
 * connectors do: 200 with "Microsoft Teams endpoint returned HTTP error 429" in the body.
 */
import { randomUUID } from 'node:crypto';
import { startLoopback, type LoopbackServer } from './loopback.ts';

export interface TeamsFake extends LoopbackServer {
  /** The full secret webhook URL. */
  webhookUrl: string;
  cards: Record<string, unknown>[];
  throttle(n: number): void;
}

function adaptiveCard(json: unknown): Record<string, unknown> | null {
  const j = json as { type?: unknown; attachments?: unknown };
  if (!j || j.type !== 'message' || !Array.isArray(j.attachments) || j.attachments.length !== 1) return null;
  const a = j.attachments[0] as {
    contentType?: unknown;
    content?: { type?: unknown; body?: unknown; version?: unknown };
  };
  if (a.contentType !== 'application/vnd.microsoft.card.adaptive') return null;
  const c = a.content;
  if (!c || c.type !== 'AdaptiveCard' || !Array.isArray(c.body) || typeof c.version !== 'string') return null;
  return c as Record<string, unknown>;
}

export async function startTeamsFake(): Promise<TeamsFake> {
  const path = `/webhookb2/${randomUUID()}@${randomUUID()}/IncomingWebhook/${randomUUID().replace(/-/g, '')}`;
  const cards: Record<string, unknown>[] = [];
  let throttled = 0;
  const server = await startLoopback({
    route: (method, p) => (method === 'POST' && p === path ? 'post' : null),
    notFound: () => ({ status: 404, body: 'Webhook not found' }),
    handle(req) {
      if (throttled > 0) {
        throttled--;
        return {
          status: 200,
          body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production',
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(req.body);
      } catch {
        return { status: 400, body: 'Bad payload received by generic incoming webhook.' };
      }
      const card = adaptiveCard(json);
      if (!card) return { status: 400, body: 'Summary or Text is required.' };
      cards.push(card);
      return { status: 200, body: '1' };
    },
  });
  return Object.assign(server, {
    get webhookUrl() {
      return `${server.url}${path}`;
    },
    cards,
    throttle(n: number) {
      throttled += n;
    },
  }) as TeamsFake;
}
