/**
 * The ServiceNow Table API calls of `servicenow.update` (docs.servicenow.com → REST API reference →
 * Table API): find a record by number, read journal entries (sys_journal_field, where work notes and
 * comments are stored), PATCH fields. Auth: `SERVICENOW_TOKEN` (OAuth bearer) or
 * `SERVICENOW_USERNAME` + `SERVICENOW_PASSWORD` (basic). Errors come as
 * `{"error":{"message","detail"},"status":"failure"}`.
 */
import { AppError } from '../../../errors.ts';
import type { Env } from '../followup-kit.ts';
import { basicAuth, ensureOk, parseJson, send, type HttpCall, type HttpTarget } from '../http.ts';

export interface ServicenowConfig {
  instanceUrl: string;
  authorization: string;
  secrets: string[];
}

export function servicenowConfig(env: Env): ServicenowConfig {
  const get = (n: string) => env[n]?.trim() || undefined;
  const instanceUrl = get('SERVICENOW_INSTANCE_URL');
  const token = get('SERVICENOW_TOKEN');
  const user = get('SERVICENOW_USERNAME');
  const password = get('SERVICENOW_PASSWORD');
  const missing: string[] = [];
  if (!instanceUrl) missing.push('SERVICENOW_INSTANCE_URL');
  if (!token && !(user && password))
    missing.push('SERVICENOW_TOKEN (OAuth) or SERVICENOW_USERNAME and SERVICENOW_PASSWORD (basic auth)');
  if (missing.length || !instanceUrl) {
    throw new AppError(
      'CONFIG_INVALID',
      `ServiceNow needs ${missing.join(' and ')} in the environment of runbook-bot (see README.md#follow-up-actions).`,
    );
  }
  const authorization = token ? `Bearer ${token}` : basicAuth(user!, password!);
  return {
    instanceUrl: instanceUrl.replace(/\/+$/, ''),
    authorization,
    secrets: [token, password, authorization.split(' ')[1]].filter((x): x is string => !!x),
  };
}

export function servicenowMessage(json: unknown): string | undefined {
  const e = (json as { error?: { message?: unknown; detail?: unknown } } | undefined)?.error;
  if (!e || typeof e !== 'object') return undefined;
  const detail = typeof e.detail === 'string' ? e.detail.replace(/\s+/g, ' ').trim() : '';
  const message = typeof e.message === 'string' ? e.message : '';
  return [message, detail].filter(Boolean).join(': ') || undefined;
}

export const SYS_ID = /^[0-9a-f]{32}$/;

export interface SnRecord {
  sys_id: string;
  number?: string;
  state?: string;
}

export function servicenowClient(
  cfg: ServicenowConfig,
  fetchFn: typeof fetch,
  timeoutMs: number,
  now: number,
) {
  const target: HttpTarget = {
    name: 'ServiceNow',
    secrets: cfg.secrets,
    describe: (json) => servicenowMessage(json),
  };
  async function call(
    method: HttpCall['method'],
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ) {
    const qs = new URLSearchParams(query).toString();
    const c: HttpCall = {
      method,
      url: `${cfg.instanceUrl}${path}${qs ? `?${qs}` : ''}`,
      headers: {
        Authorization: cfg.authorization,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs,
      label: `${method} ${path}`,
    };
    const answer = ensureOk(await send(fetchFn, c, target), c, target, now);
    return parseJson(answer.text) as { result?: unknown } | undefined;
  }
  const FIELDS = 'sys_id,number,state';
  return {
    /** By sys_id, or by number (`sysparm_query=number=INC0010001`); undefined when there is none. */
    async find(table: string, ref: string): Promise<SnRecord | undefined> {
      if (SYS_ID.test(ref)) {
        try {
          const r = await call('GET', `/api/now/table/${table}/${ref}`, { sysparm_fields: FIELDS });
          return r?.result as SnRecord | undefined;
        } catch (e) {
          if (e instanceof AppError && e.details.status === 404) return undefined;
          throw e;
        }
      }
      const r = await call('GET', `/api/now/table/${table}`, {
        sysparm_query: `number=${ref}`,
        sysparm_limit: '1',
        sysparm_fields: FIELDS,
      });
      return Array.isArray(r?.result) ? (r.result[0] as SnRecord | undefined) : undefined;
    },
    /** Whether a work note / comment of the record already contains `text` (journal entries). */
    async journalHas(table: string, sysId: string, text: string): Promise<boolean> {
      const r = await call('GET', '/api/now/table/sys_journal_field', {
        sysparm_query: `name=${table}^element_id=${sysId}^elementINwork_notes,comments^valueLIKE${text}`,
        sysparm_limit: '1',
        sysparm_fields: 'sys_id',
      });
      return Array.isArray(r?.result) && r.result.length > 0;
    },
    async patch(table: string, sysId: string, fields: Record<string, string>): Promise<SnRecord> {
      const r = await call('PATCH', `/api/now/table/${table}/${sysId}`, { sysparm_fields: FIELDS }, fields);
      return (r?.result ?? { sys_id: sysId }) as SnRecord;
    },
    recordUrl: (table: string, sysId: string) =>
      `${cfg.instanceUrl}/nav_to.do?uri=${table}.do?sys_id=${sysId}`,
  };
}
