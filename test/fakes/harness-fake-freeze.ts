/**
 * Freeze-window endpoints of the Harness fake (reference harness-api.md §6): create (YAML), get,
 * update (YAML; refused while the window is enabled, as Harness does) and the status toggle. Checks
 * the YAML the way the Harness UI and API do (identifier, entities, window with 'YYYY-MM-DD hh:mm A'
 * start and a duration of at least 30m) and can be told to fail the next requests.
 */
import { parse } from 'yaml';
import { errorEnvelope } from './harness-fake-bodies.ts';
import type { RecordedRequest } from './harness-fake-state.ts';

export interface FakeFreezeWindow {
  identifier: string;
  org: string | null;
  project: string | null;
  status: 'Enabled' | 'Disabled';
  yaml: string;
  freeze: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type FreezeOp = 'create' | 'get' | 'update' | 'status';

export interface FreezeFake {
  windows(): FakeFreezeWindow[];
  window(identifier: string): FakeFreezeWindow | undefined;
  /** Requests to the freeze API, in order, with the operation each was. */
  calls: {
    op: FreezeOp | 'unknown';
    method: string;
    path: string;
    query: Record<string, string>;
    body: string;
  }[];
  /** The next `n` freeze requests (of `op`, or any) answer with this HTTP error instead. */
  failNext(n: number, status: 429 | 500, op?: FreezeOp): void;
}

type Answer = { status: number; body: unknown };
const TIME = /^\d{4}-\d{2}-\d{2} (0[1-9]|1[0-2]):[0-5]\d (AM|PM)$/;
const ENTITY_TYPES = new Set(['Org', 'Project', 'Service', 'Environment', 'EnvType', 'Pipeline']);
const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function durationMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(\d+[mhdw])+$/.test(text)) return undefined;
  return [...text.matchAll(/(\d+)([mhdw])/g)].reduce((t, [, n, u]) => t + Number(n) * UNIT[u!]!, 0);
}

function utcMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) (AM|PM)$/.exec(text)!;
  const h = (Number(m[4]) % 12) + (m[6] === 'PM' ? 12 : 0);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), h, Number(m[5]));
}

/** Problems of a freeze YAML; empty when Harness would take it. */
function checkFreeze(f: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof f['identifier'] !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]{0,127}$/.test(f['identifier']))
    problems.push('identifier: must match ^[a-zA-Z_][0-9a-zA-Z_$]{0,127}$');
  if (typeof f['name'] !== 'string' || f['name'].trim() === '') problems.push('name: cannot be empty');
  if (f['status'] !== 'Enabled' && f['status'] !== 'Disabled')
    problems.push('status: must be Enabled or Disabled');
  const rules = f['entityConfigs'];
  if (!Array.isArray(rules) || rules.length === 0) problems.push('entityConfigs: at least one rule');
  else
    for (const r of rules as Record<string, unknown>[]) {
      if (typeof r['name'] !== 'string') problems.push('entityConfigs.name: required');
      for (const e of (Array.isArray(r['entities']) ? r['entities'] : []) as Record<string, unknown>[]) {
        if (!ENTITY_TYPES.has(String(e['type'])))
          problems.push(`entities.type: ${String(e['type'])} is not allowed`);
        if (e['filterType'] === 'Equals' && !(Array.isArray(e['entityRefs']) && e['entityRefs'].length > 0))
          problems.push('entities.entityRefs: required for Equals');
      }
    }
  const windows = f['windows'];
  const w = Array.isArray(windows) ? (windows[0] as Record<string, unknown> | undefined) : undefined;
  if (!w) problems.push('windows: one window is required');
  else {
    if (typeof w['timeZone'] !== 'string') problems.push('windows.timeZone: required');
    if (typeof w['startTime'] !== 'string' || !TIME.test(w['startTime']))
      problems.push(`windows.startTime: ${String(w['startTime'])} is not in the format YYYY-MM-DD hh:mm A`);
    const d = durationMs(w['duration']);
    if (w['endTime'] === undefined && (d === undefined || d < 30 * 60_000))
      problems.push(`windows.duration: ${String(w['duration'])} must be at least 30m`);
  }
  return problems;
}

