/** What the incident API is built from (the app wires the real ones; tests pass real ones too). */
import type { Logger } from 'pino';
import type { IncidentService } from '../../incidents/service.ts';
import type { IncidentRecord, Store } from '../../store/index.ts';
import type { Clock } from '../../engine/ports.ts';

/**
 * Called once for every incident the API creates, after it is declared. Returns the channel to
 * record on the incident (stored through the incident service) or null to leave it as it is. The
 * incident's `channel` is already set when the request named one; the hook decides what to do then.
 */
export type SetupChannel = (incident: IncidentRecord) => Promise<string | null> | string | null;

export interface ApiDeps {
  incidents: IncidentService;
  store: Store;
  /** API_TOKEN; unset or empty turns the API off (every `/api/*` answers 404). */
  apiToken: string | undefined;
  setupChannel?: SetupChannel | undefined;
  clock: Clock;
  log: Logger;
  /** Link returned as `url` for an incident's channel; default: Slack's app_redirect link. */
  channelUrl?: ((channel: string) => string) | undefined;
  /** Request body limit in bytes; default 64 KiB. */
  bodyLimit?: number | undefined;
}

export const API_ACTOR = 'api';
export const ALERTMANAGER_ACTOR = 'alertmanager';

export function defaultChannelUrl(channel: string): string {
  return `https://slack.com/app_redirect?channel=${encodeURIComponent(channel)}`;
}
