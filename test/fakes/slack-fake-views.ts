/**
 * views.open / views.update / views.push / views.publish for the Slack fake. Each answers
 * `{ok, view}` with the view object Slack returns (id, hash, state, root_view_id, …), checks the
 * limits Slack enforces on modals, honours `hash` (→ `hash_conflict`) and treats a view the user
 * closed (fake.closeView) as gone (`not_found`), which is what Slack answers after the modal closed.
 */
import { blockProblems, bool, fail, invalid, isObject, str } from './slack-fake-common.ts';
import type { Ctx, Handler, Result } from './slack-fake-common.ts';
import { APP_ID, BOT_ID, TEAM_ID } from './slack-fake-ids.ts';
import type { FakeView, Json } from './slack-fake-state.ts';

const MAX_VIEW_BYTES = 250_000;

/** The view object as Slack returns it. */
export function slackView(v: FakeView): Json {
  const s = v.view;
  return {
    id: v.id,
    team_id: TEAM_ID,
    type: v.type,
    blocks: Array.isArray(s.blocks) ? s.blocks : [],
    private_metadata: str(s.private_metadata) ?? '',
    callback_id: str(s.callback_id) ?? '',
    state: { values: v.values },
    hash: v.hash,
    ...(s.title !== undefined ? { title: s.title } : {}),
    clear_on_close: bool(s.clear_on_close),
    notify_on_close: bool(s.notify_on_close),
    close: s.close ?? null,
    submit: s.submit ?? null,
    previous_view_id: v.previous_view_id,
    root_view_id: v.root_view_id,
    app_id: APP_ID,
    external_id: v.external_id,
    app_installed_team_id: TEAM_ID,
    bot_id: BOT_ID,
  };
}

function textProblem(obj: unknown, max: number, pointer: string, required: boolean): string | null {
  if (obj === undefined || obj === null)
    return required ? `[ERROR] missing required field [json-pointer:${pointer}]` : null;
  if (!isObject(obj) || obj.type !== 'plain_text' || typeof obj.text !== 'string') {
    return `[ERROR] must be a plain_text object [json-pointer:${pointer}]`;
  }
  if (obj.text.length === 0 || obj.text.length > max) {
    return `[ERROR] must be 1-${max} characters [json-pointer:${pointer}/text]`;
  }
  return null;
}

/** What Slack refuses in a view, as response_metadata messages (empty = acceptable). */
function viewProblems(view: Json, type: 'modal' | 'home'): string[] {
  if (view.type !== type) return [`[ERROR] view type must be ${type} [json-pointer:/view/type]`];
  const problems = blockProblems(view.blocks ?? [], 100, '/view/blocks');
  if (type === 'modal') {
    for (const [key, required] of [
      ['title', true],
      ['submit', false],
      ['close', false],
    ] as const) {
      const p = textProblem(view[key], 24, `/view/${key}`, required);
      if (p) problems.push(p);
    }
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) {
      problems.push('[ERROR] must provide a submit property when using input blocks [json-pointer:/view]');
    }
  }
  const limits: [string, number][] = [
    ['private_metadata', 3000],
    ['callback_id', 255],
    ['external_id', 255],
  ];
  for (const [key, max] of limits) {
    if ((str(view[key]) ?? '').length > max)
      problems.push(`[ERROR] must be at most ${max} characters [json-pointer:/view/${key}]`);
  }
  return problems;
}

/** Parses and checks `args.view`; returns the view or the error answer. */
function takeView(args: Json, type: 'modal' | 'home'): Json | Result {
  const view = args.view;
  if (!isObject(view))
    return invalid('invalid_arguments', ['[ERROR] missing required field: view [json-pointer:/view]']);
  if (JSON.stringify(view).length > MAX_VIEW_BYTES) return fail('view_too_large');
  const problems = viewProblems(view, type);
  return problems.length > 0 ? invalid('invalid_arguments', problems) : view;
}

const isAnswer = (v: Json | Result): v is Result => typeof v.ok === 'boolean';

/**
 * The error views.open would answer for these args on the view and trigger_id's form (not on
 * single use, which needs the workspace state), or null. For the ack benchmark's Slack stand-in,
 * which checks every modal after the measured cell instead of while it is measured.
 */
export function viewsOpenRefusal(args: Json): string | null {
  const view = takeView(args, 'modal');
  if (isAnswer(view)) return String(view.error);
  return str(args.trigger_id) ? null : 'invalid_arguments';
}

