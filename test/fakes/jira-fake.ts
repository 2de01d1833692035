/**
 * A loopback Jira Cloud (REST v3) for the comment and transition follow-ups, answering the way the
 * real API does (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/,
 * …/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-get):
 * - basic auth email:API-token on every call, else 401;
 * - GET/POST /rest/api/3/issue/{key}/comment — the body must be an ADF document (a plain string, an
 *   unknown node or mark, or an empty text node → 400 `{"errorMessages":[],"errors":{"comment":
 *   "Comment body is not valid!"}}`); 201 with the comment;
 * - GET /rest/api/3/issue/{key}/transitions — the transitions available from the current status;
 * - POST /rest/api/3/issue/{key}/transitions `{transition:{id}}` — 204, or 400 `{"errorMessages":
 *   ["Transition id '9' is not valid for this issue."],"errors":{}}`;
 * - GET /rest/api/3/issue/{key}?fields=status; an unknown issue → 404 with Jira's message.
 */
import {
  basicCredentials,
  startLoopback,
  type Answer,
  type LoopbackServer,
  type Recorded,
} from './loopback.ts';

export interface FakeIssue {
  key: string;
  status: string;
  comments: { id: string; body: unknown; created: string }[];
}

/** A simplified Jira workflow: from each status, the transitions available. */
const WORKFLOW: Record<string, { id: string; name: string; to: string }[]> = {
  'To Do': [
    { id: '11', name: 'Start Progress', to: 'In Progress' },
    { id: '31', name: 'Done', to: 'Done' },
  ],
  'In Progress': [
    { id: '21', name: 'Stop Progress', to: 'To Do' },
    { id: '31', name: 'Done', to: 'Done' },
  ],
  Done: [{ id: '41', name: 'Reopen', to: 'To Do' }],
};
const STATUS_IDS: Record<string, string> = { 'To Do': '10000', 'In Progress': '3', Done: '10001' };

const BLOCKS = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
]);
const INLINES = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard']);
const MARKS = new Set(['strong', 'em', 'code', 'strike', 'underline', 'link', 'subsup', 'textColor']);

/** A structural ADF check, strict where Jira is: unknown types, empty text, link without href. */
export function isValidAdf(doc: unknown): boolean {
  const d = doc as { type?: unknown; version?: unknown; content?: unknown };
  if (!d || typeof d !== 'object' || d.type !== 'doc' || d.version !== 1 || !Array.isArray(d.content))
    return false;
  const node = (n: unknown, inline: boolean): boolean => {
    if (!n || typeof n !== 'object') return false;
    const x = n as { type?: unknown; text?: unknown; marks?: unknown; content?: unknown; attrs?: unknown };
    if (typeof x.type !== 'string') return false;
    if (inline) {
      if (!INLINES.has(x.type)) return false;
      if (x.type === 'text') {
        if (typeof x.text !== 'string' || x.text.length === 0) return false;
        if (x.marks !== undefined) {
          if (!Array.isArray(x.marks)) return false;
          for (const m of x.marks as { type?: unknown; attrs?: { href?: unknown } }[]) {
            if (!m || typeof m.type !== 'string' || !MARKS.has(m.type)) return false;
            if (m.type === 'link' && typeof m.attrs?.href !== 'string') return false;
          }
        }
      }
      return true;
    }
    if (!BLOCKS.has(x.type)) return false;
    if (x.content === undefined) return x.type === 'rule' || x.type === 'paragraph';
    if (!Array.isArray(x.content)) return false;
    const childInline = ['paragraph', 'heading', 'codeBlock'].includes(x.type);
    return x.content.every((c) => node(c, childInline));
  };
  return d.content.every((c) => node(c, false));
}

export interface JiraFake extends LoopbackServer {
  email: string;
  token: string;
  issues: Map<string, FakeIssue>;
  addIssue(key: string, status?: string): FakeIssue;
}

const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}): Answer => ({
  status,
  body: { errorMessages, errors },
});

export async function startJiraFake(opts: { email?: string; token?: string } = {}): Promise<JiraFake> {
  const email = opts.email ?? 'bot@example.com';
  const token = opts.token ?? 'ATATT3xFfGF0-fake-jira-token';
  const issues = new Map<string, FakeIssue>();
  let nextComment = 10000;

  const ROUTES: [string, RegExp, string][] = [
    ['GET', /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, 'comments'],
    ['POST', /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, 'comment'],
    ['GET', /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, 'transitions'],
    ['POST', /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, 'transition'],
    ['GET', /^\/rest\/api\/3\/issue\/([^/]+)$/, 'issue'],
  ];
  const match = (method: string, path: string) => ROUTES.find(([m, re]) => m === method && re.test(path));

  const handle = (req: Recorded): Answer => {
    const creds = basicCredentials(req.headers['authorization']);
    if (!creds || creds[0] !== email || creds[1] !== token)
      return jiraError(401, ['Client must be authenticated to access this resource.']);
    const [, re, route] = match(req.method, req.path)!;
    const key = decodeURIComponent(re.exec(req.path)![1]!);
    const issue = issues.get(key);
    if (!issue) return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return { status: 415, body: 'Unsupported Media Type' };
      try {
        body = JSON.parse(req.body) as Record<string, unknown>;
      } catch {
        return jiraError(400, ['Unexpected character in JSON body']);
      }
    }
    switch (route) {
      case 'comments': {
        const desc = req.query.orderBy === '-created';
        const list = desc ? [...issue.comments].reverse() : issue.comments;
        const max = Number(req.query.maxResults ?? 50);
        return {
          status: 200,
          body: { startAt: 0, maxResults: max, total: list.length, comments: list.slice(0, max) },
        };
      }
      case 'comment': {
        if (!isValidAdf(body.body)) return jiraError(400, [], { comment: 'Comment body is not valid!' });
        const c = { id: String(nextComment++), body: body.body, created: new Date().toISOString() };
        issue.comments.push(c);
        return { status: 201, body: { ...c, author: { displayName: 'runbook-bot' } } };
      }
      case 'transitions':
        return {
          status: 200,
          body: {
            expand: 'transitions',
            transitions: (WORKFLOW[issue.status] ?? []).map((t) => ({
              id: t.id,
              name: t.name,
              hasScreen: false,
              isAvailable: true,
              to: { id: STATUS_IDS[t.to], name: t.to },
            })),
          },
        };
      case 'transition': {
        const id = (body.transition as { id?: unknown } | undefined)?.id;
        if (id === undefined) return jiraError(400, ["Missing 'transition' identifier"]);
        const t = (WORKFLOW[issue.status] ?? []).find((x) => x.id === String(id));
        if (!t) return jiraError(400, [`Transition id '${String(id)}' is not valid for this issue.`]);
        issue.status = t.to;
        return { status: 204 };
      }
      default:
        return {
          status: 200,
          body: {
            id: '10001',
            key: issue.key,
            fields: { status: { id: STATUS_IDS[issue.status], name: issue.status } },
          },
        };
    }
  };

  const server = await startLoopback({
    route: (method, path) => match(method, path)?.[2] ?? null,
    notFound: () => jiraError(404, ['null for uri']),
    handle,
  });
  return Object.assign(server, {
    email,
    token,
    issues,
    addIssue(key: string, status = 'To Do') {
      const i: FakeIssue = { key, status, comments: [] };
      issues.set(key, i);
      return i;
    },
  }) as JiraFake;
}
