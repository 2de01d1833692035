import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  declareModal,
  parseDeclareModal,
  declareErrorsToBlocks,
  runbookInputModal,
  parseInputModal,
  inputErrorsToBlocks,
  runbookPickerModal,
  parsePickerModal,
  noticeView,
  parseDeclareMeta,
} from '../../src/slack/blocks/index.ts';
import { prepareRun } from '../../src/engine/prepare.ts';
import * as ids from '../../src/slack/ids.ts';
import type { ModalView } from '../../src/slack/blocks/kit.ts';
import {
  NASTY,
  allText,
  assertViewOk,
  catalog,
  incident,
  incidentType,
  runbook,
} from './slack-blocks-data.ts';

type Input = {
  type: 'input';
  block_id: string;
  optional?: boolean;
  dispatch_action?: boolean;
  element: Record<string, any>;
};
const inputs = (v: ModalView) => v.blocks.filter((b) => b.type === 'input') as unknown as Input[];
const byBlock = (v: ModalView, id: string) => inputs(v).find((b) => b.block_id === id);

// State shapes as Slack sends them (reference/slack-fixtures/view_state.all_element_types.json).
const text = (value: string | null) => ({ a: { type: 'plain_text_input', value } });
const num = (value: string | null) => ({ a: { type: 'number_input', value } });
const select = (value: string | null) => ({
  a: {
    type: 'static_select',
    selected_option:
      value === null ? null : { text: { type: 'plain_text', text: value, emoji: true }, value },
  },
});
const multi = (...values: string[]) => ({
  a: {
    type: 'multi_static_select',
    selected_options: values.map((v) => ({ text: { type: 'plain_text', text: v, emoji: true }, value: v })),
  },
});
const radio = (value: string | null) => ({
  a: {
    type: 'radio_buttons',
    selected_option:
      value === null ? null : { text: { type: 'plain_text', text: value, emoji: true }, value },
  },
});
const user = (id: string | null) => ({ a: { type: 'users_select', selected_user: id } });
const checks = (...values: string[]) => ({
  a: {
    type: 'checkboxes',
    selected_options: values.map((v) => ({ text: { type: 'plain_text', text: v, emoji: true }, value: v })),
  },
});

test('declare modal: base fields, dispatching type select, commander, channel choice; the type adds its fields', () => {
  const cat = catalog();
  const plain = declareModal({
    catalog: cat,
    summary: 'Checkout down',
    channelId: 'C1',
    channelIsIncident: false,
    commander: 'U0ALICE',
  });
  assertViewOk(plain);
  assert.equal(plain.callback_id, ids.DECLARE_MODAL);
  assert.equal(plain.submit?.text, 'Declare');
  assert.equal(byBlock(plain, ids.DECLARE_SUMMARY_BLOCK)?.element.initial_value, 'Checkout down');
  assert.equal(byBlock(plain, ids.DECLARE_SUMMARY_BLOCK)?.optional, false);
  assert.deepEqual(
    byBlock(plain, ids.DECLARE_SEVERITY_BLOCK)?.element.options.map((o: any) => o.value),
    ['P0', 'P1', 'P2', 'P3', 'P4'],
  );
  assert.equal(byBlock(plain, ids.DECLARE_SERVICE_BLOCK)?.optional, true);
  const type = byBlock(plain, ids.DECLARE_TYPE_BLOCK)!;
  assert.equal(type.dispatch_action, true);
  assert.equal(type.element.action_id, ids.DECLARE_TYPE);
  assert.equal(type.element.initial_option.value, 'any');
  assert.equal(byBlock(plain, ids.DECLARE_COMMANDER_BLOCK)?.element.initial_user, 'U0ALICE');
  assert.ok(byBlock(plain, ids.DECLARE_CHANNEL_BLOCK));
  assert.deepEqual(parseDeclareMeta(plain.private_metadata), { channelId: 'C1', channelIsIncident: false });

  const typed = declareModal({
    catalog: cat,
    typeId: 'major-incident',
    channelId: 'C1',
    channelIsIncident: true,
  });
  assertViewOk(typed);
  assert.equal(byBlock(typed, ids.DECLARE_TYPE_BLOCK)?.element.initial_option.value, 'major-incident');
  const cf = byBlock(typed, ids.fieldBlock('customer_facing'))!;
  assert.equal(cf.element.type, 'radio_buttons');
  assert.equal(cf.optional, false);
  assert.equal(byBlock(typed, ids.fieldBlock('region'))?.element.type, 'static_select');
  assert.equal(byBlock(typed, ids.fieldBlock('impact'))?.element.type, 'number_input');
  assert.equal(byBlock(typed, ids.fieldBlock('owner'))?.element.type, 'users_select');
  assert.equal(byBlock(typed, ids.fieldBlock('teams'))?.element.type, 'multi_static_select');
  assert.equal(byBlock(typed, ids.DECLARE_CHANNEL_BLOCK), undefined, 'an incident channel cannot be reused');
  assert.match(allText(typed.blocks), /new channel will be created/);
});

