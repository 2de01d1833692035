/**
 * The live-message publisher against the Slack fake (real @slack/web-api client, real SQLite store):
 * many live runs over several channels stay within the workspace budgets, terminal states overtake
 * queued progress, pending timeline events go out as one thread reply, and a 429 storm on
 * chat.update (through the whole app, runs driven by the engine) leaves the runs alone while the
 * messages catch up with nothing posted twice. Budgets count per "minute"; the tests shrink that
 * minute to 2 s so they end in seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSlackFake, type SlackFake, type FakeMessage } from '../fakes/slack-fake.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import { createWebClient } from '../../src/slack/client.ts';
import { RunMessagePublisher, type ChatApi, type PublisherLimits } from '../../src/slack/notifier.ts';
import { createLogger } from '../../src/log.ts';
import { countedClient } from '../../src/slack/counted-client.ts';
import type { Runbook } from '../../src/manifests/schema.ts';
import { tempDir } from '../support/tmp.ts';
import { startBot } from '../support/bot-app.ts';
import { probeRunbook, openIncident, startProbe, until } from '../support/ops-setup.ts';
import { busiest } from '../support/windows.ts';

const runbook = { kind: 'Runbook', id: 'rb', name: 'Deploy probe', steps: [] } as unknown as Runbook;
const WINDOW = 2000;
const JITTER_MS = 300;

interface World {
  slack: SlackFake;
  store: Store;
  publisher: RunMessagePublisher;
  runs: { id: string; channel: string }[];
  /** When the publisher started each call, by method (before the HTTP request). */
  starts: Record<'chat.update' | 'chat.postMessage', number[]>;
  postsTo: { channel: string; at: number }[];
  close(): Promise<void>;
}

async function world(channels: number, runsPerChannel: number, limits: PublisherLimits): Promise<World> {
  const slack = await startSlackFake();
  const tmp = tempDir();
  const store = createStore(join(tmp.dir, 'bot.db'));
  const web = createWebClient(slack.botToken, slack.url);
  const starts: World['starts'] = { 'chat.update': [], 'chat.postMessage': [] };
  const postsTo: World['postsTo'] = [];
  const client: ChatApi = {
    chat: {
      postMessage: (args) => {
        starts['chat.postMessage'].push(Date.now());
        postsTo.push({ channel: args.channel, at: Date.now() });
        return web.chat.postMessage(args);
      },
      update: (args) => (starts['chat.update'].push(Date.now()), web.chat.update(args)),
    },
  };
  const publisher = new RunMessagePublisher({
    client,
    store,
    log: createLogger('silent'),
    minIntervalMs: 100,
    limits: { windowMs: WINDOW, ...limits },
  });
  const runs: World['runs'] = [];
  for (let c = 0; c < channels; c++) {
    const channel = slack.addChannel({ name: `inc-${c}` }).id;
    const incident = store.incidents.insert(
      {
        summary: `Incident ${c}`,
        severity: 'P2',
        status: 'investigating',
        service: 'checkout',
        environment: 'prod',
        type: 'any',
        commander: null,
        channel,
        fields: {},
      },
      Date.now(),
    );
    for (let r = 0; r < runsPerChannel; r++) {
      const run = store.runs.insert(
        {
          incidentId: incident.id,
          runbook,
          trigger: 'manual',
          requester: 'U111',
          inputs: {},
          state: 'running',
        },
        [{ stepId: 'deploy', uses: 'harness.pipeline' }],
        Date.now(),
      );
      runs.push({ id: run.id, channel });
    }
  }
  return {
    slack,
    store,
    publisher,
    runs,
    starts,
    postsTo,
    async close() {
      publisher.stop();
      store.close();
      await slack.close();
      tmp.cleanup();
    },
  };
}

const changed = (w: World, id: string) => w.publisher.runChanged(w.store.runs.get(id)!);

function progress(w: World, id: string): void {
  w.store.runs.updateStep(id, 0, { status: 'running', startedAt: Date.now(), externalStatus: 'Running' });
  changed(w, id);
}

function finish(w: World, id: string): void {
  const now = Date.now();
  const incidentId = w.store.runs.get(id)!.incidentId;
  w.store.tx(() => {
    w.store.runs.updateStep(id, 0, { status: 'succeeded', finishedAt: now, externalStatus: 'Success' });
    w.store.runs.updateRun(id, { state: 'succeeded', finishedAt: now }, now);
    w.store.timeline.add({
      incidentId,
      runId: id,
      at: now,
      kind: 'pipeline.finished',
      text: `${id} pipeline finished: Success`,
    });
    w.store.timeline.add({
      incidentId,
      runId: id,
      at: now,
      kind: 'run.finished',
      text: `${id} run finished: succeeded`,
    });
  });
  changed(w, id);
}

/** The run's root message as Slack shows it now. */
function root(w: World, id: string): FakeMessage | undefined {
  const row = w.store.runMessages.get(id);
  return row?.ts ? w.slack.messages(row.channel).find((m) => m.ts === row.ts) : undefined;
}
const shows = (m: FakeMessage | undefined, re: RegExp) =>
  !!m && re.test(`${m.text} ${JSON.stringify(m.blocks ?? [])}`);

