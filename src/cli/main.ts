#!/usr/bin/env node
/**
 * runbook-bot CLI: validate, dry-run, migrate, schema, start. Exit codes: 0 ok, 1 invalid input or
 * manifests, 2 usage.
 */
import { resolve } from 'node:path';
import { parseArgs, keyValues } from './args.ts';
import { loadManifests, formatManifestError } from '../manifests/load.ts';
import { findRunbook } from '../manifests/find.ts';
import { writeJsonSchema } from '../manifests/json-schema.ts';
import { readIncidentFile } from './incident-file.ts';
import { dryRun, formatDryRun } from '../engine/dry-run.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createStore } from '../store/index.ts';
import { startApp } from '../app.ts';
import { gracefulShutdown } from '../observability/shutdown.ts';
import { userMessage } from '../errors.ts';
import { importCmd, IMPORT_USAGE } from './import.ts';
import { configDocsCmd, CONFIG_DOCS_USAGE } from './config-docs.ts';
import { validateCmd } from './validate.ts';
import { STEP_STATES, type StepState } from '../domain/types.ts';

const USAGE = `Usage: runbook-bot <command>

  validate [dir]                              check every manifest (default: $MANIFESTS_DIR or ./manifests)
  dry-run <runbook> --incident <file>         show the exact YAML each pipeline step would send,
          [--input name=value]…               which steps would run or be skipped and why, and which
          [--assume step=status]… [--dir d]   triggers would fire. Sends nothing.
          [--test]                            as a test incident: staging pipelines and targets, or skipped
  migrate                                     create or upgrade the database at $DATABASE_PATH
  schema [--out file]                         write the manifest JSON Schema (for editors)
  ${IMPORT_USAGE}
  ${CONFIG_DOCS_USAGE}
  start                                       run the bot (see README.md#configuration)
`;

function manifestsDir(arg?: string): string {
  return resolve(arg ?? process.env.MANIFESTS_DIR ?? './manifests');
}

function dryRunCmd(argv: string[]): number {
  const args = parseArgs(argv, ['test']);
  const words = args.positionals.join(' ');
  const incidentPath = args.flags.get('incident')?.[0];
  if (!words || !incidentPath) {
    console.error(`dry-run needs a runbook and --incident <file>\n\n${USAGE}`);
    return 2;
  }
  const dir = manifestsDir(args.flags.get('dir')?.[0]);
  const { catalog, errors } = loadManifests(dir);
  if (errors.length) {
    for (const e of errors) console.error(formatManifestError(e));
    console.error(`\n✗ fix the ${errors.length} manifest error(s) first (runbook-bot validate)`);
    return 1;
  }
  const found = findRunbook(catalog, words);
  if (!('runbook' in found)) {
    const list = found.candidates.length ? found.candidates : [...catalog.runbooks.values()];
    console.error(
      `${found.candidates.length ? `"${words}" matches several runbooks` : `No runbook matches "${words}"`}: ${list.map((r) => r.id).join(', ')}`,
    );
    return 1;
  }
  const assume = keyValues(args.flags.get('assume') ?? [], 'assume');
  for (const [step, status] of Object.entries(assume)) {
    if (!(STEP_STATES as readonly string[]).includes(status)) {
      console.error(`--assume ${step}=${status}: the status must be one of ${STEP_STATES.join(', ')}`);
      return 2;
    }
  }
  const read = readIncidentFile(incidentPath);
  const testFlag = args.flags.get('test')?.at(-1);
  if (testFlag !== undefined && testFlag !== 'true' && testFlag !== 'false') {
    console.error(`--test takes no value (or --test=true / --test=false), got "${testFlag}"`);
    return 2;
  }
  // --test: the incident as a test incident (`/incident declare --test`), whatever the file says.
  const asTest = testFlag === undefined ? read.incident.test : testFlag === 'true';
  const incident = { ...read.incident, test: asTest === true };
  const previous = read.previous && { ...read.previous, test: incident.test };
  const report = dryRun(found.runbook, incident, {
    inputs: keyValues(args.flags.get('input') ?? [], 'input'),
    assume: assume as Record<string, StepState>,
    ...(previous ? { previous } : {}),
  });
  console.log(formatDryRun(report));
  return report.prepared.problems.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'validate':
      return validateCmd(manifestsDir(rest[0]));
    case 'dry-run':
      return dryRunCmd(rest);
    case 'import':
      return importCmd(rest);
    case 'config-docs':
      return configDocsCmd(rest);
    case 'migrate': {
      const config = loadConfig();
      const store = createStore(config.DATABASE_PATH);
      console.log(
        store.applied.length
          ? `applied: ${store.applied.join(', ')}`
          : `database ${config.DATABASE_PATH} is up to date`,
      );
      store.close();
      return 0;
    }
    case 'schema': {
      const out = parseArgs(rest).flags.get('out')?.[0] ?? 'schema/manifest.schema.json';
      writeJsonSchema(out);
      console.log(`wrote ${out}`);
      return 0;
    }
    case 'start': {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      const app = await startApp(config, log);
      process.on('SIGHUP', () => void app.manifests.reload('SIGHUP'));
      process.once('SIGINT', () => void gracefulShutdown(app, log, 'SIGINT'));
      process.once('SIGTERM', () => void gracefulShutdown(app, log, 'SIGTERM'));
      return -1; // keep running
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${cmd}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    console.error(userMessage(e));
    process.exitCode = 1;
  },
);
