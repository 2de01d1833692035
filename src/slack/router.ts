/**
 * The bot's listeners behind one Bolt global middleware instead of one Bolt listener each. For every
 * incoming request Bolt runs each registered listener's filter chain (onlyActions →
 * matchConstraints → …, each an async middleware step, plus an array copy and a promise per
 * listener) before and around the ack. With the bot's ~17 listeners that cost about as much CPU
 * again as Bolt's whole receive-verify-ack path (~0.01 ms per listener per request); four
 * kind-level listeners (command, action, view, event) still allocated ~2× what Bolt's listener
 * loop does for a bare app with two (allocation profile of the ack benchmark: +110 MB per 100k
 * requests, every byte of it scavenged while 32 requests wait). Here listeners register by exact
 * id into maps, the middleware dispatches with one map lookup, and Bolt's listener list stays
 * empty.
 *
 * Semantics are Bolt's for the string ids the bot uses: a command by name, a block action by
 * `action_id`, a `view_submission` by `callback_id`, an Events API event by its `type`; several
 * listeners on one id all run; no listener → the request goes on down Bolt's chain and, as with
 * Bolt's own matching, nothing acks it (Bolt's no-ack timeout answers). Listener arguments are
 * Bolt's (a global middleware gets the same ones a listener does), passed through untouched; the
 * middleware runs after Bolt's built-in ones (ignoreSelf), as listeners did. A routed request ends
 * here (its listeners get this middleware's `next`, which none calls): register nothing with Bolt
 * directly for these ids; go through the router.
 */
import type { App } from '@slack/bolt';

type Listener = (args: Record<string, unknown>) => Promise<unknown> | unknown;
type Kind = 'command' | 'action' | 'view' | 'event';

export interface ListenerRouter {
  /** The registration surface the listener files expect (`app.command/action/view/event`). */
  readonly app: App;
  /** Ids registered per kind (for tests and start-up logs). */
  ids(kind: Kind): string[];
}

/** The kind and id of a request, from the args Bolt builds for it; undefined for anything else. */
function route(args: Record<string, unknown>): [Kind, unknown] | undefined {
  const body = args.body as { type?: unknown } | undefined;
  if (args.command) return ['command', (args.command as { command?: unknown }).command];
  // Bolt sets `action` for block actions (the payload is the action) and for other interactive
  // payloads (the payload is the body): only block actions carry an action_id.
  if (args.action && body?.type === 'block_actions')
    return ['action', (args.payload as { action_id?: unknown }).action_id];
  // A string callback_id in Bolt means view_submission only; keep that.
  if (args.view && body?.type === 'view_submission')
    return ['view', (args.view as { callback_id?: unknown }).callback_id];
  if (args.event) return ['event', (args.event as { type?: unknown }).type];
  return undefined;
}

export function createListenerRouter(app: App): ListenerRouter {
  const routes: Record<Kind, Map<string, Listener[]>> = {
    command: new Map(),
    action: new Map(),
    view: new Map(),
    event: new Map(),
  };
  const add = (kind: Kind, id: unknown, listeners: Listener[]) => {
    if (typeof id !== 'string')
      throw new TypeError(`router: ${kind} listeners register by exact id (a string), got ${typeof id}`);
    if (listeners.length !== 1)
      throw new TypeError(
        `router: ${kind} ${id}: one listener function per registration, got ${listeners.length}`,
      );
    const list = routes[kind].get(id) ?? [];
    list.push(listeners[0]!);
    routes[kind].set(id, list);
  };

  app.use((async (args: Record<string, unknown> & { next: () => Promise<void> }) => {
    const r = route(args);
    const list = r && typeof r[1] === 'string' ? routes[r[0]].get(r[1]) : undefined;
    if (!list) return args.next();
    if (list.length === 1) return list[0]!(args);
    await Promise.all(list.map((l) => l(args)));
  }) as never);

  const facade = {
    command: (id: unknown, ...l: Listener[]) => add('command', id, l),
    action: (id: unknown, ...l: Listener[]) => add('action', id, l),
    view: (id: unknown, ...l: Listener[]) => add('view', id, l),
    event: (id: unknown, ...l: Listener[]) => add('event', id, l),
  };
  return {
    app: facade as unknown as App,
    ids: (kind) => [...routes[kind].keys()],
  };
}
