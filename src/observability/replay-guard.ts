/**
 * Refuses a replayed Slack request. Bolt checks the signature and that the timestamp is within
 * 5 minutes, but inside that window a captured request (a slash command, a button click) could be
 * sent again and would act again. Each signed request's `signature + timestamp` may pass once: a
 * second one inside the window is answered 401 before Bolt sees it. Entries older than the window
 * are useless to an attacker (Bolt refuses them), so they are forgotten; the set is also capped so
 * a flood of junk signatures cannot grow memory without bound.
 *
 * Slack's own Events API retries carry `x-slack-retry-num` and are passed through (Bolt acks them).
 * The set lives in memory: a restart forgets it, which is acceptable because Slack itself never
 * re-sends a slash command or interaction.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

export interface ReplayGuard {
  /** true the first time a signature+timestamp is seen inside the window. */
  admit(signature: string, timestampSec: number, now: number): boolean;
  size(): number;
}

/** Slack's signature: `v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
const WELL_FORMED = /^v0=[0-9a-f]{64}$/;

/**
 * The set's key. Every request inside the window stays in the set (at 32 requests in flight that
 * is hundreds of thousands), so an entry is kept small: a 78-character string key and a
 * millisecond time were ~140 bytes per request, each surviving into V8's old space (the ack
 * benchmark's live heap grew by ~10 MB a minute). A well-formed signature is an HMAC of the
 * timestamp and body: its first 52 bits are already a uniform, collision-safe key (a false match
 * among 100,000 entries: ~2e-11) that a double holds exactly, and the timestamp adds nothing. Anything
 * else (Bolt refuses it after us) keeps the exact string key.
 */
const keyOf = (signature: string, timestampSec: number): number | string =>
  WELL_FORMED.test(signature) ? parseInt(signature.slice(3, 16), 16) : `${timestampSec}:${signature}`;

/** How far ahead of our clock a request's timestamp may push its entry's expiry. */
const MAX_SKEW_SEC = 60;

export function createReplayGuard(maxEntries = 100_000, windowMs = REPLAY_WINDOW_MS): ReplayGuard {
  // Insertion order ≈ arrival order, so expired entries sit at the front. Times are whole seconds
  // (small integers V8 stores inline). Bolt accepts a request while its timestamp is at most 5
  // minutes old by *our* clock (and any timestamp ahead of it), so an entry is kept until the
  // later of: a window after arrival (rounded up), and a window after its timestamp + 1 s — when
  // Slack's clock is ahead of ours. The latter is capped at 60 s ahead: the guard runs before the
  // signature is checked, and a forged far-future timestamp must not pin an entry (ours is
  // NTP-synced; a skew past 60 s shortens the guard by the excess).
  const seen = new Map<number | string, number>();
  const prune = (now: number) => {
    for (const [key, atSec] of seen) {
      if (now - atSec * 1000 <= windowMs && seen.size < maxEntries) break; // room for one more
      seen.delete(key);
    }
  };
  return {
    admit(signature, timestampSec, now) {
      prune(now);
      const key = keyOf(signature, timestampSec);
      if (seen.has(key)) return false;
      const arrivedSec = Math.ceil(now / 1000);
      seen.set(key, Math.max(arrivedSec, Math.min(timestampSec + 1, arrivedSec + MAX_SKEW_SEC)));
      return true;
    },
    size: () => seen.size,
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps the Slack request handler; requests without a signature go straight to Bolt (it refuses them). */
export function guardReplays(
  handler: Handler,
  opts: { guard?: ReplayGuard; now?: () => number; onReplay?: (req: IncomingMessage) => void } = {},
): Handler {
  const guard = opts.guard ?? createReplayGuard();
  const now = opts.now ?? Date.now;
  return (req, res) => {
    const signature = req.headers['x-slack-signature'];
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (
      typeof signature === 'string' &&
      Number.isFinite(ts) &&
      req.headers['x-slack-retry-num'] === undefined &&
      !guard.admit(signature, ts, now())
    ) {
      opts.onReplay?.(req);
      req.resume(); // drain the body so the connection can be reused
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'replayed request: this signed Slack request was already received' }));
      return;
    }
    handler(req, res);
  };
}
