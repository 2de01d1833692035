/** Small helpers for the benchmarks: percentiles, rounding, one result table format. */

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export const ms = (n: number): string => `${round(n, n < 10 ? 2 : 1)} ms`;

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export const check = (what: string, ok: boolean, detail: string): Check => ({ what, ok, detail });

export function printSection(title: string, lines: string[], checks: Check[]): void {
  console.log(`\n== ${title} ==`);
  for (const l of lines) console.log(`  ${l}`);
  for (const c of checks) console.log(`  [${c.ok ? 'PASS' : 'MISS'}] ${c.what}: ${c.detail}`);
}

/** Resolves when `cond` holds, polling every `every` ms; rejects after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs: number, every = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
