/**
 * `POST /api/harness/events`: Harness pipeline notification webhooks (reference §10). The event is
 * a hint, never the truth: the execution's status is read from Harness before anything is
 * recorded. So a forged or stale event can at worst cause one extra list row, and a finished
 * pipeline shows in Slack within about a second instead of at the next poll.
 *
 * Reads are coalesced: the event marks the execution "to confirm" in the batched watcher, whose
 * next list call for that project (debounced, a fraction of a second) carries every execution
 * pushed meanwhile — a burst of 500 events in a project costs one or a few list calls, not 500
 * detail calls. Once its row is in, the watching step is made due and the engine kicked; the
 * engine then records the terminal status from that row without another call. Without the
 * batched watcher (HARNESS_WATCH_MODE=single) the step is made due at once and reads its status.
 *
 * Authentication: the notification rule sends a custom header whose value is
 * HARNESS_WEBHOOK_SECRET; both sides are hashed before a constant-time compare.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';
import type { Clock } from '../engine/ports.ts';
import type { Watcher } from '../engine/watch-batcher.ts';
import { readJsonBody } from './api/body.ts';
import { HttpError, sendJson } from './api/errors.ts';

export const HARNESS_EVENTS_PATH = '/api/harness/events';
export const HARNESS_SECRET_HEADER = 'x-runbook-bot-secret';
const EVENT_BODY_LIMIT = 64 * 1024;

export interface HarnessEventsDeps {
  secret: string | undefined;
  store: Store;
  clock: Clock;
  /** Runs an engine pass now. */
  kick: () => void;
  /** Advances these runs' due steps now, ahead of the pass (engine.advanceNow); else kick. */
  advance?: (runIds: string[]) => void;
  watcher?: Watcher | undefined;
  log: Logger;
}

export interface HarnessEvent {
  planExecutionId: string;
  eventType?: string;
  nodeStatus?: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Reads `{eventData: {...}}` or the bare event; throws a 400 naming what is missing. */
export function parseHarnessEvent(body: unknown): HarnessEvent {
  const outer = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined;
  if (!outer) throw new HttpError(400, 'the body must be a JSON object (a Harness webhook notification)');
  const wrapped = (outer as { eventData?: unknown }).eventData;
  const ev = (typeof wrapped === 'object' && wrapped !== null ? wrapped : outer) as Record<string, unknown>;
  const id = ev.planExecutionId;
  if (typeof id !== 'string' || !/^[\w-]{1,128}$/.test(id)) {
    throw new HttpError(400, 'planExecutionId is missing or malformed', [
      {
        field: 'planExecutionId',
        message: 'allowed: the Harness execution id (letters, digits, - and _), up to 128 characters',
      },
    ]);
  }
  const out: HarnessEvent = { planExecutionId: id };
  if (typeof ev.eventType === 'string') out.eventType = ev.eventType.slice(0, 64);
  if (typeof ev.nodeStatus === 'string') out.nodeStatus = ev.nodeStatus.slice(0, 64);
  return out;
}

export function createHarnessEventsHandler(deps: HarnessEventsDeps) {
  // Uses the index run_steps_by_external_id (migrations/0008): without it a burst of events over
  // 10,000 watched runs would scan every running step per event.
  const findSteps = deps.store.db.prepare<[string], { run_id: string; idx: number }>(
    `SELECT run_id, idx FROM run_steps WHERE status = 'running' AND external_id = ?`,
  );

  /** Marks every step watching the execution due now (durably); returns their runs. */
  function markDue(executionId: string): string[] {
    const now = deps.clock.now();
    const runs: string[] = [];
    deps.store.tx(() => {
      for (const s of findSteps.all(executionId)) {
        if (deps.store.runs.updateStep(s.run_id, s.idx, { nextAttemptAt: now }, ['running']))
          runs.push(s.run_id);
      }
    });
    return runs;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!deps.secret) {
        throw new HttpError(404, 'Harness notifications are off; set HARNESS_WEBHOOK_SECRET to turn them on');
      }
      if (req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed; allowed: POST`);
      const got = req.headers[HARNESS_SECRET_HEADER];
      const value = Array.isArray(got) ? got[0] : got;
      if (!value || !timingSafeEqual(digest(value), digest(deps.secret))) {
        throw new HttpError(401, `missing or wrong ${HARNESS_SECRET_HEADER} header`);
      }
      const ev = parseHarnessEvent(await readJsonBody(req, EVENT_BODY_LIMIT));
      const id = ev.planExecutionId;
      const matched = findSteps.all(id).length;
      if (matched > 0) {
        // Answer Harness at once; the step becomes due when its status has been read.
        const confirmed = deps.watcher ? deps.watcher.confirm(id) : Promise.resolve(false);
        void confirmed
          .then(() => {
            const runs = markDue(id);
            if (deps.advance) deps.advance(runs);
            else deps.kick();
          })
          .catch((e: unknown) =>
            deps.log.warn(
              { execution: id, err: e instanceof Error ? e.message : String(e) },
              'harness event',
            ),
          );
      }
      deps.log.debug({ execution: ev.planExecutionId, event: ev.eventType, matched }, 'harness event');
      sendJson(res, 202, { ok: true, matched });
    } catch (e) {
      req.resume(); // drop an unread body so the connection stays usable
      if (e instanceof HttpError) {
        sendJson(res, e.status, { error: e.message, errors: e.errors });
        return;
      }
      deps.log.error({ err: e instanceof Error ? e.message : String(e) }, 'harness event failed');
      sendJson(res, 500, { error: 'internal error' });
    }
  }

  /** The server's route hook: true when the request is ours. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== HARNESS_EVENTS_PATH) return false;
    void handle(req, res);
    return true;
  };
}
