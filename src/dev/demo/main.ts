/**
 * `npm run demo` — the whole story with no Slack workspace and no Harness account: the real app
 * against loopback stand-ins, an alert → approval → pipeline → follow-ups → resolve, then the
 * channel as a person would see it. `npm run demo -- --interactive` hands the keyboard to you.
 */
import { startDemoWorld } from './world.ts';
import { playScenario, channelTranscript } from './scenario.ts';
import { runInteractive } from './interactive.ts';

const USAGE = `usage: npm run demo [-- --interactive] [-- --dir <folder>]
  (no flags)     play the scripted incident and print the channel
  --interactive  start the same world and type /runbook … and /incident … yourself
  --dir <folder> keep the SQLite file and manifests there (default: a new temp folder)`;

function parseArgs(argv: string[]): { interactive: boolean; dir?: string } {
  const out: { interactive: boolean; dir?: string } = { interactive: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--interactive' || a === '-i') out.interactive = true;
    else if (a === '--dir' && argv[i + 1]) out.dir = argv[++i]!;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`Unknown option "${a}".\n${USAGE}`);
      process.exit(2);
    }
  }
  return out;
}

export function inspectHints(dbPath: string): string[] {
  return [
    `SQLite file: ${dbPath}`,
    'Inspect it with the sqlite3 shell, e.g.:',
    `  sqlite3 ${dbPath} "SELECT id, runbook_id, state, trigger, requester, approver FROM runs"`,
    `  sqlite3 ${dbPath} "SELECT datetime(at/1000,'unixepoch'), kind, text FROM timeline_events ORDER BY id"`,
    'or without sqlite3 installed:',
    `  node -e "const D=require('better-sqlite3');console.table(new D(process.argv[1]).prepare('SELECT id, runbook_id, state FROM runs').all())" ${dbPath}`,
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  console.log(
    'runbook-bot demo: starting the real app with loopback Slack, Harness, Jira and status-page stand-ins…',
  );
  const world = await startDemoWorld(args.dir ? { dir: args.dir } : {});
  console.log(
    `  app on ${world.url} (POST /slack/events, /api/*), Slack stand-in ${world.slack.url}, Harness stand-in ${world.harness.url}\n`,
  );
  try {
    if (args.interactive) {
      await runInteractive(world);
    } else {
      await playScenario(world, (l) => console.log(l));
      console.log('\nThe channel, as a person sees it (times UTC):\n');
      console.log(channelTranscript(world).join('\n'));
      console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    }
  } finally {
    await world.stop();
  }
  console.log(inspectHints(world.dbPath).join('\n'));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