test('50 live runs in 10 channels: each method class stays within its budget, every terminal state shows, replies batched', async () => {
  const limits = { updatesPerMin: 15, postsPerMin: 40 };
  const w = await world(10, 5, limits);
  try {
    for (const r of w.runs) changed(w, r.id); // root messages
    await until('every root message', () => w.runs.every((r) => root(w, r.id)), 15_000);
    for (const r of w.runs) progress(w, r.id);
    await new Promise((r) => setTimeout(r, 300)); // some progress goes out; the rest is still queued…
    for (const r of w.runs) finish(w, r.id); // …and is replaced by the terminal state
    await until(
      'every terminal state in Slack',
      () => w.runs.every((r) => shows(root(w, r.id), /succeeded/i)),
      20_000,
    );
    await w.publisher.idle(15_000);

    for (const [method, limit] of [
      ['chat.update', limits.updatesPerMin],
      ['chat.postMessage', limits.postsPerMin],
    ] as const) {
      const started = busiest(w.starts[method], WINDOW);
      assert.ok(started <= limit, `${method}: ${started} calls started in one window, budget ${limit}`);
      // As Slack saw them: the fake runs in this test's event loop, so a call can arrive a few hundred
      // ms after it started (in production the window is a minute and the budget keeps 600 ms spare).
      const arrived = busiest(
        w.slack.callsTo(method).map((c) => c.at),
        WINDOW - JITTER_MS,
      );
      assert.ok(
        arrived <= limit,
        `${method}: ${arrived} calls arrived within ${WINDOW - JITTER_MS} ms, budget ${limit}`,
      );
      assert.equal(w.slack.callsTo(method).length, w.starts[method].length);
    }
    assert.ok(
      w.slack.calls.every((c) => c.outcome === 'ok'),
      'no 429 needed',
    );
    assert.ok(
      w.slack.callsTo('chat.update').length < 2 * w.runs.length,
      `coalesced: ${w.slack.callsTo('chat.update').length} rewrites for ${w.runs.length} runs`,
    );

    for (const r of w.runs) {
      const msgs = w.slack.messages(r.channel).filter((m) => m.text.includes('Deploy probe'));
      const m = root(w, r.id)!;
      assert.equal(
        m.replies.length,
        1,
        `${r.id}: both events in one reply: ${m.replies.map((x) => x.text).join(' | ')}`,
      );
      const lines = m.replies[0]!.text.split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, new RegExp(`${r.id} pipeline finished`));
      assert.match(lines[1]!, new RegExp(`${r.id} run finished`));
      assert.equal(msgs.length, 5, 'one root message per run in its channel');
    }
    // One post per second per channel (shrunk to 100 ms here), whatever the budget allows.
    for (const ch of new Set(w.runs.map((r) => r.channel))) {
      const t = w.postsTo.filter((p) => p.channel === ch).map((p) => p.at);
      // Arrival times at the fake carry the loaded machine's jitter (seen: 92 ms for a 100 ms
      // spacing), so each gap may be short by some tens of ms; an unpaced burst arrives ~0-5 ms apart.
      for (let i = 1; i < t.length; i++)
        assert.ok(t[i]! - t[i - 1]! >= 60, `${ch} paced: ${t[i]! - t[i - 1]!} ms`);
      if (t.length > 1)
        assert.ok(
          (t[t.length - 1]! - t[0]!) / (t.length - 1) >= 95,
          `${ch} paced on average: ${(t[t.length - 1]! - t[0]!) / (t.length - 1)} ms`,
        );
    }
    const stats = w.publisher.stats();
    assert.deepEqual(
      stats.map((s) => [s.method, s.depth, s.oldestAgeMs]),
      [
        ['chat.update', 0, 0],
        ['chat.postMessage', 0, 0],
      ],
    );
  } finally {
    await w.close();
  }
});

test('terminal states overtake progress updates queued before them', async () => {
  const w = await world(4, 5, { updatesPerMin: 4, postsPerMin: 100 });
  try {
    for (const r of w.runs) changed(w, r.id);
    await until('every root message', () => w.runs.every((r) => root(w, r.id)), 10_000);
    for (const r of w.runs) progress(w, r.id);
    await until('the first window of progress', () => w.slack.callsTo('chat.update').length >= 4, 5000);
    const queued = w.publisher.stats()[0]!;
    assert.equal(queued.depth, w.runs.length - 4, 'the rest of the progress waits for the budget');
    const late = w.runs.slice(-5); // marked last: at the back of the queue
    const markedAt = Date.now();
    for (const r of late) finish(w, r.id);
    const terminalTs = new Set(late.map((r) => w.store.runMessages.get(r.id)!.ts));
    await until('the terminal states', () => late.every((r) => shows(root(w, r.id), /succeeded/i)), 10_000);
    const after = w.slack.callsTo('chat.update').filter((c) => c.at >= markedAt);
    assert.deepEqual(
      new Set(after.slice(0, late.length).map((c) => String(c.args.ts))),
      terminalTs,
      'the first rewrites after the runs ended are their terminal states',
    );
    assert.ok(w.publisher.stats()[0]!.depth >= w.runs.length - 4 - late.length, 'progress still waits');
  } finally {
    await w.close();
  }
});

