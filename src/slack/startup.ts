/**
 * Fail fast at start: name every missing Slack variable in one message, then check the token once
 * with a short timeout (auth.test) instead of letting the client retry for minutes.
 */
import { WebClient } from '@slack/web-api';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { README_CONFIG_ANCHOR } from '../config.ts';

export interface SlackIdentity {
  botUserId: string;
  botId: string;
  teamId: string;
  team: string;
}

export function slackMode(config: Config): 'socket' | 'http' {
  return config.SLACK_APP_TOKEN ? 'socket' : 'http';
}

export function assertSlackConfig(config: Config): void {
  const missing: string[] = [];
  if (!config.SLACK_BOT_TOKEN)
    missing.push('SLACK_BOT_TOKEN (xoxb-…, OAuth & Permissions → Bot User OAuth Token)');
  if (slackMode(config) === 'http' && !config.SLACK_SIGNING_SECRET) {
    missing.push(
      'SLACK_SIGNING_SECRET (Basic Information → App Credentials), or SLACK_APP_TOKEN (xapp-…) for Socket Mode',
    );
  }
  if (missing.length) {
    throw new AppError(
      'CONFIG_INVALID',
      `runbook-bot needs Slack credentials to start. Set:\n${missing.map((m) => `  ${m}`).join('\n')}\nSee README.md#slack-app-setup and ${README_CONFIG_ANCHOR}.`,
    );
  }
}

export async function verifySlackToken(config: Config): Promise<SlackIdentity> {
  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    rejectRateLimitedCalls: true,
  });
  try {
    const r = await client.auth.test();
    return {
      botUserId: String(r.user_id),
      botId: String(r.bot_id ?? ''),
      teamId: String(r.team_id),
      team: String(r.team ?? ''),
    };
  } catch (e) {
    const detail = (e as { data?: { error?: string } }).data?.error ?? (e as Error).message;
    throw new AppError(
      'CONFIG_INVALID',
      `Slack rejected SLACK_BOT_TOKEN at ${config.SLACK_API_URL}auth.test: ${detail}. Check the token (README.md#slack-app-setup).`,
      { cause: e },
    );
  }
}
