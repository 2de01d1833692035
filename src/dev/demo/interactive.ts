/**
 * `npm run demo -- --interactive`: the demo world with the keyboard handed to the user. Lines
 * starting with `/runbook` or `/incident` become signed slash commands from the current user in the
 * current channel; a number clicks that button of the messages on screen; a modal the bot opens is
 * shown with its fields and submitted with `submit field=value …`. Everything goes through the
 * app's real `POST /slack/events`, so what you see is what a workspace would see.
 */
import { createInterface } from 'node:readline';
import { blockAction, slashCommand, viewSubmission } from '../../../test/support/slack-requests.ts';
import { stateFor } from '../../../test/support/slack-view-state.ts';
import { channelTranscript, programStandIns, userNames } from './scenario.ts';
import { messageLines, plainMrkdwn } from './render.ts';
import { SIGNING_SECRET, type DemoWorld } from './world.ts';

type Json = Record<string, unknown>;
interface Clickable {
  channel: string;
  ts: string;
  blockId: string;
  button: Json;
}

const HELP = `Type:
  /incident declare Checkout is down   /incident          /runbook list      /runbook rollback
  alert              open a P1 customer-facing incident through the API (as an alerting tool would)
  <number>           click that button
  submit k=v k=v     submit the open modal (k is the field name shown; omitted fields keep their value)
  as alice|bob|primary-owner   act as another user (bob is a commander of incidents he commands)
  channel <name|id>  switch channel (the newest incident channel is picked automatically)
  show               print the current channel again      help      quit`;

