/**
 * Property: whatever text people and manifest authors put in any field (any Unicode, lone
 * surrogates, whitespace only, mrkdwn control characters, thousands of characters), no builder
 * produces a payload that breaks a Block Kit limit, and nothing pings a channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkMessage,
  checkView,
  declareModal,
  explainText,
  homeView,
  incidentSummary,
  noticeView,
  parseDeclareModal,
  parseInputModal,
  parsePickerModal,
  inputErrorsToBlocks,
  runbookChoices,
  runbookInputModal,
  runbookPickerModal,
  runList,
  runMessage,
  runThreadReply,
} from '../../src/slack/blocks/index.ts';
import type { Runbook, IncidentType } from '../../src/manifests/schema.ts';
import {
  T0,
  catalog,
  incident,
  incidentType,
  mrkdwnText,
  noteStep,
  progress,
  run,
  runbook,
  step,
} from './slack-blocks-data.ts';

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('<', '>', '&', '!', 'channel', ' ', '\n', '*', '😀', '\uD800', 'é'),
      maxLength: 200,
    }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2000, max: 6000 }).map((n) => '<!channel>&'.repeat(n / 11)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\n\t',
      '<!here>',
      '<@U0EVIL>',
      'https://x.example/a',
      'javascript:alert(1)',
    ),
  },
);
const texts = fc.array(text, { maxLength: 12 });

/** A runbook whose every text field is arbitrary (as if stored JSON were tampered with). */
const anyRunbook = fc
  .record({
    name: text,
    description: text,
    labels: texts,
    options: texts,
    help: text,
    stepName: text,
    typeId: text,
  })
  .map(({ name, description, labels, options, help, stepName, typeId }): Runbook => {
    const base = runbook();
    return {
      ...base,
      name,
      description,
      context: { incidentType: typeId === '' ? 'any' : typeId },
      inputs: [
        ...labels.map((label, i) => ({
          name: `in_${i}`,
          label,
          type: 'text' as const,
          required: i % 2 === 0,
          description: help,
        })),
        { name: 'choice', label: help, type: 'select' as const, options, required: true },
        { name: 'count', type: 'number' as const, required: false },
        { name: 'flag', type: 'boolean' as const, required: true },
        { name: 'who', type: 'user' as const, required: false },
      ],
      steps: base.steps.map((s, i) => (i === 0 ? { ...s, name: stepName } : s)),
    };
  });

const anyIncident = fc
  .record({
    summary: text,
    service: text,
    environment: text,
    commander: text,
    severity: text,
    status: text,
    f1: text,
    f2: texts,
    id: text,
  })
  .map((r) =>
    incident({
      ...r,
      id: r.id || 'INC-1',
      severity: r.severity as never,
      status: r.status as never,
      fields: { customer_facing: r.f1, region: r.f2, extra: r.summary },
    }),
  );

const anyType = fc
  .record({ name: text, description: text, labels: texts, options: texts })
  .map(({ name, description, labels, options }): IncidentType => ({
    ...incidentType(),
    name,
    description,
    fields: labels.map((label, i) => ({
      name: `f_${i}`,
      label,
      type: (['text', 'select', 'multiselect', 'number', 'boolean', 'user'] as const)[i % 6]!,
      options,
      required: i % 2 === 0,
    })),
  }));

/** Like fc.assert, but the failure shows the assertion that broke (node's reporter hides `cause`). */
function holds<T>(property: fc.IProperty<T>, numRuns: number): void {
  const out = fc.check(property, { numRuns });
  if (!out.failed) return;
  const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  assert.fail(`${why}\nseed ${out.seed}, counterexample: ${fc.stringify(out.counterexample).slice(0, 1500)}`);
}

const noViolations = (label: string, violations: unknown[]) => assert.deepEqual(violations, [], label);
const noPing = (label: string, payload: unknown) =>
  assert.doesNotMatch(mrkdwnText(payload), /<!(channel|here|everyone)/, label);

