/**
 * Writes a value as a one-line YAML double-quoted scalar. Substituted values are always quoted:
 * Harness's Run-modal YAML quotes its strings too, and Harness reads YAML 1.1 (SnakeYAML), where
 * plain `yes`, `on`, `2024-01-01` or `0x1F` would stop being strings.
 *
 * Everything outside printable ASCII that YAML 1.1 or 1.2 could read differently is escaped:
 * C0/C1 controls, DEL, NEL/LS/PS (line breaks in YAML 1.1), BOM, lone surrogates, U+FFFE/FFFF.
 * Astral characters (emoji) are written as `\U…` because older SnakeYAML rejects them raw.
 * One line means indentation can never matter, whatever the surrounding block looks like.
 */
const NAMED: Record<string, string> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\x85': '\\N',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

export function toDoubleQuoted(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = value.charCodeAt(i);
    const named = NAMED[ch];
    if (named !== undefined) {
      out += named;
    } else if (code >= 0xd800 && code <= 0xdbff && isLow(value.charCodeAt(i + 1))) {
      const cp = value.codePointAt(i) as number;
      out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
      i++;
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      out += `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfeff || code === 0xfffe || code === 0xffff) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
