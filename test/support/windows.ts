/** Counting calls in time windows, for the Slack budget tests and the watch benchmark. */

/** Most calls in any `windowMs` (sliding, over the given call times in ms). */
export function busiest(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