test('declare modal with many types, long names and a 5000-character summary stays within limits', () => {
  const types = Array.from({ length: 120 }, (_, i) =>
    incidentType({ id: `type-${i}`, name: `${NASTY} ${'n'.repeat(100)} ${i}`, description: 'd'.repeat(500) }),
  );
  const big = incidentType({
    id: 'big',
    fields: Array.from({ length: 120 }, (_, i) => ({
      name: `f_${i}`,
      type: 'select',
      options: Array.from({ length: 100 }, (_, j) => `${'o'.repeat(90)}${j}`),
    })),
  });
  const view = declareModal({
    catalog: catalog([], [...types, big]),
    summary: 's'.repeat(5000),
    typeId: 'big',
    channelId: 'C1',
    channelIsIncident: false,
  });
  assertViewOk(view);
  assert.match(allText(view.blocks), /more fields do not fit/);
});

test('parseDeclareModal: reads every element type into a DeclareInput', () => {
  const values = {
    [ids.DECLARE_SUMMARY_BLOCK]: text('  Checkout 500s  '),
    [ids.DECLARE_SEVERITY_BLOCK]: select('P1'),
    [ids.DECLARE_SERVICE_BLOCK]: text('checkout'),
    [ids.DECLARE_ENVIRONMENT_BLOCK]: text(null),
    [ids.DECLARE_TYPE_BLOCK]: select('major-incident'),
    [ids.DECLARE_COMMANDER_BLOCK]: user('U0ALICE'),
    [ids.DECLARE_CHANNEL_BLOCK]: checks(ids.USE_CURRENT_CHANNEL),
    [ids.fieldBlock('customer_facing')]: radio('true'),
    [ids.fieldBlock('region')]: select('eu-west-1'),
    [ids.fieldBlock('jira_key')]: text(null),
    [ids.fieldBlock('impact')]: num('2.5'),
    [ids.fieldBlock('owner')]: user(null),
    [ids.fieldBlock('teams')]: multi('payments', 'search'),
  };
  const r = parseDeclareModal(values, catalog());
  assert.equal(r.errors, undefined);
  assert.deepEqual(r.input, {
    summary: 'Checkout 500s',
    severity: 'P1',
    service: 'checkout',
    environment: null,
    type: 'major-incident',
    commander: 'U0ALICE',
    fields: { customer_facing: true, region: 'eu-west-1', impact: 2.5, teams: ['payments', 'search'] },
    useCurrentChannel: true,
  });
});

test('parseDeclareModal: problems land under their blocks with the allowed values', () => {
  const r = parseDeclareModal(
    {
      [ids.DECLARE_SUMMARY_BLOCK]: text('   '),
      [ids.DECLARE_SEVERITY_BLOCK]: select(null),
      [ids.DECLARE_TYPE_BLOCK]: select('major-incident'),
      [ids.DECLARE_CHANNEL_BLOCK]: checks(),
      [ids.fieldBlock('customer_facing')]: radio(null),
    },
    catalog(),
  );
  assert.equal(r.input, undefined);
  assert.match(r.errors?.[ids.DECLARE_SUMMARY_BLOCK] ?? '', /^Summary is empty/);
  assert.match(r.errors?.[ids.DECLARE_SEVERITY_BLOCK] ?? '', /allowed: P0, P1, P2, P3, P4/);
  assert.match(r.errors?.[ids.fieldBlock('customer_facing')] ?? '', /required/);
});

