/**
 * `runbook-bot import --org O --project P --pipeline X [--id my-runbook] [--out file] [--force]
 * [--branch b] [--dir manifests]`: fetch the pipeline's runtime-input template from Harness, write
 * a runbook with every placeholder bound, and validate it beside the existing manifests (so an id
 * clash or an unknown incident type shows up now, not at start-up). Exit 0 valid, 1 invalid or
 * Harness refused, 2 usage.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from './args.ts';
import { createInputTemplateReader } from '../harness/input-template.ts';
import { runbookFromTemplate } from '../manifests/import-runbook.ts';
import { loadManifestTexts, type ManifestFile } from '../manifests/load-texts.ts';
import { formatManifestError } from '../manifests/load.ts';
import { userMessage } from '../errors.ts';

export const IMPORT_USAGE = `import --org O --project P --pipeline X     write a runbook for a Harness pipeline from its
          [--id my-runbook] [--out file]      runtime-input template (every <+input> bound) and
          [--branch b] [--dir d] [--force]    validate it; needs HARNESS_API_KEY, HARNESS_ACCOUNT_ID`;

type Env = Record<string, string | undefined>;

function manifestFiles(dir: string, skip: string): ManifestFile[] {
  if (!existsSync(dir)) return [];
  const out: ManifestFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name) && resolve(p) !== skip)
        out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

export async function importCmd(argv: string[], env: Env = process.env): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['force']);
  } catch (e) {
    console.error(`${(e as Error).message}\n\nUsage: runbook-bot ${IMPORT_USAGE}`);
    return 2;
  }
  const flag = (n: string) => args.flags.get(n)?.[0];
  const [org, project, pipeline] = [flag('org'), flag('project'), flag('pipeline')];
  const missing = ['org', 'project', 'pipeline'].filter((n) => !flag(n));
  if (missing.length) {
    console.error(
      `import needs ${missing.map((m) => `--${m}`).join(', ')}\n\nUsage: runbook-bot ${IMPORT_USAGE}`,
    );
    return 2;
  }
  const id = flag('id');
  if (id !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    console.error(`--id "${id}": a runbook id is lower-case letters, digits and - (e.g. rollback-checkout)`);
    return 2;
  }
  const needed = ['HARNESS_API_KEY', 'HARNESS_ACCOUNT_ID'].filter((v) => !env[v]);
  if (needed.length) {
    console.error(
      `import reads the pipeline from Harness: set ${needed.join(' and ')} (see README.md#harness-setup)`,
    );
    return 1;
  }
  const out = flag('out');
  if (out && existsSync(out) && !args.flags.has('force')) {
    console.error(`${out} exists; choose another --out or add --force to replace it`);
    return 1;
  }

  let template;
  try {
    const read = createInputTemplateReader({
      baseUrl: env.HARNESS_BASE_URL ?? 'https://app.harness.io/gateway',
      uiUrl: env.HARNESS_UI_URL ?? 'https://app.harness.io',
      apiKey: env.HARNESS_API_KEY!,
      accountId: env.HARNESS_ACCOUNT_ID!,
    });
    template = await read({
      org: org!,
      project: project!,
      pipeline: pipeline!,
      ...(flag('branch') ? { branch: flag('branch')! } : {}),
    });
  } catch (e) {
    console.error(`Could not read the pipeline's runtime inputs: ${userMessage(e)}`);
    return 1;
  }

  const result = runbookFromTemplate({
    org: org!,
    project: project!,
    pipeline: pipeline!,
    template: template.yaml,
    ...(id ? { id } : {}),
  });
  const path = out ? resolve(out) : `(stdout) ${result.id}.yaml`;
  if (out) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, result.yaml);
  } else {
    process.stdout.write(result.yaml);
  }
  // Progress and findings go to stderr so `import > file.yaml` stays a clean manifest.
  const log = (s: string) => console.error(s);
  log(`${out ? `wrote ${out}` : 'runbook above'}: ${result.id}, pipeline ${org}/${project}/${pipeline}`);
  if (!template.yaml) log('  the pipeline has no runtime inputs: it runs as saved');
  for (const b of result.bindings) log(`  ${b.bindKey} ← ${b.source}`);
  if (template.hasInputSets)
    log('  note: the pipeline has saved input sets; the runbook sends its own values instead');

  const dir = resolve(flag('dir') ?? env.MANIFESTS_DIR ?? './manifests');
  const loaded = loadManifestTexts([...manifestFiles(dir, path), { path, text: result.yaml }]);
  const mine = loaded.errors.filter((e) => e.file === path);
  for (const p of result.problems) log(`  template: ${p}`);
  if (mine.length) {
    for (const e of mine) log(formatManifestError(e));
    log(`✗ ${mine.length} error(s) in the imported runbook (checked with the manifests in ${dir})`);
    return 1;
  }
  log(
    `✓ valid (checked with the manifests in ${dir}); try: runbook-bot dry-run ${result.id} --incident examples/incident-p1.yaml${out ? '' : ' after saving it'}`,
  );
  return 0;
}