export async function runInteractive(world: DemoWorld): Promise<void> {
  const names = userNames(world);
  const idOf = (name: string) => Object.entries(names).find(([id, n]) => n === name || id === name)?.[0];
  let user = 'U222';
  let channel = 'C111';
  let clickables: Clickable[] = [];
  let openView: string | null = null;
  let seenCalls = world.slack.calls.length;
  let seenResponses = world.slack.responses.length;
  const rl = createInterface({ input: process.stdin, output: process.stdout });

  /** Lets the bot react (acks come first, Slack calls after), then prints what changed. */
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 1200));
    await world.app.publisher.idle(5000);
    const newest = world.app.store.incidents.list(1)[0];
    if (newest?.channel && newest.channel !== channel && world.slack.messages(newest.channel).length) {
      channel = newest.channel;
      console.log(`(switched to the incident channel ${channel})`);
    }
    const calls = world.slack.calls.slice(seenCalls);
    seenCalls = world.slack.calls.length;
    for (const c of calls) {
      if (c.method === 'chat.postEphemeral' && c.response?.ok)
        console.log(
          `(only visible to you) ${messageLines(asMessage(c.args), { users: names }).join('\n  ')}`,
        );
      if (
        (c.method === 'views.open' || c.method === 'views.push' || c.method === 'views.update') &&
        c.response?.ok
      ) {
        openView = String((c.response.view as Json).id);
      }
    }
    for (const r of world.slack.responses.slice(seenResponses)) {
      const body = r.body as Json;
      console.log(`(reply to you) ${plainMrkdwn(String(body?.text ?? JSON.stringify(body)), names)}`);
    }
    seenResponses = world.slack.responses.length;
    if (openView) showView(openView);
    show();
  };

  /** The message and block a rendered button belongs to (same action_id and value). */
  const locate = (b: Json) => {
    for (const ch of world.slack.channels)
      for (const m of world.slack.messages(ch.id))
        for (const block of m.blocks ?? []) {
          const els = [
            ...((block.elements as Json[]) ?? []),
            ...(block.accessory ? [block.accessory as Json] : []),
          ];
          if (els.some((e) => e.action_id === b.action_id && e.value === b.value))
            return { channel: ch.id, ts: m.ts, blockId: String(block.block_id) };
        }
    return undefined;
  };

  const show = () => {
    clickables = [];
    const lines = channelTranscript(
      world,
      {
        button: (b) => {
          if (b.url) return undefined; // link buttons open a browser, nothing to click here
          const found = locate(b);
          if (!found) return undefined;
          clickables.push({ channel: found.channel, ts: found.ts, blockId: found.blockId, button: b });
          return String(clickables.length);
        },
      },
      channel,
    );
    console.log(lines.join('\n'));
    console.log(`you are @${names[user]} in ${channel}${openView ? ' · a modal is open (submit …)' : ''}`);
  };

  const showView = (id: string) => {
    const v = world.slack.view(id);
    if (!v || v.closed) return void (openView = null);
    console.log(`┌ modal: ${String((v.view.title as Json)?.text ?? '')}`);
    for (const b of (v.view.blocks as Json[]) ?? []) {
      if (b.type === 'input') {
        const el = b.element as Json;
        const opts = ((el.options as Json[]) ?? []).map((o) => String(o.value));
        const initial = el.initial_value ?? (el.initial_option as Json)?.value ?? el.initial_user ?? '';
        console.log(
          `│ ${fieldKey(String(b.block_id))} — ${String((b.label as Json)?.text ?? '')}${opts.length ? ` (${opts.join(' | ')})` : ''}${initial ? ` [${String(initial)}]` : ''}`,
        );
      } else {
        for (const l of messageLines({ text: '', blocks: [b] }, { users: names })) console.log(`│ ${l}`);
      }
    }
    console.log('└ submit field=value … (or just: submit)');
  };

  const submit = async (args: string) => {
    if (!openView) return console.log('No modal is open.');
    const v = world.slack.view(openView)!;
    const typed: Record<string, string> = {};
    for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S+)/g)) {
      const block = ((v.view.blocks as Json[]) ?? []).find((b) => fieldKey(String(b.block_id)) === m[1]);
      if (!block) return console.log(`No field "${m[1]}" in this modal.`);
      typed[String(block.block_id)] = m[3] ?? m[2]!;
    }
    // A select that redraws the modal (the incident type adds its fields) is "picked" first, as
    // Slack sends a block action the moment it changes; then the user sees the new fields.
    for (const [blockId, value] of Object.entries(typed)) {
      const block = ((v.view.blocks as Json[]) ?? []).find((b) => b.block_id === blockId)!;
      const el = block.element as Json;
      const initial = (el.initial_option as Json | undefined)?.value;
      if (!block.dispatch_action || value === initial) continue;
      const before = world.slack.callsTo('views.update').length;
      await blockAction(world.url, SIGNING_SECRET, {
        user: { id: user },
        view: {
          id: v.id,
          hash: v.hash,
          callback_id: v.view.callback_id,
          private_metadata: v.view.private_metadata,
          state: { values: stateFor(v.view) },
        },
        actions: [
          {
            type: String(el.type),
            action_id: el.action_id,
            block_id: blockId,
            selected_option: { text: { type: 'plain_text', text: value }, value },
          },
        ],
      });
      await world.slack
        .waitFor(() => world.slack.callsTo('views.update').length > before, {
          what: 'the modal to redraw',
          timeoutMs: 3000,
        })
        .then(() => console.log('The modal changed: check the fields and submit again.'))
        .catch(() => undefined);
      return;
    }
    let values;
    try {
      values = stateFor(v.view, typed);
    } catch (e) {
      return console.log((e as Error).message);
    }
    const res = await viewSubmission(world.url, SIGNING_SECRET, {
      user: { id: user },
      view: {
        id: v.id,
        hash: v.hash,
        callback_id: v.view.callback_id,
        private_metadata: v.view.private_metadata,
        state: { values },
      },
    });
    if (res.body) {
      const errs = (JSON.parse(res.body) as Json).errors as Json | undefined;
      console.log(
        errs
          ? `The modal says: ${Object.entries(errs)
              .map(([k, e]) => `${fieldKey(k)}: ${String(e)}`)
              .join('; ')}`
          : res.body,
      );
      return;
    }
    openView = null;
  };

  programStandIns(world);
  console.log(HELP);
  show();
  rl.setPrompt('> ');
  rl.prompt();
  // The async iterator buffers lines typed (or piped) while the previous one is still being played.
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === 'quit' || line === 'exit') break;
    if (!line) {
      rl.prompt();
      continue;
    }
    if (line === 'help') console.log(HELP);
    else if (line === 'show') show();
    else if (line === 'alert') {
      const r = await world.api('POST', '/api/incidents', {
        summary: 'Checkout error rate above 5%',
        severity: 'P1',
        service: 'checkout',
        environment: 'prod',
        type: 'major-incident',
        commander: 'U222',
        fields: { customer_facing: true, jira_key: 'OPS-42' },
      });
      console.log(`POST /api/incidents → ${r.status} ${r.json?.id ?? JSON.stringify(r.json)}`);
      await settle();
    } else if (/^as\s+/.test(line)) {
      const id = idOf(line.slice(3).trim());
      if (!id) console.log(`Unknown user; known: ${Object.values(names).join(', ')}`);
      else user = id;
    } else if (/^channel\s+/.test(line)) {
      const ch = world.slack.channel(line.slice(8).trim().replace(/^#/, ''));
      if (!ch)
        console.log(`Unknown channel; known: ${world.slack.channels.map((c) => `#${c.name}`).join(', ')}`);
      else ((channel = ch.id), show());
    } else if (/^submit\b/.test(line)) {
      await submit(line.slice(6));
      await settle();
    } else if (/^\d+$/.test(line)) {
      const c = clickables[Number(line) - 1];
      if (!c) console.log(`No button ${line}; there are ${clickables.length}.`);
      else {
        await blockAction(world.url, SIGNING_SECRET, {
          user: { id: user },
          channel: { id: c.channel },
          message: { ts: c.ts },
          actions: [{ action_id: c.button.action_id, block_id: c.blockId, value: c.button.value }],
          response_url: world.slack.responseUrl(`click-${Date.now()}`),
        });
        await settle();
      }
    } else if (/^\/(runbook|incident)\b/.test(line)) {
      const [cmd, ...rest] = line.split(/\s+/);
      const res = await slashCommand(world.url, SIGNING_SECRET, {
        command: cmd!,
        text: rest.join(' '),
        channel_id: channel,
        user_id: user,
        // Later answers (e.g. /runbook validate's checklist) come through the response_url.
        response_url: world.slack.responseUrl(`cmd-${Date.now()}`),
      });
      // A quick answer comes back in the acknowledgement itself, visible only to the user.
      if (res.body.trim()) {
        try {
          console.log(
            `(only visible to you) ${messageLines(asMessage(JSON.parse(res.body) as Json), { users: names }).join('\n  ')}`,
          );
        } catch {
          console.log(`(only visible to you) ${res.body}`);
        }
      }
      await settle();
    } else console.log(`Not understood. ${HELP}`);
    rl.prompt();
  }
  rl.close();
}

/** The short name a person types for a modal field: `input:environment` → environment. */
function fieldKey(blockId: string): string {
  return blockId.replace(/^(input|field):/, '').replace(/^declare_/, '');
}

/** chat.postEphemeral arguments as a message (blocks arrive as a JSON string in form posts). */
function asMessage(args: Json): { text: string; blocks?: Json[] } {
  const blocks =
    typeof args.blocks === 'string'
      ? (JSON.parse(args.blocks) as Json[])
      : (args.blocks as Json[] | undefined);
  return { text: String(args.text ?? ''), ...(blocks ? { blocks } : {}) };
}
