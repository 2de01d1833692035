/**
 * `email`: sends a plain-text (and optionally HTML) message through SMTP with nodemailer, from
 * `SMTP_FROM` via `SMTP_URL` (smtp[s]://user:password@host:port — the password lives only there).
 * Recipients are templates; HTML templates escape their values for HTML.
 *
 * idempotentStart: true — SMTP cannot tell us whether a cut-off DATA was delivered, so a restart
 * mid-send may send again (at-least-once). The Message-ID is stable per run and step, so mail
 * systems that deduplicate on it (Gmail does) show one message.
 */
import nodemailer from 'nodemailer';
import { AppError } from '../../errors.ts';
import { escapers } from '../../domain/templates.ts';
import type { EmailWith } from '../../manifests/schema.ts';
import type { ActionDefinition, ActionPreview, MailMessage, SmtpFactory } from '../ports.ts';
import {
  FOLLOWUP_DEFAULT_RETRIES,
  callTimeoutMs,
  envOf,
  followupTimeoutMs,
  missingCollector,
  render,
  requireEnv,
  scrub,
  specAs,
} from './followup-kit.ts';

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** nodemailer over SMTP_URL; every wait bounded by the call timeout; no file or URL attachments. */
export const nodemailerSmtp: SmtpFactory = (url, { timeoutMs }) => {
  const t = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async sendMail(msg: MailMessage) {
      const info = (await t.sendMail(msg)) as {
        messageId?: string;
        accepted?: unknown[];
        rejected?: unknown[];
        response?: string;
      };
      return {
        ...(info.messageId ? { messageId: info.messageId } : {}),
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
        ...(info.response ? { response: info.response } : {}),
      };
    },
    close: () => t.close(),
  };
};

export function buildEmail(w: EmailWith, scope: Record<string, unknown>) {
  const m = missingCollector();
  const list = (v: EmailWith['to'] | undefined) =>
    (v === undefined ? [] : Array.isArray(v) ? v : [v])
      .flatMap((tpl) => m.add(render(tpl, scope)).text.split(/[,;\s]+/))
      .map((a) => a.trim())
      .filter(Boolean);
  return {
    to: list(w.to),
    cc: list(w.cc),
    // A header: no line breaks (header injection), whitespace collapsed.
    subject: m.add(render(w.subject, scope)).text.replace(/\s+/g, ' ').trim(),
    text: m.add(render(w.text, scope)).text,
    ...(w.html !== undefined ? { html: m.add(render(w.html, scope, escapers.html)).text } : {}),
    missing: m.all,
  };
}

function smtpHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'SMTP_URL';
  }
}

/** nodemailer's error → temporary (connection trouble, 4xx replies) or final (5xx, auth, envelope). */
function smtpFailure(e: unknown, host: string, secrets: string[]): AppError {
  const err = e as { code?: string; responseCode?: number; response?: string; message?: string };
  const temporary =
    (err.responseCode !== undefined && err.responseCode >= 400 && err.responseCode < 500) ||
    ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS'].includes(err.code ?? '');
  const what = err.response ?? err.message ?? String(e);
  return new AppError(
    'ACTION_FAILED',
    scrub(`SMTP ${host}: ${what}${err.code ? ` (${err.code})` : ''}`, secrets),
    {
      retryable: temporary,
    },
  );
}

export const emailAction: ActionDefinition = {
  uses: 'email',
  idempotentStart: true,
  defaultRetries: FOLLOWUP_DEFAULT_RETRIES,
  timeoutMs: followupTimeoutMs,

  async start(ctx) {
    const w = specAs(ctx, 'email');
    const env = requireEnv(envOf(ctx), ['SMTP_URL', 'SMTP_FROM'], 'email');
    const url = env('SMTP_URL');
    const from = env('SMTP_FROM');
    const built = buildEmail(w, ctx.scope);
    const bad = [...built.to, ...built.cc].filter((a) => !ADDRESS.test(a));
    if (bad.length)
      throw new AppError('ACTION_FAILED', `not an email address: ${bad.map((a) => `"${a}"`).join(', ')}`);
    if (!built.to.length) {
      const why = built.missing.length ? ` (${built.missing.join(', ')} has no value)` : '';
      throw new AppError('ACTION_FAILED', `with.to has no recipient${why}`);
    }
    let password: string | undefined;
    try {
      password = decodeURIComponent(new URL(url).password) || undefined;
    } catch {
      // not parseable: nodemailer will say why
    }
    const secrets = [url, password].filter((x): x is string => !!x);
    const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'runbook-bot.local';
    const msg: MailMessage = {
      from,
      to: built.to,
      cc: built.cc,
      subject: built.subject,
      text: built.text,
      ...(built.html !== undefined ? { html: built.html } : {}),
      messageId: `<runbook-bot.${ctx.run.id}.${ctx.step.stepId}@${domain}>`,
      headers: { 'X-Runbook-Run': ctx.run.id },
    };
    const transport = (ctx.deps.smtp ?? nodemailerSmtp)(url, { timeoutMs: callTimeoutMs(ctx) });
    const host = smtpHost(url);
    let info;
    try {
      info = await transport.sendMail(msg);
    } catch (e) {
      throw smtpFailure(e, host, secrets);
    } finally {
      transport.close?.();
    }
    if (info.accepted.length === 0)
      throw new AppError(
        'ACTION_FAILED',
        `SMTP ${host} accepted no recipient (refused: ${info.rejected.join(', ')})`,
      );
    const refused = info.rejected.length ? `; refused: ${info.rejected.join(', ')}` : '';
    return {
      kind: 'done',
      status: 'succeeded',
      output: { message_id: msg.messageId, accepted: info.accepted, rejected: info.rejected },
      events: [
        {
          kind: 'followup.done',
          text: `Email "${built.subject}" sent to ${info.accepted.join(', ')}${refused}`,
        },
      ],
    };
  },

  preview(spec, scope): ActionPreview {
    const w = specAs({ spec }, 'email');
    const b = buildEmail(w, scope);
    const headers: Record<string, string> = { From: '$SMTP_FROM', To: b.to.join(', '), Subject: b.subject };
    if (b.cc.length) headers.Cc = b.cc.join(', ');
    const body = b.html === undefined ? b.text : `${b.text}\n--- text/html ---\n${b.html}`;
    return { request: 'SMTP $SMTP_URL', headers, body, missing: b.missing };
  },
};
