/**
 * Load-time checks of follow-up steps that zod cannot express: a manifest is committed to git, so a
 * secret written into it (a token, a password in a URL, a Teams webhook URL) is an error that says
 * where it should live instead (an env var named in url_env / headers_from_env / secret_env);
 * literal ids and addresses have the right shape; a JSON body template is JSON; a step says what it
 * changes. Template references themselves are checked by crosscheck-expressions.ts.
 */
import { templateRefs } from '../domain/templates.ts';
import type { Step } from './schema.ts';
import type { PathSegment } from './manifest-error.ts';
import type { Report } from './report.ts';
import type { SourceDoc } from './yaml-source.ts';

type With<U extends Step['uses']> = Extract<Step, { uses: U }>['with'];

/** What a committed secret looks like, and what it is. */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bxapp-\d-[A-Za-z0-9-]{10,}/, 'a Slack app token'],
  [/hooks\.slack\.com\/(services|workflows)\/[A-Za-z0-9/]+/, 'a Slack incoming-webhook URL'],
  [
    /\.webhook\.office\.com\/webhook|logic\.azure\.com[^\s]*[?&]sig=|\.environment\.api\.powerplatform\.com[^\s]*[?&]sig=/,
    'a Teams webhook URL',
  ],
  // A credential has a digit somewhere: "Basic authentication failed" is prose, not a secret.
  [/\b(Bearer|Basic|OAuth|Token)\s+(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{12,}=*/, 'a credential'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\bATATT[A-Za-z0-9_=-]{20,}/, 'an Atlassian API token'],
  [/\bpat\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9]{10,}\.[A-Za-z0-9]{10,}/, 'a Harness token'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/, 'a JWT'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@{}]+:[^\s/@{}]+@/i, 'a URL with a password in it'],
];
export const SECRET_QUERY =
  /[?&](token|access_token|api_key|apikey|key|secret|sig|signature|password|auth)=(?!\{\{)[^&\s]+/i;
const SENSITIVE_HEADER =
  /^(authorization|proxy-authorization|cookie|x-api-key)$|token|secret|password|api-?key/i;
export const RESERVED_HEADERS = ['idempotency-key', 'content-length', 'host', 'transfer-encoding'];
export const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const WHERE_INSTEAD: Partial<Record<Step['uses'], string>> = {
  webhook: 'put it in an environment variable and name it in url_env, headers_from_env or secret_env',
  'teams.message': 'put the webhook URL in an environment variable and name it in url_env',
};

export const isTemplate = (s: string) => s.includes('{{');
/** A literal Jira issue key (OPS-123) or numeric id. */
export const JIRA_KEY = /^([A-Z][A-Z0-9_]*-[1-9]\d*|\d+)$/;
/** A literal ServiceNow number (INC0010001) or sys_id. */
export const SERVICENOW_RECORD = /^([A-Z]{2,10}\d{4,}|[0-9a-f]{32})$/;

/** What kind of secret `text` looks like, or undefined. */
export function secretKind(text: string): string | undefined {
  return SECRET_PATTERNS.find(([re]) => re.test(text))?.[1];
}

/** Every text leaf under `value`, with its path. */
function* strings(value: unknown, path: PathSegment[]): Generator<[string, PathSegment[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) yield* strings(value[i], [...path, i]);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

export function checkFollowupStep(doc: SourceDoc, base: PathSegment[], step: Step, report: Report): void {
  const at = (...p: PathSegment[]) => [...base, ...p];
  const w = step.with as Record<string, unknown>;
  for (const [text, path] of strings(w, at('with'))) {
    const hit = secretKind(text);
    if (hit) {
      const instead = WHERE_INSTEAD[step.uses] ?? 'keep secrets in environment variables read by runbook-bot';
      report(
        doc,
        path,
        `this looks like ${hit}; manifests are committed to git, so never write secrets in them: ${instead}`,
      );
    }
  }
  if (step.uses === 'harness.pipeline') {
    if (step.timeout !== undefined)
      report(
        doc,
        at('timeout'),
        'a pipeline step sets its wait with with.timeout (step-level timeout is for follow-ups)',
        'key',
      );
    return;
  }
  switch (step.uses) {
    case 'webhook':
      return checkWebhook(doc, at('with'), step.with, report);
    case 'slack.message':
      return checkSlack(doc, at('with'), step.with, report);
    case 'email':
      return checkEmail(doc, at('with'), step.with, report);
    case 'jira.comment':
    case 'jira.transition':
      if (!isTemplate(step.with.issue) && !JIRA_KEY.test(step.with.issue))
        report(doc, at('with', 'issue'), `"${step.with.issue}" is not a Jira issue key like OPS-123`);
      return;
    case 'servicenow.update':
      return checkServicenow(doc, at('with'), step.with, report);
    default:
      return;
  }
}

function checkWebhook(doc: SourceDoc, base: PathSegment[], w: With<'webhook'>, report: Report): void {
  if ((w.url === undefined) === (w.url_env === undefined))
    report(
      doc,
      base,
      'a webhook needs exactly one of url (a template) or url_env (an env var holding a secret URL)',
    );
  if (w.url !== undefined) {
    const literal = w.url.split('{{')[0] ?? '';
    if (!/^https?:\/\//.test(w.url) && !(literal === '' && isTemplate(w.url)))
      report(doc, [...base, 'url'], `"${w.url}" must start with https:// or http://`);
    if (SECRET_QUERY.test(w.url))
      report(
        doc,
        [...base, 'url'],
        'this URL carries a credential in its query; put the URL in an environment variable and use url_env',
      );
  }
  const names = new Map<string, string>();
  for (const [h, v] of Object.entries(w.headers)) {
    const lower = h.toLowerCase();
    names.set(lower, 'headers');
    if (RESERVED_HEADERS.includes(lower) || lower === w.signature_header.toLowerCase())
      report(doc, [...base, 'headers', h], `header ${h} is set by runbook-bot`, 'key');
    else if (SENSITIVE_HEADER.test(h) && v.trim() !== '' && !isTemplate(v) && !secretKind(v))
      report(
        doc,
        [...base, 'headers', h],
        `header ${h} holds a secret: move it to headers_from_env: { ${h}: SOME_ENV_VAR }`,
      );
  }
  for (const h of Object.keys(w.headers_from_env)) {
    if (names.has(h.toLowerCase()))
      report(doc, [...base, 'headers_from_env', h], `header ${h} is also set in headers; keep one`, 'key');
    if (RESERVED_HEADERS.includes(h.toLowerCase()))
      report(doc, [...base, 'headers_from_env', h], `header ${h} is set by runbook-bot`, 'key');
  }
  if (typeof w.body === 'string') {
    // Each tag becomes 0: valid both inside a JSON string and as a number, so only the JSON around it is judged.
    const { refs } = templateRefs(w.body);
    let probe = '';
    let last = 0;
    for (const r of refs) {
      probe += w.body.slice(last, r.start) + '0';
      last = r.end;
    }
    probe += w.body.slice(last);
    try {
      JSON.parse(probe);
    } catch (e) {
      report(
        doc,
        [...base, 'body'],
        `body is not JSON (${(e as Error).message}); write it as a YAML object, or fix the JSON text`,
      );
    }
  }
}

function checkSlack(doc: SourceDoc, base: PathSegment[], w: With<'slack.message'>, report: Report): void {
  if (w.user !== undefined && w.channel !== undefined)
    report(doc, base, 'set channel or user (a DM), not both');
  if (
    w.channel !== undefined &&
    !isTemplate(w.channel) &&
    !/^(incident|thread|[CGD][A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]*)$/.test(w.channel)
  )
    report(
      doc,
      [...base, 'channel'],
      `"${w.channel}" is not a channel: use incident (default), thread, a channel id like C012AB3CD, or #name`,
    );
  if (w.user !== undefined && !isTemplate(w.user) && !/^[UW][A-Z0-9]{2,}$/.test(w.user))
    report(
      doc,
      [...base, 'user'],
      `"${w.user}" is not a Slack user id like U012ABCDEF (or a template like "{{ incident.commander }}")`,
    );
}

export function checkEmail(
  doc: SourceDoc,
  base: PathSegment[],
  w: Pick<With<'email'>, 'to' | 'cc'>,
  report: Report,
): void {
  for (const key of ['to', 'cc'] as const) {
    const v = w[key];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    list.forEach((a, i) => {
      if (isTemplate(a)) return;
      for (const addr of a
        .split(/[,;]/)
        .map((x) => x.trim())
        .filter(Boolean)) {
        if (!ADDRESS.test(addr))
          report(
            doc,
            Array.isArray(v) ? [...base, key, i] : [...base, key],
            `"${addr}" is not an email address`,
          );
      }
    });
  }
}

function checkServicenow(
  doc: SourceDoc,
  base: PathSegment[],
  w: With<'servicenow.update'>,
  report: Report,
): void {
  const changes = ['work_notes', 'comments', 'state', 'close_code', 'close_notes'] as const;
  if (!changes.some((c) => w[c] !== undefined))
    report(doc, base, `servicenow.update changes nothing: set one of ${changes.join(', ')}`);
  if (!isTemplate(w.record) && !SERVICENOW_RECORD.test(w.record))
    report(
      doc,
      [...base, 'record'],
      `"${w.record}" is neither a ServiceNow number like INC0010001 nor a 32-character sys_id`,
    );
}