test('parseDeclareModal: a required field whose block is missing (type changed, modal not rebuilt) is reported on the type', () => {
  const r = parseDeclareModal(
    {
      [ids.DECLARE_SUMMARY_BLOCK]: text('x'),
      [ids.DECLARE_SEVERITY_BLOCK]: select('P2'),
      [ids.DECLARE_TYPE_BLOCK]: select('major-incident'),
    },
    catalog(),
  );
  assert.match(r.errors?.[ids.DECLARE_TYPE_BLOCK] ?? '', /^customer_facing is required/);
  assert.deepEqual(declareErrorsToBlocks({ 'fields.region': 'bad', summary: 'short' }), {
    [ids.fieldBlock('region')]: 'Bad',
    [ids.DECLARE_SUMMARY_BLOCK]: 'Short',
  });
});

test('parseDeclareModal never throws on garbage state', () => {
  for (const v of [
    null,
    undefined,
    42,
    [],
    { [ids.DECLARE_SUMMARY_BLOCK]: 'x' },
    { [ids.DECLARE_SUMMARY_BLOCK]: { a: null } },
  ]) {
    const r = parseDeclareModal(v, catalog());
    assert.ok(r.errors && Object.keys(r.errors).length > 0);
  }
});

test('input modal: selects for options and bound .allowedValues, typed fields, initial values, required marks', () => {
  const rb = runbook({
    inputs: [...runbook().inputs, { name: 'target', label: 'Target', type: 'text' }],
    steps: [
      {
        id: 'rb',
        uses: 'harness.pipeline',
        with: {
          org: 'o',
          project: 'p',
          pipeline: 'x',
          inputs:
            'pipeline:\n  variables:\n    - name: environment\n      type: String\n      value: <+input>.allowedValues(dev,qa,prod)\n    - name: target\n      type: String\n      value: <+input>.allowedValues(last_successful,previous)\n    - name: replicas\n      type: String\n      value: <+input>.regex(^[0-9]+$)\n',
          bind: {
            environment: { input: 'environment' },
            target: { input: 'target' },
            replicas: { input: 'replicas' },
          },
        },
      },
    ],
  });
  const view = runbookInputModal({
    runbook: rb,
    incident: incident(),
    openIncidents: [],
    channelId: 'C0INC42',
    defaults: { environment: 'prod', replicas: 3, notify: 'false', approver: 'U0BOB', reason: null },
  });
  assertViewOk(view);
  assert.equal(view.callback_id, ids.RUNBOOK_INPUT_MODAL);
  assert.equal(view.title.text, 'P1 - Emergency Rollback');
  assert.equal(view.submit?.text, 'Run');
  assert.deepEqual(JSON.parse(view.private_metadata!), {
    runbookId: 'emergency-rollback',
    incidentId: 'INC-42',
    channelId: 'C0INC42',
  });
  const env = byBlock(view, ids.inputBlock('environment'))!;
  assert.equal(env.element.type, 'static_select');
  assert.equal(env.element.initial_option.value, 'prod');
  assert.equal(env.optional, false);
  const target = byBlock(view, ids.inputBlock('target'))!;
  assert.equal(target.element.type, 'static_select', 'a text input bound to .allowedValues becomes a select');
  assert.deepEqual(
    target.element.options.map((o: any) => o.value),
    ['last_successful', 'previous'],
  );
  const replicas = byBlock(view, ids.inputBlock('replicas'))!;
  assert.equal(replicas.element.type, 'number_input');
  assert.equal(replicas.element.initial_value, '3');
  assert.equal(replicas.optional, true);
  assert.match(JSON.stringify(replicas), /Harness expects it to match \^\[0-9\]\+\$/);
  assert.equal(byBlock(view, ids.inputBlock('notify'))?.element.initial_option.value, 'false');
  assert.equal(byBlock(view, ids.inputBlock('approver'))?.element.initial_user, 'U0BOB');
  const reason = byBlock(view, ids.inputBlock('reason'))!;
  assert.equal(reason.element.multiline, true);
  assert.equal(reason.element.initial_value, undefined);
  assert.match(allText(view.blocks), /For \*INC-42\*/);
  assert.equal(
    byBlock(view, ids.RUN_INCIDENT_BLOCK),
    undefined,
    'no incident select when the incident is known',
  );
});

