/**
 * Substitutes values into the Run-YAML on its syntax tree, never in the text. Each placeholder
 * scalar's own CST token is replaced by a double-quoted scalar, so a value such as
 * `prod\nfoo: bar` or `"]; x: <+input>` stays one string, and every other byte — comments,
 * indentation, quoting, other Harness expressions, `${TF_VARS}` — is left exactly as pasted.
 * (Re-serialising the whole Document would also be "on the tree" but reflows and re-indents.)
 */
import { CST, Composer, Parser, parseDocument } from 'yaml';
import { AppError } from '../../errors.ts';
import { scanPlaceholder } from './modifier-scanner.ts';
import { formatPath, walkValues } from './yaml-tree.ts';
import { joinManyValues } from './arg-lists.ts';
import { toDoubleQuoted } from './yaml-string.ts';

/** Replaces the placeholders at the given full paths; values are already validated. */
export function renderRunYaml(text: string, values: Map<string, string | string[]>): string {
  if (values.size === 0) return text;
  const tokens = [...new Parser().parse(text)];
  const docs = [...new Composer({ keepSourceTokens: true }).compose(tokens)];
  const doc = docs[0];
  if (docs.length !== 1 || doc === undefined || doc.errors.length > 0) {
    const why =
      docs.length > 1
        ? 'it holds several YAML documents'
        : (doc?.errors[0]?.message.split('\n')[0] ?? 'it is empty');
    throw new AppError('INPUT_INVALID', `Cannot fill in the Run-YAML: ${why}`);
  }

  const pending = new Set(values.keys());
  const problems: string[] = [];
  const written = new Map<string, string>();
  walkValues(doc.contents, ({ node, segments }) => {
    const path = formatPath(segments);
    const value = values.get(path);
    if (value === undefined) return;
    pending.delete(path);
    const token = node.srcToken;
    if (
      typeof node.value !== 'string' ||
      scanPlaceholder(node.value).kind !== 'placeholder' ||
      token === undefined
    ) {
      problems.push(`${path} is not a runtime input`);
      return;
    }
    // setScalarValue turns any scalar token (plain, quoted or block) into a double-quoted one
    // and fixes up its surroundings; the text is then our own one-line encoding.
    const text = Array.isArray(value) ? joinManyValues(value) : value;
    CST.setScalarValue(token, '', { type: 'QUOTE_DOUBLE' });
    (token as CST.FlowScalar).source = toDoubleQuoted(text);
    written.set(path, text);
  });
  for (const path of pending) problems.push(`${path} names no place in the Run-YAML`);
  if (problems.length > 0)
    throw new AppError('INPUT_INVALID', `Cannot fill in the Run-YAML: ${problems.join('; ')}`);
  const out = tokens.map((t) => CST.stringify(t)).join('');
  assertWritten(out, written);
  return out;
}

/** Belt and braces: what is sent must read back with every substituted leaf exactly as meant. */
function assertWritten(out: string, written: ReadonlyMap<string, string>): void {
  const check = parseDocument(out);
  const seen = new Map<string, unknown>();
  walkValues(check.contents, ({ node, segments }) => {
    const path = formatPath(segments);
    if (written.has(path)) seen.set(path, node.value);
  });
  const wrong = [...written].filter(([path, text]) => seen.get(path) !== text).map(([path]) => path);
  if (check.errors.length > 0 || wrong.length > 0) {
    const where = wrong.join(', ') || (check.errors[0]?.message ?? '');
    throw new AppError(
      'INTERNAL',
      `Filling in the Run-YAML produced YAML that does not read back as written (${where}); nothing was sent`,
    );
  }
}
