import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runMessage, runThreadReply } from '../../src/slack/blocks/index.ts';
import * as ids from '../../src/slack/ids.ts';
import { executionDetailResponseSchema } from '../../src/harness/schemas.ts';
import { toExecutionSummary } from '../../src/harness/summary.ts';
import type { TimelineEvent } from '../../src/store/index.ts';
import {
  EXEC_URL,
  NASTY,
  T0,
  allText,
  assertMessageOk,
  incident,
  noteStep,
  progress,
  run,
  runbook,
  step,
} from './slack-blocks-data.ts';

type AnyBlock = {
  type: string;
  elements?: { action_id?: string; url?: string; value?: string; confirm?: unknown }[];
};
const actions = (blocks: unknown[]) =>
  (blocks as AnyBlock[]).find((b) => b.type === 'actions')?.elements ?? [];

test('running run: state, stage 2/3, who asked, incident, elapsed, inputs, steps, Harness link and Cancel', () => {
  const msg = runMessage({
    run: run(),
    steps: [step(), noteStep()],
    incident: incident(),
    now: T0 + 125_000,
  });
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /🔄 \*P1 - Emergency Rollback\* · Running/);
  assert.match(text, /Stage 2\/3 · Deploy/);
  assert.match(text, /Requested by <@U0ALICE> · \*INC-42\* Checkout 500s in eu-west-1 · 2m 05s · RUN-7/);
  assert.match(text, /\*Environment\*\nprod/);
  assert.match(text, /\*Replicas\*\n3/);
  assert.match(text, /\*Notify customers\*\nNo/);
  assert.match(text, /\*Second pair of eyes\*\n<@U0BOB>/);
  assert.match(text, /🔄 \*Roll back\* — running · 2m 05s · <https:\/\/app\.harness\.io\/[^|]+\|execution>/);
  assert.match(text, /⏳ \*note\* — pending/);
  const [view, cancel] = actions(msg.blocks);
  assert.equal(view?.action_id, ids.RUN_OPEN_HARNESS);
  assert.equal(view?.url, EXEC_URL);
  assert.equal(cancel?.action_id, ids.RUN_CANCEL);
  assert.equal(cancel?.value, 'RUN-7');
  assert.ok(cancel?.confirm, 'cancel asks for confirmation');
  assert.match(msg.text, /^🔄 P1 - Emergency Rollback — running \(INC-42\)$/);
});

test('pending run without a Harness execution yet: ⏳ and Cancel, no link button', () => {
  const msg = runMessage({
    run: run({ state: 'pending', startedAt: null }),
    steps: [
      step({ status: 'pending', url: null, progress: null, startedAt: null, externalId: null }),
      noteStep(),
    ],
    incident: incident(),
    now: T0 + 1000,
  });
  assertMessageOk(msg);
  const els = actions(msg.blocks);
  assert.deepEqual(
    els.map((e) => e.action_id),
    [ids.RUN_CANCEL],
  );
  assert.match(msg.text, /^⏳/);
});

test('succeeded run: ✅, duration frozen at finish, link kept, no Cancel', () => {
  const r = run({ state: 'succeeded', finishedAt: T0 + 65_000 });
  const steps = [
    step({
      status: 'succeeded',
      finishedAt: T0 + 60_000,
      progress: progress(
        progress().stages.list.map((s) => ({ ...s, phase: 'terminal', outcome: 'succeeded' })),
      ),
    }),
    noteStep({ status: 'succeeded', startedAt: T0 + 60_000, finishedAt: T0 + 61_000 }),
  ];
  const msg = runMessage({ run: r, steps, incident: incident(), now: T0 + 3_600_000 });
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /✅ \*P1 - Emergency Rollback\* · Succeeded/);
  assert.match(text, /3\/3 stages done/);
  assert.match(text, / · 1m 05s · RUN-7/);
  assert.deepEqual(
    actions(msg.blocks).map((e) => e.action_id),
    [ids.RUN_OPEN_HARNESS],
  );
});

