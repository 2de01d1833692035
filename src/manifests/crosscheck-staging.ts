/**
 * Load-time checks of `staging:` (where a test incident sends a step instead): the staging target
 * has the same shape rules as the production one, and it is not the production target itself — a
 * `staging:` that points back at production would make a test incident act on production.
 */
import type { Step } from './schema.ts';
import type { PathSegment } from './manifest-error.ts';
import type { Report } from './report.ts';
import type { SourceDoc } from './yaml-source.ts';
import {
  JIRA_KEY,
  RESERVED_HEADERS,
  SECRET_QUERY,
  SERVICENOW_RECORD,
  checkEmail,
  isTemplate,
} from './crosscheck-followups.ts';

const list = (v: string | string[] | undefined): string[] =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((x) => x.trim().toLowerCase()).sort();
const sameList = (a: string | string[] | undefined, b: string | string[] | undefined) =>
  JSON.stringify(list(a)) === JSON.stringify(list(b));

export function checkStaging(doc: SourceDoc, base: PathSegment[], step: Step, report: Report): void {
  const at = [...base, 'with', 'staging'];
  const production = (what: string) =>
    `the staging ${what} is the production one, so a test incident would act on production: name a staging ${what}, or remove staging: (test incidents then skip this step)`;
  switch (step.uses) {
    case 'harness.pipeline': {
      const s = step.with.staging;
      if (!s) return;
      const w = step.with;
      const same = (['org', 'project', 'pipeline'] as const).every((k) => (s[k] ?? w[k]) === w[k]);
      if (same) report(doc, at, `${production('pipeline')} (${w.org}/${w.project}/${w.pipeline})`);
      return;
    }
    case 'jira.comment':
    case 'jira.transition': {
      const s = step.with.staging;
      if (!s) return;
      if (!isTemplate(s.issue) && !JIRA_KEY.test(s.issue))
        report(doc, [...at, 'issue'], `"${s.issue}" is not a Jira issue key like OPS-123`);
      else if (s.issue.trim() === step.with.issue.trim()) report(doc, [...at, 'issue'], production('issue'));
      return;
    }
    case 'servicenow.update': {
      const s = step.with.staging;
      if (!s) return;
      if (!isTemplate(s.record) && !SERVICENOW_RECORD.test(s.record))
        report(
          doc,
          [...at, 'record'],
          `"${s.record}" is neither a ServiceNow number like INC0010001 nor a 32-character sys_id`,
        );
      else if (
        s.record.trim() === step.with.record.trim() &&
        (s.table ?? step.with.table) === step.with.table
      )
        report(doc, [...at, 'record'], production('record'));
      return;
    }
    case 'email': {
      const s = step.with.staging;
      if (!s) return;
      checkEmail(doc, at, s, report);
      if (sameList(s.to, step.with.to)) report(doc, [...at, 'to'], production('recipient list'));
      return;
    }
    case 'teams.message': {
      const s = step.with.staging;
      if (s && s.url_env === step.with.url_env) report(doc, [...at, 'url_env'], production('webhook'));
      return;
    }
    case 'webhook':
      return checkWebhookStaging(doc, at, step.with, report, production);
    default:
      return;
  }
}

function checkWebhookStaging(
  doc: SourceDoc,
  at: PathSegment[],
  w: Extract<Step, { uses: 'webhook' }>['with'],
  report: Report,
  production: (what: string) => string,
): void {
  const s = w.staging;
  if (!s) return;
  if ((s.url === undefined) === (s.url_env === undefined)) {
    report(
      doc,
      at,
      'a webhook staging target needs exactly one of url (a template) or url_env (an env var holding a secret URL)',
    );
    return;
  }
  if (s.url !== undefined) {
    const literal = s.url.split('{{')[0] ?? '';
    if (!/^https?:\/\//.test(s.url) && !(literal === '' && isTemplate(s.url)))
      report(doc, [...at, 'url'], `"${s.url}" must start with https:// or http://`);
    if (SECRET_QUERY.test(s.url))
      report(
        doc,
        [...at, 'url'],
        'this URL carries a credential in its query; put the URL in an environment variable and use url_env',
      );
    if (s.url.trim() === w.url?.trim()) report(doc, [...at, 'url'], production('URL'));
  }
  if (s.url_env !== undefined && s.url_env === w.url_env) report(doc, [...at, 'url_env'], production('URL'));
  const plain = new Set(Object.keys(w.headers).map((h) => h.toLowerCase()));
  for (const h of Object.keys(s.headers_from_env ?? {})) {
    const lower = h.toLowerCase();
    if (RESERVED_HEADERS.includes(lower) || lower === w.signature_header.toLowerCase())
      report(doc, [...at, 'headers_from_env', h], `header ${h} is set by runbook-bot`, 'key');
    else if (plain.has(lower))
      report(doc, [...at, 'headers_from_env', h], `header ${h} is also set in headers; keep one`, 'key');
  }
}