test('run message and thread replies: arbitrary text never breaks a limit or pings', () => {
  holds(
    fc.property(anyRunbook, anyIncident, texts, text, text, text, (rb, inc, values, err, url, requester) => {
      const inputs = Object.fromEntries(rb.inputs.map((d, i) => [d.name, values[i] ?? err]));
      const r = run({
        runbook: rb,
        inputs,
        error: err,
        requester: requester || null,
        state: 'failed',
        finishedAt: T0 + 1,
      });
      const steps = [
        step({
          url,
          error: err,
          progress: progress([{ identifier: err, name: requester, status: err, phase: 'running' }]),
        }),
        noteStep({ status: 'skipped', skipReason: err }),
      ];
      const msg = runMessage({ run: r, steps, incident: inc, now: T0 + 5000 });
      noViolations('runMessage', checkMessage(msg));
      noPing('runMessage', msg);
      const active = runMessage({
        run: { ...r, state: 'running', finishedAt: null },
        steps,
        incident: null,
        now: T0,
      });
      noViolations('runMessage running', checkMessage(active));
      const reply = runThreadReply({
        id: 1,
        incidentId: null,
        runId: r.id,
        at: T0,
        kind: err,
        text: values.join(' '),
        key: true,
        actor: null,
        data: { status: err },
      });
      noViolations('runThreadReply', checkMessage({ text: reply.text }));
      noPing('runThreadReply', reply);
    }),
    150,
  );
});

test('incident summary and declare modal: arbitrary incidents and types stay valid', () => {
  holds(
    fc.property(anyIncident, anyType, text, fc.boolean(), (inc, type, summary, inChannel) => {
      const msg = incidentSummary(inc, type, T0);
      noViolations('incidentSummary', checkMessage(msg));
      noPing('incidentSummary', msg);
      const view = declareModal({
        catalog: catalog([], [type]),
        summary,
        typeId: type.id,
        channelId: summary,
        channelIsIncident: inChannel,
        severity: summary,
        commander: summary,
      });
      noViolations('declareModal', checkView(view));
    }),
    150,
  );
});

test('runbook modals, App Home and ephemeral lists: arbitrary runbooks, defaults and incidents stay valid', () => {
  holds(
    fc.property(
      fc.array(anyRunbook, { minLength: 1, maxLength: 4 }),
      anyIncident,
      texts,
      text,
      (rbs, inc, defaults, words) => {
        const rb = rbs[0]!;
        const defs = Object.fromEntries(rb.inputs.map((d, i) => [d.name, defaults[i] ?? words]));
        for (const view of [
          runbookInputModal({
            runbook: rb,
            incident: null,
            openIncidents: [inc, { ...inc, type: rb.context.incidentType }],
            channelId: words,
            defaults: defs,
          }),
          runbookInputModal({
            runbook: rb,
            incident: inc,
            openIncidents: [],
            channelId: words,
            defaults: defs,
          }),
          runbookPickerModal({ runbooks: rbs, incidentId: words || null, channelId: words }),
          homeView({ runbooks: rbs, runs: rbs.map((r) => run({ runbook: r, requester: words })), now: T0 }),
          noticeView(words, words || 'x'),
        ]) {
          noViolations(String(view.type), checkView(view));
        }
        for (const msg of [
          runbookChoices(rbs, words || null, words),
          runList(
            rbs.map((r) => run({ runbook: r, id: words })),
            { now: T0, links: { [words]: words }, title: words },
          ),
          explainText({
            incident: inc,
            rows: rbs.map((r) => ({
              runbook: r,
              index: 0,
              decision: { fires: words.length % 2 === 0, reason: words, traceLines: defaults },
            })),
            runbooks: rbs,
          }),
        ]) {
          noViolations('ephemeral', checkMessage(msg));
          noPing('ephemeral', msg);
        }
      },
    ),
    100,
  );
});

test('parsers never throw on arbitrary state, metadata or problem texts', () => {
  const blockIds = fc.constantFrom(
    'declare_summary',
    'declare_severity',
    'declare_type',
    'field:region',
    'input:environment',
    'input:replicas',
    'run_incident',
    'runbook_pick',
    'x',
  );
  const element = fc.oneof(
    fc.jsonValue(),
    fc.record({
      type: fc.constantFrom(
        'plain_text_input',
        'number_input',
        'static_select',
        'users_select',
        'checkboxes',
        'radio_buttons',
        'multi_static_select',
        'weird',
      ),
      value: fc.jsonValue(),
      selected_option: fc.jsonValue(),
      selected_options: fc.jsonValue(),
      selected_user: fc.jsonValue(),
    }),
  );
  const values = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(blockIds, fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), element))),
  );
  holds(
    fc.property(values, fc.option(text), texts, (v, meta, problems) => {
      const cat = catalog();
      const rb = runbook();
      const declared = parseDeclareModal(v, cat);
      assert.ok(declared.input || (declared.errors && Object.keys(declared.errors).length > 0));
      const parsed = parseInputModal({ state: { values: v }, private_metadata: meta }, rb);
      assert.equal(typeof parsed.meta.runbookId, 'string');
      parsePickerModal({ state: { values: v }, private_metadata: meta }, [rb]);
      for (const msg of Object.values(inputErrorsToBlocks(problems, rb))) assert.ok(msg.length <= 1000);
    }),
    200,
  );
});
