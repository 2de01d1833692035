/**
 * Identities shared by the Slack fake and the signed-request helpers, so a payload built from the
 * fixtures (team T111, app A111, user W111, channel C111) lands in a workspace the fake knows.
 */

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const TEAM_ID = 'T111';
export const TEAM_NAME = 'Fake Workspace';
export const TEAM_URL = 'https://fake-workspace.slack.com/';
export const APP_ID = 'A111';
export const BOT_ID = 'B0RUNBOOK';
export const BOT_USER_ID = 'U0RUNBOOK';
export const BOT_NAME = 'runbook-bot';
export const BOT_TOKEN = 'xoxb-111-222-fakebottoken';

/**
 * The bot scopes slack-app-manifest.yml requests, read from it (so the fake cannot drift from the
 * manifest; test/unit/slack-manifest.test.ts pins the list itself). The fake refuses a method whose
 * scope is missing (`missing_scope`), so a listener that needs a scope the manifest does not
 * request fails in tests, not in a real workspace.
 */
export const MANIFEST_BOT_SCOPES: readonly string[] = (() => {
  const manifest = parse(readFileSync(new URL('../../slack-app-manifest.yml', import.meta.url), 'utf8')) as {
    oauth_config?: { scopes?: { bot?: unknown } };
  };
  const bot = manifest.oauth_config?.scopes?.bot;
  if (!Array.isArray(bot) || bot.some((x) => typeof x !== 'string'))
    throw new Error('slack-app-manifest.yml: oauth_config.scopes.bot must be a list of scope names');
  return bot as string[];
})();

/** Users of the payload fixtures (W111 sends the fixture commands) plus two responders. */
export const DEFAULT_USERS = [
  { id: 'W111', name: 'primary-owner', real_name: 'Primary Owner' },
  { id: 'U111', name: 'alice', real_name: 'Alice Responder' },
  { id: 'U222', name: 'bob', real_name: 'Bob Commander' },
] as const;

/** C111 is the channel of the slash-command fixture. */
export const DEFAULT_CHANNELS = [
  { id: 'C111', name: 'random' },
  { id: 'C222', name: 'general' },
] as const;
