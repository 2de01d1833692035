/** The README configuration reference is generated from configSchema and must not drift from it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../src/config.ts';
import {
  CONFIG_BEGIN,
  CONFIG_END,
  configDocsCmd,
  configSection,
  describeConfig,
  PACKAGE_README,
  renderConfigTable,
  replaceConfigSection,
  undocumentedVars,
} from '../../src/cli/config-docs.ts';
import { tempDir } from '../support/tmp.ts';

test('every variable of configSchema has a .describe() text', () => {
  const missing = undocumentedVars();
  assert.deepEqual(missing, [], `add .describe('…') in src/config.ts to: ${missing.join(', ')}`);
});

test('every key of configSchema has exactly one row in the generated table and in the README', () => {
  const table = renderConfigTable();
  const readme = configSection(readFileSync(PACKAGE_README, 'utf8')) ?? '';
  const keys = Object.keys(configSchema.shape);
  assert.ok(keys.length >= 20, 'the schema has its variables');
  for (const key of keys) {
    const row = new RegExp(`^\\| \`${key}\` \\|`, 'gm');
    assert.equal(table.match(row)?.length, 1, `${key} in the generated table`);
    assert.equal(readme.match(row)?.length, 1, `${key} in README.md (run npm run docs:config)`);
  }
  assert.equal(table.split('\n').length, keys.length + 2, 'no rows for anything else');
});

test('the README table is the generated one', () => {
  const readme = readFileSync(PACKAGE_README, 'utf8');
  const section = configSection(readme);
  assert.ok(section !== undefined, `README.md has lost the ${CONFIG_BEGIN} / ${CONFIG_END} markers`);
  assert.equal(
    section,
    renderConfigTable(),
    'README.md configuration table differs from src/config.ts: run `npm run docs:config` (runbook-bot config-docs) and commit README.md',
  );
});

test('defaults are what the schema yields for an unset variable; enums and ranges are listed', () => {
  const docs = new Map(describeConfig().map((d) => [d.name, d]));
  const parsed = configSchema.parse({});
  for (const [name, d] of docs) {
    const value = (parsed as Record<string, unknown>)[name];
    assert.equal(d.default, value === undefined ? '—' : `\`${String(value)}\``, name);
  }
  assert.match(docs.get('LOG_LEVEL')!.allowed, /^one of `fatal`, .*`silent`$/);
  assert.equal(docs.get('PORT')!.allowed, 'integer 0–65535');
});

test('a made-up schema: new variables appear by themselves; a missing description is named', () => {
  const schema = z.object({
    A_MODE: z.enum(['x', 'y']).default('y').describe('mode | with a pipe'),
    B_COUNT: z.coerce.number().int().min(2).optional().describe('count'),
    C_NEEDED: z.string().describe('required\nthing'),
    D_FLAG: z.coerce.boolean().default(false).describe('flag'),
    E_PLAIN: z.string().optional(),
  });
  assert.deepEqual(undocumentedVars(schema), ['E_PLAIN']);
  assert.throws(() => renderConfigTable(schema), /without \.describe\(\).*E_PLAIN/);
  const documented = schema.omit({ E_PLAIN: true });
  assert.equal(
    renderConfigTable(documented),
    [
      '| variable | default | meaning |',
      '|---|---|---|',
      '| `A_MODE` | `y` | mode \\| with a pipe (one of `x`, `y`) |',
      '| `B_COUNT` | — | count (integer ≥ 2) |',
      '| `C_NEEDED` | required | required thing |',
      '| `D_FLAG` | `false` | flag (`true` or `false`) |',
    ].join('\n'),
  );
});

test('replaceConfigSection keeps everything outside the markers and is idempotent; no markers is an error', () => {
  const readme = `# T\n\nintro\n\n${CONFIG_BEGIN}\n| old |\n${CONFIG_END}\n\nafter\n`;
  const once = replaceConfigSection(readme, '| new |');
  assert.equal(once, `# T\n\nintro\n\n${CONFIG_BEGIN}\n| new |\n${CONFIG_END}\n\nafter\n`);
  assert.equal(replaceConfigSection(once, '| new |'), once);
  assert.throws(() => replaceConfigSection('# no markers', '| x |'), /needs the markers/);
  assert.throws(() => replaceConfigSection(`${CONFIG_END}\n${CONFIG_BEGIN}`, '| x |'), /in this order/);
});

test('config-docs --check fails on a stale README and names the command; without --check it rewrites it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'README.md');
    writeFileSync(file, `# x\n\n${CONFIG_BEGIN}\n| stale |\n${CONFIG_END}\n`);
    const out: string[] = [];
    const err: string[] = [];
    const run = (argv: string[]) =>
      configDocsCmd(
        argv,
        (l) => out.push(l),
        (l) => err.push(l),
      );
    assert.equal(run(['--check', '--readme', file]), 1);
    assert.match(err.join('\n'), /differs from src\/config\.ts; run `npm run docs:config`/);
    assert.match(readFileSync(file, 'utf8'), /\| stale \|/, '--check writes nothing');
    assert.equal(run(['--readme', file]), 0);
    assert.equal(configSection(readFileSync(file, 'utf8')), renderConfigTable());
    assert.equal(run(['--check', '--readme', file]), 0);
    assert.match(out.join('\n'), /up to date/);
    writeFileSync(file, '# no markers\n');
    assert.equal(run(['--readme', file]), 1);
    assert.match(err.at(-1)!, /needs the markers/);
  } finally {
    cleanup();
  }
});
