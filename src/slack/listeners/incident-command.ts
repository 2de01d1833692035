/**
 * `/incident` — declare (modal), and in an incident channel: summary, severity, status, commander,
 * set <field> <value>, resolve. Every change goes through the incident service (one path, so no
 * change can skip the timeline, the pinned summary or triggers). Answers are quick, so the ack
 * carries them.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import {
  helpText,
  declareModal,
  incidentSummary,
  parseDeclareArgs,
  testPrefix,
  TEST_MARK,
} from '../blocks/index.ts';
import { ephemeral } from './shared.ts';
import { errorText } from '../errors.ts';
import type { IncidentChange } from '../../incidents/service.ts';
import { INCIDENT_STATUSES } from '../../domain/types.ts';

function changeLine(changes: IncidentChange[], actor: string): string {
  if (!changes.length) return 'Nothing changed.';
  const parts = changes.map(
    (c) =>
      `*${c.field}* ${c.from === null || c.from === undefined ? '' : `${String(c.from)} → `}${c.to === null || c.to === undefined ? '(cleared)' : String(c.to)}`,
  );
  return `${parts.join(' · ')} (by <@${actor}>)`;
}

export function registerIncidentCommand(app: App, d: SlackDeps): void {
  app.command('/incident', async ({ command, ack, respond }) => {
    const text = command.text.trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const sub = first.toLowerCase();
    const arg = rest.join(' ');
    const incident = d.incidents.byChannel(command.channel_id) ?? null;

    if (sub === 'help') return ack(ephemeral(helpText('/incident')));
    if (sub === 'declare') {
      const args = parseDeclareArgs(arg);
      if ('error' in args) return ack(ephemeral(`:warning: ${args.error}\n\n${helpText('/incident').text}`));
      await ack();
      // Like every modal: after the ack, first in the after-ack queue, over the lean caller.
      d.afterAck.push('modal', 'declare modal', async () => {
        const view = declareModal({
          catalog: d.catalog(),
          summary: args.summary,
          channelId: command.channel_id,
          channelIsIncident: incident !== null,
          ...(args.test ? { test: true } : {}),
        });
        try {
          await d.slackApi.call('views.open', { trigger_id: command.trigger_id, view });
        } catch (e) {
          d.log.warn({ err: (e as Error).message }, 'views.open failed');
          await respond({ response_type: 'ephemeral', text: errorText(e) });
        }
      });
      return;
    }
    if (!incident) {
      const hint = sub
        ? `\`/incident ${sub}\` works in an incident channel, and this is not one.`
        : 'This is not an incident channel.';
      return ack(
        ephemeral(
          `:warning: ${hint} Declare one with \`/incident declare <summary>\` (or \`/incident declare --test <summary>\` to rehearse runbooks safely).\n\n${helpText('/incident').text}`,
        ),
      );
    }
    if (sub === '') {
      const type = d.catalog().incidentTypes.get(incident.type) ?? null;
      return ack(
        ephemeral(incidentSummary(incident, type, d.clock.now(), d.gates?.describeFor(incident.id))),
      );
    }
    if (sub === 'freeze' || sub === 'unfreeze') {
      // A manual deployment-gate override: commanders only; the gate service audits it.
      if (!d.gates) return ack(ephemeral(':warning: Deployment gates are not set up here.'));
      if (incident.test)
        return ack(
          ephemeral(
            `:information_source: ${incident.id} is a ${TEST_MARK} incident: test incidents never hold deployment gates, so there is nothing to ${sub}.`,
          ),
        );
      try {
        const who = await d.access.check(command.user_id, ['commanders'], incident);
        if (!who.ok)
          return ack(ephemeral(`:no_entry: Only ${who.who} can ${sub} deployments for ${incident.id}.`));
        const line = d.gates.setOverride(incident.id, sub, command.user_id, arg);
        const state =
          d.gates.describeFor(incident.id).join('\n') || 'This incident holds no deployment gate now.';
        return ack({ response_type: 'in_channel', text: `${incident.id}: ${line}\n${state}` });
      } catch (e) {
        return ack(ephemeral(errorText(e)));
      }
    }
    const user = command.user_id;
    try {
      let result;
      switch (sub) {
        case 'severity':
          result = d.incidents.update(incident.id, { severity: arg }, user);
          break;
        case 'status':
          if (!arg) return ack(ephemeral(`:warning: Which status? One of ${INCIDENT_STATUSES.join(', ')}.`));
          result = d.incidents.update(incident.id, { status: arg.toLowerCase() }, user);
          break;
        case 'commander': {
          const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(arg) ?? /^([UW][A-Z0-9]{2,})$/.exec(arg);
          if (!m)
            return ack(
              ephemeral(':warning: Name the commander with a mention: `/incident commander @jane`.'),
            );
          result = d.incidents.update(incident.id, { commander: m[1]! }, user);
          break;
        }
        case 'set': {
          const [field = '', ...value] = rest;
          if (!field || !value.length)
            return ack(
              ephemeral(
                ':warning: Usage: `/incident set <field> <value>`, e.g. `/incident set region us-east-1`.',
              ),
            );
          result = d.incidents.setField(incident.id, field, value.join(' '), user);
          break;
        }
        case 'resolve':
          result = d.incidents.resolve(incident.id, user);
          break;
        default:
          return ack(ephemeral(`:warning: Unknown subcommand \`${sub}\`.\n\n${helpText('/incident').text}`));
      }
      await ack({
        response_type: 'in_channel',
        text: `${testPrefix(incident.test, ' ')}${incident.id}: ${changeLine(result.changes, user)}`,
      });
    } catch (e) {
      await ack(ephemeral(errorText(e)));
    }
  });
}
