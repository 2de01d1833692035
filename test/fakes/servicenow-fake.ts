/**
 * A loopback ServiceNow instance, Table API only (docs.servicenow.com → REST API reference → Table
 * API), as `servicenow.update` uses it:
 * - GET /api/now/table/{table}?sysparm_query=…&sysparm_limit=…&sysparm_fields=… → `{result:[…]}`;
 *   the encoded query understands `a=b`, `aINx,y`, `aLIKEtext` joined by `^`;
 * - GET /api/now/table/{table}/{sys_id} → `{result:{…}}`, or 404 "No Record found";
 * - PATCH /api/now/table/{table}/{sys_id} → 200 `{result}`; work_notes / comments become journal
 *   entries (table sys_journal_field), unknown fields are ignored as ServiceNow does, and the stock
 *   incident data policy is enforced: resolving (state 6) or closing (7) needs close_code and
 *   close_notes, else 403 "Data Policy Exception";
 * - basic auth or a bearer token, else 401 "User Not Authenticated".
 * Errors are `{"error":{"message","detail"},"status":"failure"}`.
 */
import { randomBytes } from 'node:crypto';
import {
  basicCredentials,
  startLoopback,
  type Answer,
  type LoopbackServer,
  type Recorded,
} from './loopback.ts';

export interface SnIncident {
  sys_id: string;
  number: string;
  state: string;
  close_code: string;
  close_notes: string;
  short_description: string;
}
export interface SnJournal {
  sys_id: string;
  name: string;
  element_id: string;
  element: 'work_notes' | 'comments';
  value: string;
}

export interface ServicenowFake extends LoopbackServer {
  username: string;
  password: string;
  token: string;
  incidents: SnIncident[];
  journal: SnJournal[];
  addIncident(number: string, state?: string): SnIncident;
}

const snError = (status: number, message: string, detail: string | null): Answer => ({
  status,
  body: { error: { message, detail }, status: 'failure' },
});

type Row = Record<string, string>;

/** The subset of ServiceNow's encoded query language the bot sends. */
function matches(row: Row, query: string): boolean {
  return query
    .split('^')
    .filter(Boolean)
    .every((cond) => {
      const like = /^(\w+)LIKE(.*)$/s.exec(cond);
      if (like) return (row[like[1]!] ?? '').includes(like[2]!);
      const inList = /^(\w+)IN(.*)$/s.exec(cond);
      if (inList) return inList[2]!.split(',').includes(row[inList[1]!] ?? '');
      const eq = /^(\w+)=(.*)$/s.exec(cond);
      if (eq) return (row[eq[1]!] ?? '') === eq[2];
      return false;
    });
}

function pick(row: Row, fields: string | undefined): Row {
  if (!fields) return row;
  return Object.fromEntries(fields.split(',').map((f) => [f, row[f] ?? '']));
}

export async function startServicenowFake(
  opts: { username?: string; password?: string; token?: string } = {},
): Promise<ServicenowFake> {
  const username = opts.username ?? 'runbook.bot';
  const password = opts.password ?? 'sn-Pa55word!';
  const token = opts.token ?? 'sn-oauth-token-4d2c';
  const incidents: SnIncident[] = [];
  const journal: SnJournal[] = [];
  const sysId = () => randomBytes(16).toString('hex');

  const tableRows = (table: string): Row[] | undefined =>
    table === 'incident'
      ? (incidents as unknown as Row[])
      : table === 'sys_journal_field'
        ? (journal as unknown as Row[])
        : undefined;

  const handle = (req: Recorded): Answer => {
    const auth = req.headers['authorization'] ?? '';
    const creds = basicCredentials(auth);
    const ok =
      auth === `Bearer ${token}` || (creds !== null && creds[0] === username && creds[1] === password);
    if (!ok) return snError(401, 'User Not Authenticated', 'Required to provide Auth information');
    const [, table, id] = /^\/api\/now\/table\/(\w+)(?:\/(\w+))?$/.exec(req.path)!;
    const rows = tableRows(table!);
    if (!rows) return snError(400, 'Invalid table', `Invalid table ${table}`);
    if (req.method === 'GET' && !id) {
      const found = rows.filter((r) => matches(r, req.query.sysparm_query ?? ''));
      const limit = Number(req.query.sysparm_limit ?? 10000);
      return {
        status: 200,
        body: { result: found.slice(0, limit).map((r) => pick(r, req.query.sysparm_fields)) },
      };
    }
    const row = rows.find((r) => r.sys_id === id);
    if (!row)
      return snError(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    if (req.method === 'GET') return { status: 200, body: { result: pick(row, req.query.sysparm_fields) } };
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return snError(415, 'Unsupported Media Type', null);
    let patch: Record<string, unknown>;
    try {
      patch = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return snError(400, 'Exception while reading request', 'The payload is not valid JSON.');
    }
    const inc = row as unknown as SnIncident;
    const next = { ...inc };
    for (const f of ['state', 'close_code', 'close_notes', 'short_description'] as const)
      if (typeof patch[f] === 'string') next[f] = patch[f] as string;
    if ((next.state === '6' || next.state === '7') && (!next.close_code || !next.close_notes)) {
      const need = [!next.close_code && 'Resolution code', !next.close_notes && 'Resolution notes'].filter(
        Boolean,
      );
      return snError(
        403,
        'Operation Failed',
        `Data Policy Exception: \n  The following fields are mandatory: ${need.join(', ')}\n`,
      );
    }
    Object.assign(inc, next);
    for (const element of ['work_notes', 'comments'] as const) {
      const value = patch[element];
      if (typeof value === 'string' && value.trim())
        journal.push({ sys_id: sysId(), name: table!, element_id: inc.sys_id, element, value });
    }
    return { status: 200, body: { result: pick(row, req.query.sysparm_fields) } };
  };

  const server = await startLoopback({
    route(method, path) {
      const m = /^\/api\/now\/table\/(\w+)(\/\w+)?$/.exec(path);
      if (!m) return null;
      if (method === 'GET') return m[1] === 'sys_journal_field' ? 'journal' : m[2] ? 'get' : 'query';
      return method === 'PATCH' && m[2] ? 'patch' : null;
    },
    notFound: (req) => snError(400, 'Requested URI does not represent any resource', req.path),
    handle,
  });
  return Object.assign(server, {
    username,
    password,
    token,
    incidents,
    journal,
    addIncident(number: string, state = '2') {
      const inc: SnIncident = {
        sys_id: sysId(),
        number,
        state,
        close_code: '',
        close_notes: '',
        short_description: '',
      };
      incidents.push(inc);
      return inc;
    },
  }) as ServicenowFake;
}
