/**
 * One Bolt listener per kind instead of one per action id. Bolt runs every registered listener's
 * filter chain (onlyActions → matchConstraints → …, each an async middleware step) for every
 * incoming request before and around the ack; with the bot's ~17 listeners that cost about as much
 * CPU again as Bolt's whole receive-verify-ack path (measured: ~0.01 ms per listener per request).
 * Here listeners register by exact id into maps, and Bolt sees four listeners (command, action,
 * view submission, and the events passed straight through), so dispatch is one map lookup.
 *
 * Semantics are Bolt's for the string ids the bot uses: a command by name, a block action by
 * `action_id`, a `view_submission` by `callback_id`; several listeners on one id all run; no
 * listener → nothing happens (Bolt's own no-ack timeout answers, as before). Listener arguments are
 * Bolt's, passed through untouched.
 */
import type { App } from '@slack/bolt';

type Listener = (args: Record<string, unknown>) => Promise<unknown> | unknown;
type Kind = 'command' | 'action' | 'view';

export interface ListenerRouter {
  /** The registration surface the listener files expect (`app.command/action/view/event`). */
  readonly app: App;
  /** Ids registered per kind (for tests and start-up logs). */
  ids(kind: Kind): string[];
}

const MATCH_ANY = /^/;

export function createListenerRouter(app: App): ListenerRouter {
  const routes: Record<Kind, Map<string, Listener[]>> = {
    command: new Map(),
    action: new Map(),
    view: new Map(),
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
  const dispatch =
    (kind: Kind, idOf: (args: Record<string, unknown>) => unknown) =>
    async (args: Record<string, unknown>) => {
      const id = idOf(args);
      const list = typeof id === 'string' ? routes[kind].get(id) : undefined;
      if (!list) return;
      if (list.length === 1) return list[0]!(args);
      await Promise.all(list.map((l) => l(args)));
    };

  app.command(MATCH_ANY, dispatch('command', (a) => (a.command as { command?: unknown }).command) as never);
  app.action(MATCH_ANY, dispatch('action', (a) => (a.payload as { action_id?: unknown }).action_id) as never);
  // A string callback_id in Bolt means view_submission only; keep that.
  app.view(
    { callback_id: MATCH_ANY, type: 'view_submission' },
    dispatch('view', (a) => (a.view as { callback_id?: unknown }).callback_id) as never,
  );

  const facade = {
    command: (id: unknown, ...l: Listener[]) => add('command', id, l),
    action: (id: unknown, ...l: Listener[]) => add('action', id, l),
    view: (id: unknown, ...l: Listener[]) => add('view', id, l),
    // Events are few (App Home): Bolt's own registration.
    event: (...a: unknown[]) => (app.event as (...x: unknown[]) => void)(...a),
  };
  return {
    app: facade as unknown as App,
    ids: (kind) => [...routes[kind].keys()],
  };
}