test('429 storm on chat.update: runs finish unaffected, the whole class pauses, messages catch up, nothing posted twice', async () => {
  const bot = await startBot({ extraManifests: { 'probe.yaml': probeRunbook() } });
  try {
    bot.harness.program('ops_probe', { statuses: ['Running', 'Running', 'Success'] });
    const incidents = [await openIncident(bot, 'Search is slow'), await openIncident(bot, 'Cart is slow')];
    const channels = incidents.map((i) => bot.app.store.incidents.get(i)!.channel!);
    const stormFrom = Date.now();
    // Long enough that the runs (three polls each) certainly end inside it, even on a loaded machine.
    const STORM_MS = 8000;
    bot.slack.failFor('chat.update', STORM_MS, 'ratelimited:1');
    const runIds = incidents.flatMap((i) => [startProbe(bot, i), startProbe(bot, i), startProbe(bot, i)]);
    await until(
      'every run finished',
      () => runIds.every((id) => bot.app.store.runs.get(id)!.state !== 'running'),
      20_000,
    );
    const finishedIn = Date.now() - stormFrom;
    for (const id of runIds) assert.equal(bot.app.store.runs.get(id)!.state, 'succeeded', id);
    assert.ok(finishedIn < STORM_MS, `runs did not wait for Slack: finished ${finishedIn} ms into the storm`);
    const during = bot.app.publisher.stats().find((s) => s.method === 'chat.update')!;
    assert.ok(
      during.depth > 0 && during.oldestAgeMs > 0,
      `updates wait during the storm: ${JSON.stringify(during)}`,
    );
    const metrics = (await bot.app.metrics.render()).body;
    assert.match(metrics, /runbook_bot_slack_publisher_queue_depth\{method="chat.update"\} [1-9]/);
    assert.match(metrics, /runbook_bot_slack_publisher_oldest_pending_seconds\{method="chat.update"\} /);

    const rootOf = (id: string) => {
      const row = bot.app.store.runMessages.get(id);
      return row?.ts ? bot.slack.messages(row.channel).find((m) => m.ts === row.ts) : undefined;
    };
    await until(
      'every message shows success',
      () => runIds.every((id) => /succeeded/i.test(JSON.stringify(rootOf(id)?.blocks))),
      15_000,
    );
    await bot.app.publisher.idle();
    const limited = bot.slack.callsTo('chat.update').filter((c) => c.outcome === 'ratelimited');
    // Retry-After 1 s over an 8 s storm: about one refused call per pause (plus the ones already in
    // flight at the first 429), not one per message per second (6 messages × 8 s = 48).
    assert.ok(limited.length >= 1 && limited.length <= 14, `429s seen: ${limited.length}`);
    const roots = channels.flatMap((ch) => bot.slack.messages(ch)).filter((m) => /Ops probe/.test(m.text));
    assert.equal(roots.length, runIds.length, 'one root message per run');
    for (const id of runIds) {
      const lines = rootOf(id)!.replies.flatMap((r) => r.text.split('\n'));
      assert.equal(new Set(lines).size, lines.length, `no thread line posted twice: ${lines.join(' | ')}`);
      assert.ok(
        lines.some((l) => /finished/.test(l)),
        `${id} thread ends with the finish`,
      );
    }
  } finally {
    await bot.stop();
  }
});

test('posts made outside the publisher (follow-ups, gate notices) spend its budget: together within it; uncounted, over it', async () => {
  const limit = 12;
  // Eight posts from elsewhere first (a burst of slack.message follow-ups), then ten run messages.
  const combinedBusiest = async (counted: boolean): Promise<number> => {
    const w = await world(10, 1, { postsPerMin: limit, updatesPerMin: 30 });
    try {
      const web = createWebClient(w.slack.botToken, w.slack.url);
      const outside = counted ? countedClient(web, w.publisher) : web;
      const outsideStarts: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => {
          outsideStarts.push(Date.now());
          return outside.chat.postMessage({ channel: w.runs[i % 2]!.channel, text: `follow-up ${i}` });
        }),
      );
      for (const r of w.runs) changed(w, r.id);
      await until('every root message', () => w.runs.every((r) => root(w, r.id)), 15_000);
      // When each call started (as the budget counts them), publisher's and outside ones together.
      const posts = [...outsideStarts, ...w.starts['chat.postMessage']];
      assert.equal(posts.length, 18);
      assert.equal(w.slack.callsTo('chat.postMessage').length, 18);
      return busiest(posts, WINDOW);
    } finally {
      await w.close();
    }
  };
  const withCounting = await combinedBusiest(true);
  assert.ok(withCounting <= limit, `counted: busiest window ${withCounting} > budget ${limit}`);
  const without = await combinedBusiest(false);
  assert.ok(without > limit, `control: uncounted calls should overrun the budget, busiest ${without}`);
});
