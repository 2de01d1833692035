/**
 * The install path the README documents for CI (`npx --yes github:ORG/runbook-bot#tag validate …`):
 * npm packs the repository (package.json `files`) and installs the tarball with its production
 * dependencies, then runs the bin from the caller's folder. Reproduced without network: `npm pack`,
 * extract into <tmp>/proj/node_modules/runbook-bot, link only the production dependencies (from
 * package-lock.json) beside it, and run the CLI through node_modules/.bin from another folder.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/tmp.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// npm must not ask the registry anything (update check, audit): tests stay on this machine.
const NPM_ENV = {
  ...process.env,
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

let tmp: { dir: string; cleanup: () => void };
let packed: string[] = [];
let pkgDir = '';
let binLink = '';
let work = '';

before(() => {
  tmp = tempDir('runbook-bot-pack-');
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp.dir], {
    cwd: ROOT,
    env: NPM_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const info = (JSON.parse(out) as { filename: string; files: { path: string }[] }[])[0]!;
  packed = info.files.map((f) => f.path).sort();

  const modules = join(tmp.dir, 'proj', 'node_modules');
  pkgDir = join(modules, 'runbook-bot');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['xzf', join(tmp.dir, info.filename), '-C', pkgDir, '--strip-components=1']);

  // Production dependencies only, hoisted beside the package as npm installs them.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || path.lastIndexOf('node_modules/') !== 0 || entry.dev) continue;
    const name = path.slice('node_modules/'.length);
    if (!existsSync(join(ROOT, path))) continue; // optional packages for other platforms
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, path), join(modules, name), 'dir');
  }
  mkdirSync(join(modules, '.bin'));
  binLink = join(modules, '.bin', 'runbook-bot');
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  symlinkSync(join('..', 'runbook-bot', manifest.bin['runbook-bot']!), binLink);

  // The caller: a manifests repository with no node_modules of its own.
  work = join(tmp.dir, 'manifests-repo');
  cpSync(join(ROOT, 'manifests'), join(work, 'manifests'), { recursive: true });
  cpSync(join(ROOT, 'examples'), join(work, 'incidents'), { recursive: true });
});

after(() => tmp?.cleanup());

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binLink, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('the packed file list has what the CLI needs and no tests, benches or data', () => {
  for (const need of [
    'bin/runbook-bot.js',
    'src/cli/main.ts',
    'src/store/db.ts',
    'schema/manifest.schema.json',
    'README.md',
  ])
    assert.ok(packed.includes(need), `${need} is packed`);
  for (const m of readdirSync(join(ROOT, 'migrations')))
    assert.ok(packed.includes(`migrations/${m}`), `migrations/${m} is packed`);
  const stray = packed.filter(
    (p) =>
      /^(test|bench|data|dist|node_modules|coverage|\.ci)\//.test(p) ||
      /\.db(-wal|-shm)?$/.test(p) ||
      p === '.env',
  );
  assert.deepEqual(stray, [], 'nothing for development only');
  // Everything src/ imports must be packed too: no source file reaches into test/.
  for (const p of packed.filter((f) => f.startsWith('src/') && f.endsWith('.ts'))) {
    const text = readFileSync(join(pkgDir, p), 'utf8');
    assert.doesNotMatch(text, /from '(\.\.\/)+test\//, `${p} imports from test/, which is not packed`);
  }
});

test('validate from another folder: 0 and the summary; a broken manifest: 1 with file:line', async () => {
  const ok = await run(['validate', 'manifests']);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /✓ \d+ file\(s\), 3 runbook\(s\)/);
  assert.match(ok.out, /emergency-rollback \(aliases: rollback\)/);

  mkdirSync(join(work, 'broken'));
  writeFileSync(join(work, 'broken', 'x.yaml'), 'kind: Runbok\nid: x\n');
  const bad = await run(['validate', 'broken']);
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /x\.yaml:1:7 kind: .*Runbook/);
  assert.doesNotMatch(bad.out, /ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
});

test('dry-run from another folder prints what would be sent; exit 0', async () => {
  const r = await run([
    'dry-run',
    'emergency-rollback',
    '--incident',
    'incidents/incident-p1.yaml',
    '--dir',
    'manifests',
  ]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /POST \/pipeline\/api\/pipeline\/execute\/rollback_service/);
  assert.match(r.out, /service = "checkout" +← incident\.service/);
  const usage = await run(['dry-run']);
  assert.equal(usage.code, 2, usage.out);
});

test('migrate uses the packed migrations', async () => {
  const r = await run(['migrate'], { DATABASE_PATH: join(tmp.dir, 'db', 'bot.db') });
  assert.equal(r.code, 0, r.out);
  for (const m of readdirSync(join(ROOT, 'migrations')))
    assert.match(r.out, new RegExp(m.replace(/\.sql$/, '')));
});
