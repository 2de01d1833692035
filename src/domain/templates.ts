/**
 * `{{ path }}` templates in text fields (Jira bodies, Slack messages, input defaults).
 *
 * Deliberately tiny: a tag holds a field path and optionally `| default: "literal"`. No filters,
 * expressions or loops — a runbook is reviewed in a PR, and logic belongs in `if:` conditions where
 * dry-run can explain it. `\{{` writes a literal `{{`.
 */
import { getPath, parsePath } from './paths.ts';

export interface TemplateRef {
  path: string;
  start: number; // offset of the opening `{{` in the template
  end: number; // offset just past the closing `}}`
  default?: string; // the `| default: "x"` literal, when given
}

type Piece = { text: string } | { ref: TemplateRef };

const TAG_BODY = /^\s*([^\s|]+)\s*(?:\|\s*default\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*)?$/;
const ALLOWED = 'allowed: {{ path }} or {{ path | default: "text" }}; write \\{{ for a literal {{';

/** Splits a template into literal text and tags; every problem is reported, none thrown. */
function parseTemplate(tpl: string): { pieces: Piece[]; errors: string[] } {
  const pieces: Piece[] = [];
  const errors: string[] = [];
  let text = '';
  let i = 0;
  while (i < tpl.length) {
    if (tpl.startsWith('\\{{', i)) {
      text += '{{';
      i += 3;
      continue;
    }
    if (!tpl.startsWith('{{', i)) {
      text += tpl[i];
      i += 1;
      continue;
    }
    const close = tpl.indexOf('}}', i + 2);
    if (close < 0) {
      errors.push(`unclosed "{{" at position ${i + 1}: add "}}" or write \\{{ for a literal`);
      text += tpl.slice(i);
      break;
    }
    const raw = tpl.slice(i, close + 2);
    const ref = parseTag(raw, i, close + 2, errors);
    if (ref) {
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ ref });
    } else {
      text += raw; // keep a broken tag visible rather than silently dropping author text
    }
    i = close + 2;
  }
  if (text) pieces.push({ text });
  return { pieces, errors };
}

function parseTag(raw: string, start: number, end: number, errors: string[]): TemplateRef | null {
  const body = raw.slice(2, -2);
  const where = `${JSON.stringify(raw)} at position ${start + 1}`;
  if (body.includes('{{')) {
    errors.push(`${where}: tags cannot be nested; ${ALLOWED}`);
    return null;
  }
  if (body.trim() === '') {
    errors.push(`${where}: empty tag; ${ALLOWED}`);
    return null;
  }
  const m = TAG_BODY.exec(body);
  if (!m) {
    errors.push(`${where}: not understood; ${ALLOWED}`);
    return null;
  }
  const path = m[1] ?? '';
  try {
    parsePath(path);
  } catch (e) {
    errors.push(`${where}: ${(e as Error).message}`);
    return null;
  }
  const ref: TemplateRef = { path, start, end };
  if (m[2] !== undefined) ref.default = m[2].replace(/\\(.)/g, '$1');
  else if (m[3] !== undefined) ref.default = m[3];
  return ref;
}

/** Every `{{ }}` reference, for load-time checks that the paths exist in the runbook's context. */
export function templateRefs(tpl: string): { refs: TemplateRef[]; errors: string[] } {
  const { pieces, errors } = parseTemplate(tpl);
  const refs: TemplateRef[] = [];
  for (const p of pieces) if ('ref' in p) refs.push(p.ref);
  return { refs, errors };
}

export type Escaper = (s: string) => string;

export const escapers: { plain: Escaper; slack: Escaper; json: Escaper; html: Escaper } = {
  plain: (s) => s,
  // Slack mrkdwn: only these three are control characters; escaping them also defuses <!channel>.
  slack: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  // For a value placed inside a JSON string literal: JSON.stringify minus its surrounding quotes.
  json: (s) => JSON.stringify(s).slice(1, -1),
  html: (s) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
};

/** Text for one value; undefined means "missing" (absent or null). */
export function valueToText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map((x) => valueToText(x) ?? '').join(', ');
  try {
    return JSON.stringify(v) ?? undefined;
  } catch {
    return String(v); // cyclic objects: not from YAML/JSON, but never crash a render
  }
}

/**
 * Renders with values from `ctx`, escaping substituted values (and defaults, which land in the same
 * place) for the target. A missing or null value renders as '' or the tag's default and is listed in
 * `missing`; an empty value also falls back to the default. Broken tags stay as written and are
 * listed in `errors` (validate reports them at load time; a render never throws).
 */
export function renderTemplate(
  tpl: string,
  ctx: Record<string, unknown>,
  escape: Escaper = escapers.plain,
): { text: string; missing: string[]; errors: string[] } {
  if (typeof tpl !== 'string') return { text: '', missing: [], errors: ['template is not text'] };
  if (!tpl.includes('{{')) return { text: tpl, missing: [], errors: [] };
  const { pieces, errors } = parseTemplate(tpl);
  const missing: string[] = [];
  let text = '';
  for (const p of pieces) {
    if ('text' in p) {
      text += p.text;
      continue;
    }
    const { found, value } = getPath(ctx, p.ref.path);
    let out = found ? valueToText(value) : undefined;
    if (out === undefined && !missing.includes(p.ref.path)) missing.push(p.ref.path);
    if ((out === undefined || out === '') && p.ref.default !== undefined) out = p.ref.default;
    text += escape(out ?? '');
  }
  return { text, missing, errors };
}