test('input modal outside an incident channel asks for an open incident of the runbook’s type', () => {
  const open = [
    incident({ id: 'INC-1' }),
    incident({ id: 'INC-2', type: 'other' }),
    incident({ id: 'INC-3', summary: NASTY }),
  ];
  const view = runbookInputModal({
    runbook: runbook(),
    incident: null,
    openIncidents: open,
    channelId: 'C9',
    defaults: {},
  });
  assertViewOk(view);
  const pick = byBlock(view, ids.RUN_INCIDENT_BLOCK)!;
  assert.equal(pick.optional, false);
  assert.deepEqual(
    pick.element.options.map((o: any) => o.value),
    ['INC-3', 'INC-1'],
  );
  assert.equal(JSON.parse(view.private_metadata!).incidentId, null);

  const none = runbookInputModal({
    runbook: runbook(),
    incident: null,
    openIncidents: [],
    channelId: 'C9',
    defaults: {},
  });
  assertViewOk(none);
  assert.match(allText(none.blocks), /needs an open incident of type \*major-incident\*/);

  const anyRb = runbookInputModal({
    runbook: runbook({ context: { incidentType: 'any' } }),
    incident: null,
    openIncidents: open,
    channelId: 'C9',
    defaults: {},
  });
  assert.equal(byBlock(anyRb, ids.RUN_INCIDENT_BLOCK), undefined);
});

test('input modal with extreme data: 120 inputs, 5000-character defaults, 100 long options, a long name', () => {
  const many = Array.from({ length: 120 }, (_, i) =>
    i % 3 === 0
      ? {
          name: `sel_${i}`,
          type: 'select',
          options: Array.from({ length: 100 }, (_, j) => `${NASTY}${'o'.repeat(80)}${j}`),
          required: true,
        }
      : { name: `txt_${i}`, label: 'L'.repeat(48), description: 'D'.repeat(150), type: 'text' },
  );
  const rb = runbook({ name: `${'N'.repeat(60)} <!channel>`, description: 'd'.repeat(1000), inputs: many });
  const defaults = Object.fromEntries(many.map((d) => [d.name, 'v'.repeat(5000)]));
  const open = Array.from({ length: 150 }, (_, i) => incident({ id: `INC-${i}`, summary: 's'.repeat(300) }));
  const view = runbookInputModal({
    runbook: rb,
    incident: null,
    openIncidents: open,
    channelId: 'C'.repeat(5000),
    defaults,
  });
  assertViewOk(view);
  assert.equal(view.title.text.length, 24);
  assert.match(allText(view.blocks), /more inputs do not fit/);
  assert.ok(JSON.parse(view.private_metadata!).runbookId === 'emergency-rollback');
});

test('parseInputModal: values by type, option values mapped back, absent blocks keep their defaults', () => {
  const longOption = `${'x'.repeat(100)}-prod`;
  const rb = runbook({
    inputs: [
      { name: 'environment', type: 'select', options: ['dev', longOption], required: true },
      { name: 'replicas', type: 'number' },
      { name: 'notify', type: 'boolean' },
      { name: 'approver', type: 'user' },
      { name: 'reason', type: 'text' },
      { name: 'missing', type: 'text', default: 'kept' },
    ],
    steps: [{ id: 'n', uses: 'timeline.event', with: { text: 'x' } }],
  });
  const view = runbookInputModal({
    runbook: rb,
    incident: null,
    openIncidents: [incident()],
    channelId: 'C9',
    defaults: {},
  });
  const envOption = byBlock(view, ids.inputBlock('environment'))!.element.options[1].value as string;
  assert.ok(envOption.length <= 75);
  const parsed = parseInputModal(
    {
      private_metadata: view.private_metadata!,
      state: {
        values: {
          [ids.inputBlock('environment')]: select(envOption),
          [ids.inputBlock('replicas')]: num('6'),
          [ids.inputBlock('notify')]: radio('true'),
          [ids.inputBlock('approver')]: user('U0BOB'),
          [ids.inputBlock('reason')]: text(null),
          [ids.RUN_INCIDENT_BLOCK]: select('INC-42'),
        },
      },
    },
    rb,
  );
  assert.deepEqual(parsed.inputs, {
    environment: longOption,
    replicas: 6,
    notify: true,
    approver: 'U0BOB',
    reason: null,
  });
  assert.equal(parsed.incidentId, 'INC-42');
  assert.deepEqual(parsed.meta, {
    runbookId: 'emergency-rollback',
    incidentId: null,
    channelId: 'C9',
    runId: null,
  });
  // The parsed inputs are what the engine accepts.
  assert.deepEqual(prepareRun(rb, incident(), parsed.inputs).problems, []);
});

