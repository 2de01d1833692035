/**
 * Identities shared by the Slack fake and the signed-request helpers, so a payload built from the
 * fixtures (team T111, app A111, user W111, channel C111) lands in a workspace the fake knows.
 */

export const TEAM_ID = 'T111';
export const TEAM_NAME = 'Fake Workspace';
export const TEAM_URL = 'https://fake-workspace.slack.com/';
export const APP_ID = 'A111';
export const BOT_ID = 'B0RUNBOOK';
export const BOT_USER_ID = 'U0RUNBOOK';
export const BOT_NAME = 'runbook-bot';
export const BOT_TOKEN = 'xoxb-111-222-fakebottoken';

/**
 * Exactly the bot scopes of slack-app-manifest.yml (test/unit/slack-manifest.test.ts checks both
 * agree). The fake refuses a method whose scope is missing (`missing_scope`), so a listener that
 * needs a scope the manifest does not request fails in tests, not in a real workspace.
 */
export const MANIFEST_BOT_SCOPES: readonly string[] = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:manage',
  'groups:write',
  'channels:read',
  'groups:read',
  'pins:write',
  'users:read',
  'usergroups:read',
];

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
