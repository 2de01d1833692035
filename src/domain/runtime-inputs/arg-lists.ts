/**
 * Argument text of list modifiers, the way Harness reads and writes it. Harness UI's
 * `parseInputStringWithCommas` (ConfigureOptionsUtils.ts) is the reference: items are split on
 * commas, `\'…\'` and `\"…\"` protect commas inside one item, items are trimmed and the outer
 * escaped quotes removed. `concatValuesWithQuotes` writes multi-select values back the same way.
 */

const SQ = "\\'";
const DQ = '\\"';

/** `a, \'b,c\', d` → ['a', 'b,c', 'd'] */
export function splitListArg(arg: string): string[] {
  const items: string[] = [];
  let start = 0;
  let inSingle = false;
  let inDouble = false;
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] === '\\' && arg[i + 1] === "'" && !inDouble) {
      inSingle = !inSingle;
      i++;
    } else if (arg[i] === '\\' && arg[i + 1] === '"' && !inSingle) {
      inDouble = !inDouble;
      i++;
    } else if (arg[i] === ',' && !inSingle && !inDouble) {
      items.push(arg.slice(start, i));
      start = i + 1;
    }
  }
  items.push(arg.slice(start));
  return items.map((s) => unquoteEscaped(s.trim()));
}

/** Strips one pair of outer `\'…\'` or `\"…\"` (the escape Harness documents for commas). */
export function unquoteEscaped(s: string): string {
  for (const q of [SQ, DQ]) {
    if (s.length >= 4 && s.startsWith(q) && s.endsWith(q)) return s.slice(2, -2);
  }
  return s;
}

/**
 * A multi-select value as Harness stores it in a String field: comma-joined, an item that holds
 * a comma wrapped in `\'…\'` so it stays one item (UI `concatValuesWithQuotes`).
 */
export function joinManyValues(values: readonly string[]): string {
  return values.map((v) => (v.includes(',') ? `${SQ}${v}${SQ}` : v)).join(',');
}

/** `allowedValues(jexl(...))` and expression items are resolved by Harness, not by us. */
export function isDynamicItem(item: string): boolean {
  return item.startsWith('jexl(') || item.includes('<+');
}
