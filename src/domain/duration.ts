/**
 * Durations as runbook authors write them (`90s`, `30m`, `2h`, `1d`, `500ms`, `1h30m`) and as the
 * status message shows them (`45s`, `2m 05s`, `1h 02m`).
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
// Largest to smallest: `1h30m` is accepted, `30m1h` and `1m1m` are not (almost always a typo).
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

// `ms` must be tried before `m`, hence the alternation order.
const PART = /(\d+)(ms|d|h|m|s)/y;

/**
 * Milliseconds, or null when `s` is not a positive duration. Integers per part only; parts may be
 * separated by single spaces so formatDuration's own output (`2m 05s`) parses back.
 */
export function parseDuration(s: string): number | null {
  if (typeof s !== 'string') return null;
  const text = s.trim();
  if (text.length === 0) return null;
  let total = 0;
  let pos = 0;
  let lastRank = -1;
  while (pos < text.length) {
    if (pos > 0 && text[pos] === ' ') pos += 1;
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return null;
    const unit = m[2] as Unit;
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= lastRank) return null;
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[unit];
    pos = PART.lastIndex;
  }
  if (total <= 0 || !Number.isSafeInteger(total)) return null;
  return total;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Short human form with two units at most: `850ms`, `45s`, `2m 05s`, `1h 02m`, `3d 04h`. Elapsed
 * time is truncated, not rounded (59.9 s has not been a minute yet). Negative values (clock skew
 * between hosts) show as `0s`; a non-number shows as `unknown` rather than `NaNs`.
 */
export function formatDuration(ms: number): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return 'unknown';
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const totalSec = Math.floor(ms / 1000);
  const days = Math.floor(totalSec / 86_400);
  const hours = Math.floor((totalSec % 86_400) / 3600);
  const minutes = Math.floor((totalSec % 3600) / 60);
  const seconds = totalSec % 60;
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}