test('parseInputModal: not-a-number stays text for the engine to name; garbage metadata is tolerated', () => {
  const rb = runbook();
  const parsed = parseInputModal(
    { private_metadata: 'not json', state: { values: { [ids.inputBlock('replicas')]: num('1e') } } },
    rb,
  );
  assert.deepEqual(parsed.inputs, { replicas: '1e' });
  assert.deepEqual(parsed.meta, { runbookId: '', incidentId: null, channelId: '', runId: null });
  assert.deepEqual(parseInputModal({ state: null }, null).inputs, {});
});

test('inputErrorsToBlocks maps the engine’s problems to the input they are about', () => {
  const rb = runbook();
  const { problems } = prepareRun(rb, incident({ environment: null }), {
    environment: 'staging',
    replicas: 'many',
  });
  assert.ok(problems.length >= 2, problems.join('\n'));
  const errors = inputErrorsToBlocks(problems, rb);
  assert.match(errors[ids.inputBlock('environment')] ?? '', /^Must be one of dev, qa, prod/);
  assert.match(errors[ids.inputBlock('replicas')] ?? '', /^Must be a number/);

  const runYaml = inputErrorsToBlocks(
    [
      'step rollback: runtime input "replicas" must match the regex ^[0-9]+$ (got "-1") (value from input replicas)',
      'step rollback: something else',
    ],
    rb,
  );
  assert.match(runYaml[ids.inputBlock('replicas')] ?? '', /^Runtime input "replicas" must match/);
  assert.match(
    runYaml[ids.inputBlock('environment')] ?? '',
    /Step rollback: something else/,
    'unplaced problems go to the first input',
  );
  assert.deepEqual(
    inputErrorsToBlocks(['incident INC-9 is resolved'], runbook({ inputs: [] }), { incidentBlock: true }),
    {
      [ids.RUN_INCIDENT_BLOCK]: 'Incident INC-9 is resolved',
    },
  );
  assert.deepEqual(inputErrorsToBlocks(['anything'], runbook({ inputs: [] })), {});
  const onlyFirst = (id: string) => id === ids.inputBlock('environment');
  assert.deepEqual(inputErrorsToBlocks(['input replicas is required'], rb, { present: onlyFirst }), {
    [ids.inputBlock('environment')]: 'Input replicas is required',
  });
});

test('runbook picker: dispatching select of runbooks, capped at 100 with a hint; parse maps back', () => {
  const rbs = Array.from({ length: 80 }, (_, i) =>
    runbook({ id: `rb-${i}`, name: `<!channel> & *x* runbook ${i}`, description: 'd'.repeat(500) }),
  );
  const view = runbookPickerModal({ runbooks: rbs, incidentId: 'INC-42', channelId: 'C1' });
  assertViewOk(view);
  const pick = byBlock(view, ids.RUNBOOK_PICK_BLOCK)!;
  assert.equal(pick.dispatch_action, true);
  assert.equal(pick.element.action_id, ids.RUNBOOK_PICK);
  assert.equal(pick.element.options.length, 80);
  const parsed = parsePickerModal(
    {
      private_metadata: view.private_metadata!,
      state: { values: { [ids.RUNBOOK_PICK_BLOCK]: select('rb-7') } },
    },
    rbs,
  );
  assert.equal(parsed.runbook?.id, 'rb-7');
  assert.equal(parsed.incidentId, 'INC-42');
  assert.equal(parsed.channelId, 'C1');

  const longId = `r${'a'.repeat(120)}`;
  const many = [
    ...rbs,
    ...Array.from({ length: 40 }, (_, i) => runbook({ id: `more-${i}` })),
    runbook({ id: longId }),
  ];
  const capped = runbookPickerModal({ runbooks: many, incidentId: null, channelId: 'C1' });
  assertViewOk(capped);
  assert.match(JSON.stringify(capped), /Showing 100 of 121/);
  const longView = runbookPickerModal({
    runbooks: [runbook({ id: longId })],
    incidentId: null,
    channelId: 'C1',
  });
  const value = byBlock(longView, ids.RUNBOOK_PICK_BLOCK)!.element.options[0].value;
  assert.equal(
    parsePickerModal({ state: { values: { [ids.RUNBOOK_PICK_BLOCK]: select(value) } } }, many).runbook?.id,
    longId,
  );

  const empty = runbookPickerModal({ runbooks: [], incidentId: null, channelId: 'C1' });
  assertViewOk(empty);
  assert.equal(empty.submit, undefined);
});

test('noticeView is a valid modal without submit', () => {
  const v = noticeView('Not allowed to run this very long runbook', 'You need *commanders*.');
  assertViewOk(v);
  assert.equal(v.submit, undefined);
});
