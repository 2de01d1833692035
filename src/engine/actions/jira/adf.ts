/**
 * Plain text → Atlassian Document Format, the body format of Jira Cloud REST v3 comments
 * (developer.atlassian.com/cloud/jira/platform/apis/document/structure/). A plain string body is
 * refused by v3 with 400 "Comment body is not valid!". Blank lines split paragraphs, single newlines
 * become hardBreak nodes, http(s) URLs become link-marked text. ADF refuses empty text nodes, so none
 * are produced.
 */

export interface AdfMark {
  type: string;
  attrs?: Record<string, unknown>;
}
export interface AdfNode {
  type: string;
  text?: string;
  marks?: AdfMark[];
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
}
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

const URL_RE = /https?:\/\/[^\s<>"]+/g;
// Sentence punctuation right after a URL is almost never part of it.
const TRAILING = /[.,;:!?)\]']+$/;

function lineNodes(line: string): AdfNode[] {
  const out: AdfNode[] = [];
  const push = (text: string, href?: string) => {
    if (!text) return;
    out.push(
      href ? { type: 'text', text, marks: [{ type: 'link', attrs: { href } }] } : { type: 'text', text },
    );
  };
  let last = 0;
  for (const m of line.matchAll(URL_RE)) {
    const start = m.index ?? 0;
    const raw = m[0];
    const url = raw.replace(TRAILING, '');
    push(line.slice(last, start));
    push(url, url);
    last = start + url.length;
  }
  push(line.slice(last));
  return out;
}

function paragraph(text: string): AdfNode | null {
  const content: AdfNode[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) content.push({ type: 'hardBreak' });
    content.push(...lineNodes(line));
  });
  while (content[0]?.type === 'hardBreak') content.shift();
  while (content[content.length - 1]?.type === 'hardBreak') content.pop();
  return content.length ? { type: 'paragraph', content } : null;
}

/** The document for `text`, with `marker` as a last, italic paragraph when given. */
export function textToAdf(text: string, marker?: string): AdfDoc {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => paragraph(p.replace(/^\n+|\n+$/g, '')))
    .filter((p): p is AdfNode => p !== null);
  if (marker)
    paragraphs.push({
      type: 'paragraph',
      content: [{ type: 'text', text: marker, marks: [{ type: 'em' }] }],
    });
  return { type: 'doc', version: 1, content: paragraphs };
}

/** All text of a document (paragraphs and hard breaks as newlines), to find a marker in comments. */
export function adfText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const n = node as AdfNode;
  if (n.type === 'hardBreak') return '\n';
  const own = typeof n.text === 'string' ? n.text : '';
  const inner = Array.isArray(n.content) ? n.content.map(adfText).join('') : '';
  return own + inner + (n.type === 'paragraph' || n.type === 'heading' ? '\n' : '');
}