export function windowEnd(w: FakeFreezeWindow): number {
  const win = (w.freeze['windows'] as Record<string, string>[])[0]!;
  return utcMs(win['startTime']!) + (durationMs(win['duration']) ?? 0);
}

export function createFreezeFake(accountId: string, now: () => number = Date.now) {
  const windows = new Map<string, FakeFreezeWindow>();
  const failures: { status: 429 | 500; op?: FreezeOp }[] = [];
  const calls: FreezeFake['calls'] = [];
  const keyOf = (q: Record<string, string>, id: string) =>
    `${q['orgIdentifier'] ?? ''}/${q['projectIdentifier'] ?? ''}/${id}`;

  function parseBody(body: string): Record<string, unknown> | Answer {
    let doc: unknown;
    try {
      doc = parse(body);
    } catch (e) {
      return { status: 400, body: errorEnvelope('INVALID_REQUEST', `Invalid yaml: ${(e as Error).message}`) };
    }
    const f = (doc as { freeze?: unknown } | null)?.freeze;
    if (!f || typeof f !== 'object')
      return { status: 400, body: errorEnvelope('INVALID_REQUEST', 'Freeze yaml needs a freeze: map') };
    const problems = checkFreeze(f as Record<string, unknown>);
    if (problems.length) return { status: 400, body: errorEnvelope('INVALID_REQUEST', problems.join('; ')) };
    return f as Record<string, unknown>;
  }
  const isAnswer = (x: unknown): x is Answer =>
    typeof x === 'object' &&
    x !== null &&
    'status' in x &&
    'body' in x &&
    typeof (x as Answer).status === 'number';
  const dto = (w: FakeFreezeWindow) => ({
    status: 'SUCCESS',
    data: {
      accountId,
      orgIdentifier: w.org,
      projectIdentifier: w.project,
      identifier: w.identifier,
      name: w.freeze['name'],
      status: w.status,
      yaml: w.yaml,
      type: 'MANUAL',
      createdAt: w.createdAt,
      lastUpdatedAt: w.updatedAt,
    },
  });

  function handle(rec: RecordedRequest, path: string): Answer {
    const q = rec.query;
    const op: FreezeOp | 'unknown' =
      rec.method === 'POST' && path === '/ng/api/freeze'
        ? 'create'
        : rec.method === 'POST' && path === '/ng/api/freeze/updateFreezeStatus'
          ? 'status'
          : rec.method === 'GET' && /^\/ng\/api\/freeze\/[^/]+$/.test(path)
            ? 'get'
            : rec.method === 'PUT' && /^\/ng\/api\/freeze\/[^/]+$/.test(path)
              ? 'update'
              : 'unknown';
    calls.push({ op, method: rec.method, path, query: q, body: rec.body });
    const i = failures.findIndex((f) => f.op === undefined || f.op === op);
    if (i >= 0) {
      const [f] = failures.splice(i, 1);
      return {
        status: f!.status,
        body: errorEnvelope(f!.status === 429 ? 'TOO_MANY_REQUESTS' : 'UNEXPECTED', 'Injected failure'),
      };
    }
    if (rec.apiKey !== 'valid')
      return { status: 401, body: errorEnvelope('INVALID_TOKEN', 'Token is not valid.') };
    if (q['accountIdentifier'] !== accountId)
      return {
        status: 400,
        body: errorEnvelope('INVALID_REQUEST', 'accountIdentifier is required and must be the account'),
      };
    if (q['projectIdentifier'] && !q['orgIdentifier'])
      return { status: 400, body: errorEnvelope('INVALID_REQUEST', 'projectIdentifier needs orgIdentifier') };
    const id = decodeURIComponent(path.split('/').pop() ?? '');

    if (op === 'get') {
      const w = windows.get(keyOf(q, id));
      return w
        ? { status: 200, body: dto(w) }
        : {
            status: 404,
            body: errorEnvelope(
              'ENTITY_NOT_FOUND',
              `Freeze Config for freezeIdentifier: ${id} doesn't exist`,
            ),
          };
    }
    if (op === 'create' || op === 'update') {
      if (!/application\/yaml/.test(rec.headers['content-type'] ?? ''))
        return {
          status: 415,
          body: errorEnvelope('INVALID_REQUEST', 'Content-Type must be application/yaml'),
        };
      const f = parseBody(rec.body);
      if (isAnswer(f)) return f;
      const fid = String(f['identifier']);
      const key = keyOf(q, fid);
      const existing = windows.get(key);
      if (op === 'create' && existing)
        return {
          status: 400,
          body: errorEnvelope('DUPLICATE_FIELD', `Freeze Config with identifier [${fid}] already exists`),
        };
      if (op === 'update') {
        if (fid !== id)
          return {
            status: 400,
            body: errorEnvelope('INVALID_REQUEST', 'identifier in yaml differs from the path'),
          };
        if (!existing)
          return {
            status: 404,
            body: errorEnvelope(
              'ENTITY_NOT_FOUND',
              `Freeze Config for freezeIdentifier: ${id} doesn't exist`,
            ),
          };
        if (existing.status === 'Enabled')
          return {
            status: 400,
            body: errorEnvelope(
              'FREEZE_EXCEPTION',
              'Freeze Window is active and cannot be edited; disable it first',
            ),
          };
      }
      const w: FakeFreezeWindow = {
        identifier: fid,
        org: q['orgIdentifier'] ?? null,
        project: q['projectIdentifier'] ?? null,
        status: f['status'] as 'Enabled' | 'Disabled',
        yaml: rec.body,
        freeze: f,
        createdAt: existing?.createdAt ?? now(),
        updatedAt: now(),
      };
      windows.set(key, w);
      return { status: 200, body: dto(w) };
    }
    if (op === 'status') {
      const status = q['status'];
      if (status !== 'Enabled' && status !== 'Disabled')
        return { status: 400, body: errorEnvelope('INVALID_REQUEST', 'status must be Enabled or Disabled') };
      let ids: unknown;
      try {
        ids = JSON.parse(rec.body);
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids))
        return {
          status: 400,
          body: errorEnvelope('INVALID_REQUEST', 'body must be a JSON array of identifiers'),
        };
      const ok: unknown[] = [];
      const failed: { id: string; errorMessage: string }[] = [];
      for (const x of ids) {
        const w = windows.get(keyOf(q, String(x)));
        if (!w) failed.push({ id: String(x), errorMessage: `Freeze Config ${String(x)} doesn't exist` });
        else if (status === 'Enabled' && windowEnd(w) <= now())
          failed.push({
            id: w.identifier,
            errorMessage: 'Freeze window is already over; it cannot be enabled',
          });
        else {
          w.status = status;
          w.freeze['status'] = status;
          w.updatedAt = now();
          ok.push(dto(w).data);
        }
      }
      return {
        status: 200,
        body: {
          status: 'SUCCESS',
          data: {
            noOfSuccess: ok.length,
            noOfFailed: failed.length,
            successfulFreezeResponseDTOList: ok,
            freezeErrorResponseDTOList: failed,
          },
        },
      };
    }
    return {
      status: 404,
      body: errorEnvelope('RESOURCE_NOT_FOUND', `No freeze API at ${rec.method} ${path}`),
    };
  }

  const fake: FreezeFake = {
    windows: () => [...windows.values()],
    window: (identifier) => [...windows.values()].find((w) => w.identifier === identifier),
    calls,
    failNext(n, status, op) {
      for (let k = 0; k < n; k++) failures.push(op === undefined ? { status } : { status, op });
    },
  };
  return { fake, handle };
}