test('failed run from the real Harness execution sample: ❌, failed stage, the error under the step', () => {
  const sample: unknown = JSON.parse(
    readFileSync(
      new URL('../fixtures/harness-samples/response-execution-detail-v2.json', import.meta.url),
      'utf8',
    ),
  );
  const s = executionDetailResponseSchema.parse(sample).data.pipelineExecutionSummary;
  const ex = toExecutionSummary(
    { ...s, pipelineIdentifier: s.pipelineIdentifier ?? '' },
    'x',
    () => EXEC_URL,
  );
  const steps = [
    step({
      status: 'failed',
      finishedAt: T0 + 35_000,
      progress: { stages: ex.stages, status: ex.status },
      error: `Harness status Failed — ${ex.failureMessage}`,
    }),
    noteStep({ status: 'skipped', skipReason: 'condition steps.rollback.status equals succeeded is false' }),
  ];
  const msg = runMessage({
    run: run({ state: 'failed', finishedAt: T0 + 35_000, error: 'step rollback failed' }),
    steps,
    incident: incident(),
    now: T0 + 40_000,
  });
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /❌ \*P1 - Emergency Rollback\* · Failed/);
  assert.match(text, /Failed at stage 1\/1 · /);
  assert.match(text, /Shell Script execution failed/);
  assert.match(text, /⏭️ \*note\* — skipped _\(condition/);
  assert.doesNotMatch(text, /step rollback failed/, 'the run error is not repeated when the step shows it');
});

test('cancelled, timed out, awaiting approval, automatic trigger and approver are worded for humans', () => {
  const cancelled = runMessage({
    run: run({ state: 'cancelled', error: 'cancelled by U0CAROL', finishedAt: T0 + 5000 }),
    steps: [step({ status: 'cancelled' })],
    incident: null,
    now: T0 + 9000,
  });
  assertMessageOk(cancelled);
  assert.match(allText(cancelled.blocks), /🛑 .*Cancelled[\s\S]*> Cancelled by <@U0CAROL>/);
  assert.match(
    allText(cancelled.blocks),
    /\*INC-42\*/,
    'the incident id shows even when the record is not passed',
  );

  const timedOut = runMessage({
    run: run({ state: 'timed_out', finishedAt: T0 + 5000 }),
    steps: [step({ status: 'timed_out' })],
    incident: incident(),
    now: T0,
  });
  assert.match(allText(timedOut.blocks), /⌛ .*Timed out/);

  const auto = runMessage({
    run: run({
      state: 'awaiting_approval',
      requester: null,
      trigger: 'incident.created',
      triggerDetail: 'incident.created: severity in [P0, P1]',
    }),
    steps: [step({ status: 'pending', url: null, progress: null })],
    incident: incident(),
    now: T0,
  });
  assertMessageOk(auto);
  const t = allText(auto.blocks);
  assert.match(t, /⏸️ .*Awaiting approval/);
  assert.match(t, /Triggered by incident\.created: severity in \[P0, P1\]/);
  assert.match(t, /Approval needed/);
  const actions = JSON.stringify(auto.blocks.filter((b) => b.type === 'actions'));
  for (const id of [ids.RUN_APPROVE, ids.RUN_REJECT, ids.RUN_EDIT_INPUTS])
    assert.match(actions, new RegExp(id));
  assert.doesNotMatch(actions, new RegExp(ids.RUN_CANCEL), 'the prompt replaces the Cancel button');

  const approved = runMessage({
    run: run({
      state: 'running',
      requester: null,
      trigger: 'incident.created',
      approver: 'U0DAVE',
      decidedAt: T0,
    }),
    steps: [step()],
    incident: incident(),
    now: T0,
  });
  assertMessageOk(approved);
  assert.match(allText(approved.blocks), /✅ Approved by <@U0DAVE> at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>/);
  assert.doesNotMatch(JSON.stringify(approved.blocks), new RegExp(ids.RUN_APPROVE));
});

test('waiting on a person in Harness is said so', () => {
  const list = [
    { identifier: 'a', name: 'Approve prod', status: 'ApprovalWaiting', phase: 'waiting_on_human' as const },
    { identifier: 'b', name: 'Deploy', status: 'NotStarted', phase: 'queued' as const },
  ];
  const msg = runMessage({
    run: run(),
    steps: [step({ progress: progress(list) })],
    incident: incident(),
    now: T0,
  });
  assert.match(allText(msg.blocks), /Stage 1\/2 · Approve prod \(waiting for input or approval in Harness\)/);
});

