/**
 * What every follow-up action shares: reading config and secrets from the environment, rendering
 * templates for a target, the step's idempotency key, and defaults for retries and timeouts.
 * Secrets are only ever read here, by name, at send time; dry-run never reads them.
 */
import { AppError } from '../../errors.ts';
import { parseDuration } from '../../domain/duration.ts';
import { escapers, renderTemplate, type Escaper } from '../../domain/templates.ts';
import type { ActionContext } from '../ports.ts';
import type { Step } from '../../manifests/schema.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Follow-ups keep trying temporary failures for up to this long unless the step says `timeout:`. */
export const FOLLOWUP_DEFAULT_TIMEOUT = '10m';
export const FOLLOWUP_DEFAULT_RETRIES = 5;
/** One HTTP/SMTP call never waits longer than this (and never past the step's deadline). */
export const CALL_TIMEOUT_MS = 30_000;

export function envOf(ctx: ActionContext): Env {
  return ctx.deps.env ?? process.env;
}

/** A getter of `names`' values, or one CONFIG_INVALID error naming every missing variable (not retried). */
export function requireEnv<const N extends string>(env: Env, names: readonly N[], purpose: string) {
  const missing = names.filter((n) => !env[n]?.trim());
  if (missing.length) {
    throw new AppError(
      'CONFIG_INVALID',
      `${purpose} needs ${missing.join(', ')} in the environment of runbook-bot (see README.md#follow-up-actions).`,
    );
  }
  return (name: N): string => env[name]?.trim() ?? '';
}

/** The step's `timeout:` (or the follow-up default), in ms. */
export function followupTimeoutMs(spec: Step): number {
  return parseDuration(spec.timeout ?? FOLLOWUP_DEFAULT_TIMEOUT) ?? 600_000;
}

/** How long one call may take: CALL_TIMEOUT_MS, cut short by the step's deadline (at least 1 s). */
export function callTimeoutMs(ctx: ActionContext): number {
  const left = ctx.step.deadlineAt === null ? CALL_TIMEOUT_MS : ctx.step.deadlineAt - ctx.now;
  return Math.max(1000, Math.min(CALL_TIMEOUT_MS, left));
}

/** Stable per run and step, across retries and restarts: what targets deduplicate on. */
export function idempotencyKey(ids: { runId: string; stepId: string }): string {
  return `${ids.runId}:${ids.stepId}`;
}

/** Text written into a Jira comment / ServiceNow work note so a retry can see it was already sent. */
export function deliveryMarker(ids: { runId: string; stepId: string }): string {
  return `runbook-bot ${ids.runId}/${ids.stepId}`;
}

export interface Rendered {
  text: string;
  missing: string[];
}

/** Renders a template for its target; references without a value render empty and are listed. */
export function render(tpl: string, scope: Record<string, unknown>, escape: Escaper = escapers.plain) {
  const r = renderTemplate(tpl, scope, escape);
  return { text: r.text, missing: r.missing };
}

/** Like render, but an empty result is a final error naming the field and what had no value. */
export function renderRequired(
  tpl: string,
  scope: Record<string, unknown>,
  field: string,
  escape: Escaper = escapers.plain,
): string {
  const r = renderTemplate(tpl, scope, escape);
  if (r.text.trim() === '') {
    const why = r.missing.length
      ? `: ${r.missing.join(', ')} ${r.missing.length > 1 ? 'have' : 'has'} no value`
      : '';
    throw new AppError('ACTION_FAILED', `with.${field} is empty${why} (template: ${JSON.stringify(tpl)})`);
  }
  return r.text.trim();
}

/** Collects `missing` across several renders, once each, for dry-run. */
export function missingCollector() {
  const all: string[] = [];
  return {
    all,
    add<R extends { missing: string[] }>(r: R): R {
      for (const m of r.missing) if (!all.includes(m)) all.push(m);
      return r;
    },
  };
}

/** Cuts text to `max` characters with an ellipsis (Block Kit and card limits). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Replaces every secret value that occurs in `text` (a vendor may echo a header or URL back). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** The step spec narrowed to one `uses:` (the registry only hands an action its own steps). */
export type WithOf<U extends Step['uses']> = Extract<Step, { uses: U }>['with'];
export function specAs<U extends Step['uses']>(ctx: { spec: Step }, uses: U): WithOf<U> {
  const spec: { uses: string; with: unknown } = ctx.spec;
  if (spec.uses !== uses) throw new AppError('INTERNAL', `${uses} was given a ${spec.uses} step`);
  return spec.with as WithOf<U>;
}

/**
 * The env vars a follow-up needs, by `uses`; each entry lists alternatives (one must be set). Names
 * only: the checklist says what is missing without ever reading a value out.
 */
export function followupEnvNames(step: Step): string[][] {
  const w = (step.with ?? {}) as Record<string, unknown>;
  switch (step.uses) {
    case 'jira.comment':
    case 'jira.transition':
      return [['JIRA_BASE_URL'], ['JIRA_EMAIL'], ['JIRA_API_TOKEN']];
    case 'servicenow.update':
      return [['SERVICENOW_INSTANCE_URL'], ['SERVICENOW_TOKEN', 'SERVICENOW_USERNAME']];
    case 'email':
      return [['SMTP_URL'], ['SMTP_FROM']];
    case 'teams.message':
      return typeof w.url_env === 'string' ? [[w.url_env]] : [];
    case 'webhook': {
      const out: string[][] = [];
      if (typeof w.url_env === 'string') out.push([w.url_env]);
      if (typeof w.secret_env === 'string') out.push([w.secret_env]);
      for (const v of Object.values((w.headers_from_env ?? {}) as Record<string, unknown>))
        if (typeof v === 'string') out.push([v]);
      return out;
    }
    default:
      return [];
  }
}