/** A trigger_id is good for one views.open/views.push (Slack: `exchanged_trigger_id`). */
function takeTrigger(args: Json, ctx: Ctx): Result | null {
  const trigger = str(args.trigger_id);
  if (!trigger) return invalid('invalid_arguments', ['invalid `trigger_id`']);
  if (ctx.state.usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
  ctx.state.usedTriggers.add(trigger);
  return null;
}

function externalIdTaken(ctx: Ctx, view: Json, except?: string): boolean {
  const ext = str(view.external_id) ?? '';
  return ext !== '' && [...ctx.state.views.values()].some((v) => v.external_id === ext && v.id !== except);
}

function createView(ctx: Ctx, view: Json, previous: FakeView | null, userId?: string): FakeView {
  const id = ctx.state.nextId('V');
  const v: FakeView = {
    id,
    type: str(view.type) ?? 'modal',
    view,
    hash: ctx.state.nextHash(),
    external_id: str(view.external_id) ?? '',
    root_view_id: previous?.root_view_id ?? id,
    previous_view_id: previous?.id ?? null,
    values: {},
    ...(userId !== undefined ? { user_id: userId } : {}),
    closed: false,
    versions: [view],
  };
  ctx.state.views.set(id, v);
  return v;
}

/** New content, new hash; typed values survive for blocks that are still there (as in Slack). */
function replaceView(ctx: Ctx, v: FakeView, view: Json): void {
  v.view = view;
  v.hash = ctx.state.nextHash();
  v.external_id = str(view.external_id) ?? v.external_id;
  v.versions.push(view);
  const kept = new Set(
    (Array.isArray(view.blocks) ? view.blocks : []).map((b) => (isObject(b) ? str(b.block_id) : undefined)),
  );
  for (const blockId of Object.keys(v.values)) if (!kept.has(blockId)) delete v.values[blockId];
}

const open: Handler = (args, ctx) => {
  const view = takeView(args, 'modal');
  if (isAnswer(view)) return view;
  if (externalIdTaken(ctx, view)) return fail('duplicate_external_id');
  const bad = takeTrigger(args, ctx);
  if (bad) return bad;
  return { ok: true, view: slackView(createView(ctx, view, null)) };
};

const push: Handler = (args, ctx) => {
  const view = takeView(args, 'modal');
  if (isAnswer(view)) return view;
  if (externalIdTaken(ctx, view)) return fail('duplicate_external_id');
  const bad = takeTrigger(args, ctx);
  if (bad) return bad;
  // The fake cannot tell which modal the trigger came from: it stacks on the newest open modal.
  const top = [...ctx.state.views.values()].filter((v) => v.type === 'modal' && !v.closed).pop() ?? null;
  return { ok: true, view: slackView(createView(ctx, view, top)) };
};

const update: Handler = (args, ctx) => {
  const viewId = str(args.view_id);
  const externalId = str(args.external_id);
  if (!viewId && !externalId) {
    return invalid('invalid_arguments', ['[ERROR] either view_id or external_id is required']);
  }
  const v = viewId
    ? ctx.state.views.get(viewId)
    : [...ctx.state.views.values()].find((x) => x.external_id === externalId);
  if (!v || v.closed) return fail('not_found');
  const hash = str(args.hash);
  if (hash !== undefined && hash !== v.hash) return fail('hash_conflict');
  const view = takeView(args, v.type === 'home' ? 'home' : 'modal');
  if (isAnswer(view)) return view;
  if (externalIdTaken(ctx, view, v.id)) return fail('duplicate_external_id');
  replaceView(ctx, v, view);
  return { ok: true, view: slackView(v) };
};

const publish: Handler = (args, ctx) => {
  const userId = str(args.user_id);
  const user = userId === undefined ? undefined : ctx.state.users.get(userId);
  if (!user || user.is_bot) return invalid('invalid_arguments', ['invalid `user_id`']);
  const view = takeView(args, 'home');
  if (isAnswer(view)) return view;
  const current = [...ctx.state.views.values()].find((v) => v.type === 'home' && v.user_id === user.id);
  const hash = str(args.hash);
  if (current && hash !== undefined && hash !== current.hash) return fail('hash_conflict');
  if (current) {
    replaceView(ctx, current, view);
    return { ok: true, view: slackView(current) };
  }
  return { ok: true, view: slackView(createView(ctx, view, null, user.id)) };
};

export const viewMethods: Record<string, Handler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
