/**
 * For tests that run the real bot process on a SQLite file and kill it (restart, crash loop):
 * the environment it starts with, and rollback runs recorded in a fresh database the way requests
 * would record them (no scheduler here: the bot process runs them).
 */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { HarnessFake } from '../fakes/harness-fake.ts';
import type { SlackFake } from '../fakes/slack-fake.ts';
import { setupEngine, runbookFromYaml, ROLLBACK_YAML } from './engine-setup.ts';
import { tempDir } from './tmp.ts';

export function botEnv(
  dir: string,
  fake: HarnessFake,
  slack: SlackFake,
  signingSecret = 'bot-on-disk-secret',
) {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    DATABASE_PATH: join(dir, 'bot.db'),
    MANIFESTS_DIR: join(dir, 'manifests'),
    HARNESS_BASE_URL: fake.url,
    HARNESS_API_KEY: fake.apiKey,
    HARNESS_ACCOUNT_ID: fake.accountId,
    POLL_INTERVAL_MS: '100',
  };
}

/** `n` rollback runs of one P1 incident in a fresh temp folder (manifests + bot.db). */
export async function prepareRollbackRuns(fake: HarnessFake, n: number) {
  const tmp = tempDir();
  mkdirSync(join(tmp.dir, 'manifests'));
  writeFileSync(join(tmp.dir, 'manifests', 'rollback.yaml'), ROLLBACK_YAML);
  const s = await setupEngine([runbookFromYaml(ROLLBACK_YAML)], { fake, dir: tmp.dir });
  s.clock.t = Date.now();
  const inc = s.store.tx(() =>
    s.store.incidents.insert(
      {
        summary: 'Checkout down',
        severity: 'P1',
        status: 'investigating',
        service: 'checkout',
        environment: 'prod',
        type: 'any',
        commander: null,
        channel: 'C1',
        fields: {},
      },
      Date.now(),
    ),
  );
  const runIds = Array.from(
    { length: n },
    () => s.engine.startRun({ runbookId: 'rollback', incidentId: inc.id, requester: 'U1' }).id,
  );
  s.store.close();
  return { tmp, runIds, incidentId: inc.id };
}
