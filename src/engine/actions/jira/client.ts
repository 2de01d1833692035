/**
 * The few Jira Cloud REST v3 calls the follow-ups make, with basic auth (account email + API token;
 * developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/). Jira's error body is
 * `{ errorMessages: [...], errors: { field: message } }`; its messages are what the step shows.
 */
import { AppError } from '../../../errors.ts';
import type { Env } from '../followup-kit.ts';
import { requireEnv } from '../followup-kit.ts';
import { basicAuth, ensureOk, parseJson, send, type HttpCall, type HttpTarget } from '../http.ts';
import type { AdfDoc } from './adf.ts';

export interface JiraConfig {
  baseUrl: string;
  email: string;
  token: string;
}

export const JIRA_VARS = ['JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN'] as const;

export function jiraConfig(env: Env): JiraConfig {
  const v = requireEnv(env, JIRA_VARS, 'Jira');
  return {
    baseUrl: v('JIRA_BASE_URL').replace(/\/+$/, ''),
    email: v('JIRA_EMAIL'),
    token: v('JIRA_API_TOKEN'),
  };
}

/** Project key, a dash, a number (OPS-123); or a numeric issue id. */
const ISSUE_KEY = /^([A-Z][A-Z0-9_]*-[1-9]\d*|\d+)$/;

export function checkIssueKey(key: string, tpl: string): string {
  if (ISSUE_KEY.test(key)) return key;
  throw new AppError(
    'ACTION_FAILED',
    `with.issue rendered "${key}" (from ${JSON.stringify(tpl)}), which is not a Jira issue key like OPS-123`,
  );
}

/** Jira's `{ errorMessages, errors }` as one line. */
export function jiraMessage(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const j = json as { errorMessages?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (Array.isArray(j.errorMessages)) parts.push(...j.errorMessages.filter((m) => typeof m === 'string'));
  if (j.errors && typeof j.errors === 'object') {
    for (const [field, msg] of Object.entries(j.errors)) parts.push(`${msg} (${field})`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

export interface JiraTransition {
  id: string;
  name: string;
  to: { id: string; name: string };
}
export interface JiraComment {
  id: string;
  body: unknown;
}

export function jiraClient(cfg: JiraConfig, fetchFn: typeof fetch, timeoutMs: number, now: number) {
  const auth = basicAuth(cfg.email, cfg.token);
  const target: HttpTarget = {
    name: 'Jira',
    secrets: [cfg.token, auth.slice('Basic '.length)],
    describe: (json) => jiraMessage(json),
  };
  async function call(method: HttpCall['method'], path: string, body?: unknown): Promise<unknown> {
    const c: HttpCall = {
      method,
      url: `${cfg.baseUrl}${path}`,
      headers: {
        Authorization: auth,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs,
      label: `${method} ${path.split('?')[0]}`,
    };
    const answer = ensureOk(await send(fetchFn, c, target), c, target, now);
    return answer.text ? parseJson(answer.text) : undefined;
  }
  const issue = (key: string) => `/rest/api/3/issue/${encodeURIComponent(key)}`;
  return {
    /** Newest first: a retry looks for its marker among the latest comments. */
    async comments(key: string): Promise<JiraComment[]> {
      const r = (await call('GET', `${issue(key)}/comment?orderBy=-created&maxResults=100`)) as {
        comments?: JiraComment[];
      };
      return Array.isArray(r?.comments) ? r.comments : [];
    },
    async addComment(key: string, body: AdfDoc): Promise<{ id: string }> {
      const r = (await call('POST', `${issue(key)}/comment`, { body })) as { id?: unknown };
      return { id: String(r?.id ?? '') };
    },
    async transitions(key: string): Promise<JiraTransition[]> {
      const r = (await call('GET', `${issue(key)}/transitions`)) as { transitions?: JiraTransition[] };
      return Array.isArray(r?.transitions) ? r.transitions : [];
    },
    async status(key: string): Promise<{ id: string; name: string }> {
      const r = (await call('GET', `${issue(key)}?fields=status`)) as {
        fields?: { status?: { id?: string; name?: string } };
      };
      return { id: String(r?.fields?.status?.id ?? ''), name: String(r?.fields?.status?.name ?? '') };
    },
    async transition(key: string, id: string): Promise<void> {
      await call('POST', `${issue(key)}/transitions`, { transition: { id } });
    },
    browseUrl: (key: string) => `${cfg.baseUrl}/browse/${encodeURIComponent(key)}`,
  };
}
