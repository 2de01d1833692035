/**
 * Slack side effects of incidents: the incident channel (created, declarer invited), the pinned
 * summary (posted once, updated on every change). Idempotent by natural keys: a taken channel name
 * gets a suffix, `already_in_channel` and `already_pinned` are fine.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Store, IncidentRecord } from '../store/index.ts';
import type { Catalog } from '../manifests/schema.ts';
import { incidentSummary } from './blocks/index.ts';
import { slackErrorCode } from './client.ts';

/**
 * `inc-42-checkout-returns-500s`, or `test-inc-42-…` for a test incident (the prefix is what people
 * see first in the sidebar and in search). Slack channel names: lowercase, ≤ 80, letters, digits,
 * - and _.
 */
export function channelName(incidentId: string, summary: string, suffix = '', test = false): string {
  const slug = summary
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const base = `${test ? 'test-' : ''}${incidentId.toLowerCase()}${slug ? `-${slug}` : ''}`;
  return `${base.slice(0, 80 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

export async function createIncidentChannel(
  client: WebClient,
  incident: IncidentRecord,
  log: Logger,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const name = channelName(
      incident.id,
      incident.summary,
      attempt ? `-${attempt + 1}` : '',
      incident.test === true,
    );
    try {
      const r = await client.conversations.create({ name, is_private: false });
      return String(r.channel?.id);
    } catch (e) {
      if (slackErrorCode(e) === 'name_taken') continue;
      throw e;
    }
  }
  log.warn({ incident: incident.id }, 'all channel names taken');
  throw new Error(`could not find a free channel name for ${incident.id}`);
}

export async function inviteUsers(client: WebClient, channel: string, users: string[]): Promise<void> {
  const list = [...new Set(users.filter(Boolean))];
  if (!list.length) return;
  try {
    await client.conversations.invite({ channel, users: list.join(',') });
  } catch (e) {
    if (slackErrorCode(e) !== 'already_in_channel') throw e;
  }
}

/** Posts and pins the summary the first time, updates it in place afterwards. */
export async function publishSummary(
  deps: {
    client: WebClient;
    store: Store;
    catalog: () => Catalog;
    now: () => number;
    gateLines?: ((incidentId: string) => string[]) | undefined;
  },
  incident: IncidentRecord,
): Promise<void> {
  if (!incident.channel) return;
  const type = deps.catalog().incidentTypes.get(incident.type) ?? null;
  const msg = incidentSummary(incident, type, deps.now(), deps.gateLines?.(incident.id));
  const existing = deps.store.incidentMessages.get(incident.id);
  if (existing && existing.channel === incident.channel) {
    await deps.client.chat.update({
      channel: existing.channel,
      ts: existing.ts,
      text: msg.text,
      blocks: msg.blocks as never,
    });
    return;
  }
  const r = await deps.client.chat.postMessage({
    channel: incident.channel,
    text: msg.text,
    blocks: msg.blocks as never,
  });
  const ts = String(r.ts);
  deps.store.incidentMessages.set(incident.id, incident.channel, ts);
  try {
    await deps.client.pins.add({ channel: incident.channel, timestamp: ts });
  } catch (e) {
    if (slackErrorCode(e) !== 'already_pinned') throw e;
  }
}

/**
 * Serialises summary publishing per incident: two quick changes must not both find "no pinned
 * message yet" and post two summaries. Failures are logged; the next change tries again.
 */
export function summaryPublisher(deps: {
  client: WebClient;
  store: Store;
  catalog: () => Catalog;
  now: () => number;
  log: Logger;
  /** Deployment gate state for the summary (src/gates). */
  gateLines?: (incidentId: string) => string[];
}) {
  const chains = new Map<string, Promise<void>>();
  return (incidentId: string): Promise<void> => {
    const prev = chains.get(incidentId) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const incident = deps.store.incidents.get(incidentId);
        if (incident?.channel) await publishSummary(deps, incident);
      })
      .catch((e: unknown) =>
        deps.log.warn({ incident: incidentId, err: (e as Error).message }, 'incident summary update failed'),
      );
    chains.set(incidentId, next);
    void next.finally(() => {
      if (chains.get(incidentId) === next) chains.delete(incidentId);
    });
    return next;
  };
}
