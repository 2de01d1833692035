/**
 * The README's configuration reference, generated from `configSchema` so it cannot drift: one row
 * per variable with its default (what the schema yields when the variable is unset), what the
 * schema allows (enum values, integer ranges) and its `.describe()` text. `runbook-bot config-docs`
 * (npm run docs:config) rewrites the README between the markers; `--check` only compares, for CI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { configSchema } from '../config.ts';
import { parseArgs } from './args.ts';

export const CONFIG_BEGIN = '<!-- config:begin -->';
export const CONFIG_END = '<!-- config:end -->';
export const CONFIG_DOCS_COMMAND = 'npm run docs:config';
export const CONFIG_DOCS_USAGE =
  'config-docs [--check] [--readme file]       rewrite the README configuration table from the config schema';

/** The part of a zod 4 schema we read; `_zod.def` is zod's public introspection surface. */
interface Inspectable {
  description?: string | undefined;
  safeParse(v: unknown): { success: true; data: unknown } | { success: false };
  _zod: { def: Record<string, unknown> & { type: string } };
}
type ObjectSchema = z.ZodObject<Record<string, z.ZodType>>;

export interface ConfigVarDoc {
  name: string;
  /** Markdown for the default column: the value when unset, `—` for none, `required`. */
  default: string;
  /** What the schema allows beyond "text", e.g. "one of `a`, `b`" or "integer 1–5000"; '' when nothing. */
  allowed: string;
  /** The `.describe()` text; undefined when the variable has none (the test names it). */
  meaning: string | undefined;
}

const code = (v: unknown): string => `\`${String(v)}\``;

/** Down through pipes (transforms), defaults and optionals to the schema that checks the raw value. */
function baseOf(schema: Inspectable): Inspectable {
  let cur = schema;
  for (let i = 0; i < 20; i++) {
    const def = cur._zod.def;
    const next = def.type === 'pipe' ? def['in'] : def['innerType'];
    if (!next) break;
    cur = next as Inspectable;
  }
  return cur;
}

function allowedOf(schema: Inspectable): string {
  const base = baseOf(schema) as Inspectable & {
    options?: unknown[];
    minValue?: number | null;
    maxValue?: number | null;
    isInt?: boolean;
  };
  const def = base._zod.def;
  if (def.type === 'enum' || def.type === 'literal') {
    const values =
      def.type === 'enum' ? (base.options ?? []) : ((def['values'] as unknown[] | undefined) ?? []);
    return `one of ${values.map(code).join(', ')}`;
  }
  if (def.type === 'boolean') return `${code('true')} or ${code('false')}`;
  if (def.type === 'number') {
    const kind = base.isInt ? 'integer' : 'number';
    const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
    const lo = base.minValue;
    const hi = base.maxValue;
    // zod reports the safe-integer bounds for plain .int(); only ranges someone chose are worth printing.
    const chosen = (n: number | null | undefined): n is number =>
      finite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;
    if (chosen(lo) && chosen(hi)) return `${kind} ${lo}–${hi}`;
    if (chosen(lo)) return `${kind} ≥ ${lo}`;
    if (chosen(hi)) return `${kind} ≤ ${hi}`;
    return kind;
  }
  return '';
}

function defaultOf(schema: Inspectable): string {
  const r = schema.safeParse(undefined);
  if (!r.success) return 'required';
  return r.data === undefined ? '—' : code(r.data);
}

/** One entry per key of the schema, in declaration order (new variables appear by themselves). */
export function describeConfig(
  schema: ObjectSchema = configSchema as unknown as ObjectSchema,
): ConfigVarDoc[] {
  return Object.entries(schema.shape).map(([name, s]) => {
    const field = s as unknown as Inspectable;
    const meaning = field.description?.trim();
    return { name, default: defaultOf(field), allowed: allowedOf(field), meaning: meaning || undefined };
  });
}

/** Names of variables without a `.describe()` text. */
export function undocumentedVars(schema?: ObjectSchema): string[] {
  return describeConfig(schema)
    .filter((d) => !d.meaning)
    .map((d) => d.name);
}

const cell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** The markdown table; throws naming every variable that has no description. */
export function renderConfigTable(schema?: ObjectSchema): string {
  const docs = describeConfig(schema);
  const missing = docs.filter((d) => !d.meaning).map((d) => d.name);
  if (missing.length)
    throw new Error(`config variable(s) without .describe() in src/config.ts: ${missing.join(', ')}`);
  const rows = docs.map((d) => {
    const meaning = d.allowed ? `${d.meaning} (${d.allowed})` : d.meaning!;
    return `| ${code(d.name)} | ${cell(d.default)} | ${cell(meaning)} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** `readme` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function replaceConfigSection(readme: string, table: string): string {
  const begin = readme.indexOf(CONFIG_BEGIN);
  const end = readme.indexOf(CONFIG_END);
  if (begin < 0 || end < begin)
    throw new Error(
      `the README needs the markers ${CONFIG_BEGIN} and ${CONFIG_END}, in this order, around the configuration table`,
    );
  return `${readme.slice(0, begin + CONFIG_BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}

/** The text between the markers (trimmed), or undefined without them. */
export function configSection(readme: string): string | undefined {
  const begin = readme.indexOf(CONFIG_BEGIN);
  const end = readme.indexOf(CONFIG_END);
  if (begin < 0 || end < begin) return undefined;
  return readme.slice(begin + CONFIG_BEGIN.length, end).trim();
}

export const PACKAGE_README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

/** `config-docs [--check] [--readme file]`: 0 up to date / rewritten, 1 stale (with --check) or broken. */
export function configDocsCmd(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): number {
  const args = parseArgs(argv, ['check']);
  const file = resolve(args.flags.get('readme')?.[0] ?? PACKAGE_README);
  const check = args.flags.has('check');
  let readme: string;
  try {
    readme = readFileSync(file, 'utf8');
  } catch (e) {
    err(`cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  let next: string;
  try {
    next = replaceConfigSection(readme, renderConfigTable());
  } catch (e) {
    err(`${file}: ${(e as Error).message}`);
    return 1;
  }
  if (next === readme) {
    out(`${file}: configuration table is up to date`);
    return 0;
  }
  if (check) {
    err(`${file}: the configuration table differs from src/config.ts; run \`${CONFIG_DOCS_COMMAND}\``);
    return 1;
  }
  writeFileSync(file, next);
  out(`${file}: configuration table rewritten from src/config.ts`);
  return 0;
}
