/**
 * The declare modal: rebuilt when the incident type changes (its custom fields), validated inline,
 * then the incident is declared through the service, its channel created (or the current one used)
 * and the declarer invited; the summary is pinned by the incident listener (app.ts). The picker modal's submit goes to the input modal.
 */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import * as ids from '../ids.ts';
import {
  declareModal,
  parseDeclareModal,
  parseDeclareMeta,
  declareErrorsToBlocks,
  parsePickerModal,
  readOne,
  TEST_MARK,
} from '../blocks/index.ts';
import { isAppError } from '../../errors.ts';
import { createIncidentChannel, inviteUsers } from '../incident-channel.ts';
import { errorText } from '../errors.ts';
import { inputModalFor } from './shared.ts';

export function registerIncidentViews(app: App, d: SlackDeps): void {
  app.action(ids.DECLARE_TYPE, async ({ ack, action, body, client }) => {
    await ack();
    const view = (
      body as { view?: { id: string; hash: string; private_metadata?: string; state?: { values?: unknown } } }
    ).view;
    if (!view) return;
    const typeId = (action as { selected_option?: { value?: string } }).selected_option?.value;
    const meta = parseDeclareMeta(view.private_metadata) ?? { channelId: '', channelIsIncident: false };
    // Carry what was entered into the rebuilt modal (Slack keeps typed values only for unchanged blocks).
    const values = view.state?.values;
    const entered = (block: string) => readOne(values, block) ?? undefined;
    const next = declareModal({
      catalog: d.catalog(),
      ...(typeId ? { typeId } : {}),
      channelId: meta.channelId,
      channelIsIncident: meta.channelIsIncident,
      ...(meta.test ? { test: true } : {}),
      ...optional('summary', entered(ids.DECLARE_SUMMARY_BLOCK)),
      ...optional('severity', entered(ids.DECLARE_SEVERITY_BLOCK)),
      ...optional('service', entered(ids.DECLARE_SERVICE_BLOCK)),
      ...optional('environment', entered(ids.DECLARE_ENVIRONMENT_BLOCK)),
      ...optional('commander', entered(ids.DECLARE_COMMANDER_BLOCK)),
    });
    try {
      await client.views.update({ view_id: view.id, hash: view.hash, view: next as never });
    } catch (e) {
      d.log.info({ err: (e as Error).message }, 'declare modal update failed (closed or changed meanwhile)');
    }
  });

  app.view(ids.DECLARE_MODAL, async ({ ack, view, body, client }) => {
    const parsed = parseDeclareModal(view.state.values as never, d.catalog());
    if (parsed.errors || !parsed.input)
      return ack({ response_action: 'errors', errors: parsed.errors ?? {} });
    if (!d.store.idempotency.claim(`view:${view.id}`, d.clock.now())) return ack();
    const meta = parseDeclareMeta(view.private_metadata) ?? { channelId: '', channelIsIncident: false };
    const user = body.user.id;
    // A test incident gets its own test-… channel, whatever the form says.
    const useCurrent =
      parsed.input.useCurrentChannel && !meta.channelIsIncident && !!meta.channelId && !meta.test;
    const { useCurrentChannel: _ignored, ...input } = parsed.input;
    let incident;
    try {
      incident = d.incidents.declare(
        {
          ...input,
          commander: input.commander ?? user,
          channel: useCurrent ? meta.channelId : null,
          ...(meta.test ? { test: true } : {}),
        },
        user,
      );
    } catch (e) {
      const fields = isAppError(e) ? (e.details.fields as Record<string, string> | undefined) : undefined;
      const values = (view.state?.values ?? {}) as Record<string, unknown>;
      const errors = fields
        ? declareErrorsToBlocks(fields, (id) => id in values)
        : { [ids.DECLARE_SUMMARY_BLOCK]: errorText(e).slice(0, 2000) };
      return ack({ response_action: 'errors', errors });
    }
    await ack();
    const tell = (text: string) =>
      meta.channelId
        ? client.chat.postEphemeral({ channel: meta.channelId, user, text }).catch(() => undefined)
        : Promise.resolve();
    try {
      let channel = incident.channel;
      if (!channel) {
        channel = await createIncidentChannel(client, incident, d.log);
        incident = d.incidents.update(incident.id, { channel }, user).incident;
      }
      await inviteUsers(client, channel, [user, incident.commander ?? '']);
      if (channel !== meta.channelId)
        await tell(
          `${incident.test ? `${TEST_MARK} ` : ':rotating_light: '}${incident.id} declared: <#${channel}>`,
        );
    } catch (e) {
      d.log.warn({ incident: incident.id, err: (e as Error).message }, 'incident channel setup failed');
      await tell(`:warning: ${incident.id} was declared, but setting up its channel failed: ${errorText(e)}`);
    }
  });

  app.view(ids.RUNBOOK_PICKER_MODAL, async ({ ack, view }) => {
    const picked = parsePickerModal(view as never, [...d.catalog().runbooks.values()]);
    if (!picked.runbook)
      return ack({ response_action: 'errors', errors: { [ids.RUNBOOK_PICK_BLOCK]: 'Pick a runbook.' } });
    const incident = picked.incidentId ? (d.store.incidents.get(picked.incidentId) ?? null) : null;
    return ack({
      response_action: 'update',
      view: inputModalFor(d, picked.runbook, incident, picked.channelId) as never,
    });
  });
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
