/**
 * The Slack client for callers outside the live-message publisher (`slack.message` follow-ups,
 * gate notices, the pinned incident summary): the same client, except that its chat.postMessage
 * and chat.update are first counted against the publisher's workspace budgets (and a post against
 * its channel's 1/s pacing). Slack's limits are per method for the whole app, so without this the
 * publisher planned its minute as if it were the only caller.
 */
interface ChatMethods {
  postMessage(args: never): Promise<unknown>;
  update(args: never): Promise<unknown>;
}

export interface OutsideCounter {
  countOutside(method: 'chat.update' | 'chat.postMessage', channel?: string): void;
}

export function countedClient<T extends { chat: ChatMethods }>(client: T, counter: OutsideCounter): T {
  const chat = Object.create(client.chat) as ChatMethods;
  chat.postMessage = (args: never) => {
    const channel = (args as { channel?: unknown } | undefined)?.channel;
    counter.countOutside('chat.postMessage', typeof channel === 'string' ? channel : undefined);
    return client.chat.postMessage(args);
  };
  chat.update = (args: never) => {
    counter.countOutside('chat.update');
    return client.chat.update(args);
  };
  // Everything else (pins, conversations, the client's own methods) is the client's, unchanged.
  const counted = Object.create(client) as T;
  counted.chat = chat as T['chat'];
  return counted;
}
