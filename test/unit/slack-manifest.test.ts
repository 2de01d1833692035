import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { MANIFEST_BOT_SCOPES } from '../fakes/slack-fake-ids.ts';

// slack-app-manifest.yml must be accepted by Slack's own manifest JSON Schema (slackapi/manifest-schema,
// copied to test/fixtures/slack/) and ask for exactly the scopes the bot uses.

type Json = Record<string, unknown>;
const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const fixture = (name: string) => JSON.parse(read(`../fixtures/slack/${name}`)) as Json;
const manifest = () => parse(read('../../slack-app-manifest.yml')) as Json;
const URL_OF_THE_BOT = 'https://YOUR-HOST/slack/events';
const EXPECTED_SCOPES = [
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

function validator() {
  // Not strict: Slack's schema has loose spots ajv's strict mode rejects (minItems on a string
  // item, a `_note` comment keyword), like the draft-07 validators Slack tests it with.
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema checks background_color with a non-standard `regex` keyword; enforce it as a pattern.
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    validate: (re: string, data: string) => new RegExp(re).test(data),
  });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  return ajv.compile(fixture('manifest-schema__schemas_manifest.schema.1.0.0.json'));
}

const problems = (validate: ReturnType<typeof validator>, doc: unknown): string[] =>
  validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);

test("Slack's schema accepts its valid example and refuses its invalid one", () => {
  const validate = validator();
  assert.deepEqual(
    problems(validate, fixture('manifest-schema__tests_manifests_v1_manifest.valid.json')),
    [],
  );
  const bad = problems(validate, fixture('manifest-schema__tests_manifests_v1_manifest.invalid.json'));
  assert.deepEqual(bad, ['/settings must NOT have additional properties']);
});

test('slack-app-manifest.yml validates against the schema', () => {
  assert.deepEqual(problems(validator(), manifest()), []);
});

test('the schema would catch our mistakes: a command without "/", a bad colour, an unknown key', () => {
  const validate = validator();
  const m = manifest();
  const features = m.features as { slash_commands: Json[] };
  features.slash_commands[0]!.command = 'runbook';
  (m.display_information as Json).background_color = 'navy';
  (m.settings as Json).socket_mode = false;
  const found = problems(validate, m);
  assert.ok(
    found.some((p) => p.startsWith('/features/slash_commands/0/command must match pattern')),
    found.join('\n'),
  );
  assert.ok(
    found.some((p) => p.startsWith('/display_information/background_color must pass "regex"')),
    found.join('\n'),
  );
  assert.ok(found.includes('/settings must NOT have additional properties'), found.join('\n'));
});

test('bot scopes are exactly the ones the bot uses, and the Slack fake grants the same', () => {
  const scopes = ((manifest().oauth_config as Json).scopes as { bot: string[]; user?: unknown }).bot;
  assert.deepEqual([...scopes].sort(), [...EXPECTED_SCOPES].sort());
  assert.equal(new Set(scopes).size, scopes.length, 'no duplicates');
  assert.ok(!scopes.includes('im:write'), 'the bot opens no DMs');
  assert.deepEqual([...MANIFEST_BOT_SCOPES].sort(), [...EXPECTED_SCOPES].sort());
  assert.equal(((manifest().oauth_config as Json).scopes as Json).user, undefined, 'no user scopes');
});

test('commands, App Home, event and interactivity all point at /slack/events over HTTP', () => {
  const m = manifest() as {
    display_information: { name: string; description: string };
    features: { app_home: Json; bot_user: Json; slash_commands: Json[] };
    settings: { event_subscriptions: Json; interactivity: Json; socket_mode_enabled: boolean };
  };
  assert.ok(m.display_information.name && m.display_information.description);
  assert.equal(m.features.bot_user.display_name, 'runbook-bot');
  assert.equal(m.features.app_home.home_tab_enabled, true);
  const commands = m.features.slash_commands;
  assert.deepEqual(
    commands.map((c) => c.command),
    ['/runbook', '/incident'],
  );
  for (const c of commands) {
    assert.ok(
      typeof c.description === 'string' && c.description.length > 0,
      `${String(c.command)} description`,
    );
    assert.ok(typeof c.usage_hint === 'string' && c.usage_hint.length > 0, `${String(c.command)} usage hint`);
    assert.equal(c.url, URL_OF_THE_BOT);
  }
  assert.deepEqual(m.settings.event_subscriptions, {
    request_url: URL_OF_THE_BOT,
    bot_events: ['app_home_opened'],
  });
  assert.equal(m.settings.interactivity.is_enabled, true);
  assert.equal(m.settings.interactivity.request_url, URL_OF_THE_BOT);
  assert.equal(m.settings.interactivity.message_menu_options_url, URL_OF_THE_BOT);
  assert.equal(m.settings.socket_mode_enabled, false);
});