test('user text is escaped: no channel ping, no fake mention, no injected link', () => {
  const rb = runbook({ name: `Roll & <!channel>` });
  const msg = runMessage({
    run: run({
      runbook: rb,
      inputs: { environment: NASTY, reason: NASTY },
      error: NASTY,
      state: 'failed',
      finishedAt: T0,
    }),
    steps: [step({ status: 'failed', error: NASTY, url: 'https://x|<!here>' })],
    incident: incident({ summary: NASTY, id: 'INC-<!here>' }),
    now: T0,
  });
  assertMessageOk(msg);
  const all = `${msg.text}\n${allText(msg.blocks)}`;
  assert.doesNotMatch(all, /<!channel>|<!here>|<@U0EVIL>|<https:\/\/evil/);
  assert.match(all, /&lt;!channel&gt;/);
  assert.match(all, /Roll &amp; &lt;!channel&gt;/);
  assert.equal(actions(msg.blocks).length, 0, 'an unsafe url gets no link button');
});

test('extreme run: 120 inputs with 5000-character values, 60 steps, long errors stay within limits', () => {
  const inputs = Array.from({ length: 120 }, (_, i) => ({ name: `in_${i}`, type: 'text' }));
  const rb = runbook({
    inputs,
    steps: Array.from({ length: 60 }, (_, i) => ({
      id: `s${i}`,
      uses: 'timeline.event',
      with: { text: 'x' },
    })),
  });
  const values = Object.fromEntries(inputs.map((d) => [d.name, 'v'.repeat(5000)]));
  const steps = Array.from({ length: 60 }, (_, i) =>
    noteStep({
      idx: i,
      stepId: `s${i}`,
      status: i < 30 ? 'failed' : 'pending',
      error: i < 30 ? 'e'.repeat(5000) : null,
    }),
  );
  const msg = runMessage({
    run: run({ runbook: rb, inputs: values }),
    steps,
    incident: incident({ summary: 's'.repeat(5000) }),
    now: T0,
  });
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /_\+111 more_/, 'inputs beyond 9 fields are counted');
  assert.match(text, /_\+\d+ more steps_/);
  assert.match(text, /\*in_0\*\nv{199}…/);
});

const event = (over: Partial<TimelineEvent>): TimelineEvent => ({
  id: 1,
  incidentId: 'INC-42',
  runId: 'RUN-7',
  at: T0,
  kind: 'custom',
  text: 'x',
  key: false,
  actor: null,
  data: null,
  ...over,
});

test('thread replies: one line per event kind with its emoji; mentions kept, pings defused', () => {
  const cases: [Partial<TimelineEvent>, RegExp][] = [
    [
      {
        kind: 'run.requested',
        text: 'Run RUN-7 of P1 - Emergency Rollback requested by <@U0ALICE> (manual)',
      },
      /^📝 Run RUN-7 .* by <@U0ALICE> \(manual\)$/,
    ],
    [
      { kind: 'pipeline.started', text: `Pipeline rollback_service started (waiting for it): ${EXEC_URL}` },
      /^🚀 Pipeline rollback_service started/,
    ],
    [
      {
        kind: 'pipeline.finished',
        text: 'Pipeline p finished: Success after 2m 05s',
        key: false,
        data: { status: 'Success' },
      },
      /^✅ /,
    ],
    [
      {
        kind: 'pipeline.finished',
        text: 'Pipeline p finished: Failed',
        key: true,
        data: { status: 'Failed' },
      },
      /^❌ /,
    ],
    [
      {
        kind: 'pipeline.finished',
        text: 'Pipeline p finished: Aborted',
        key: true,
        data: { status: 'Aborted' },
      },
      /^🛑 /,
    ],
    [{ kind: 'run.finished', text: 'Run RUN-7 (x) succeeded after 2m 05s' }, /^✅ /],
    [{ kind: 'run.finished', text: 'Run RUN-7 (x) timed out after 30m 00s', key: true }, /^⌛ /],
    [{ kind: 'run.cancelled', text: 'Run RUN-7 (x) cancelled by <@U0CAROL>' }, /^🛑 .*<@U0CAROL>$/],
    [{ kind: 'step.skipped', text: 'Step note skipped: condition false' }, /^⏭️ /],
    [
      { kind: 'custom', text: `Rolled back ${NASTY}` },
      /^📌 Rolled back &lt;!channel&gt; &amp; <@U0EVIL> &lt;https/,
    ],
  ];
  for (const [ev, want] of cases) {
    const { text } = runThreadReply(event(ev));
    assert.match(text, want, `${ev.kind}: ${text}`);
    assert.ok(text.length <= 3000);
  }
  assert.ok(runThreadReply(event({ text: 'y'.repeat(10_000) })).text.length <= 3000);
  assert.match(runThreadReply(event({ text: '' })).text, /custom/);
});
