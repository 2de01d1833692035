/**
 * State and route logic of the fake Harness: programs per pipeline, executions, and what each
 * route answers. No HTTP here: every route returns an Answer, which harness-fake.ts sends (or
 * sabotages, for injected failures).
 */
import {
  checkRuntimeYaml,
  deriveStageStatus,
  errorEnvelope,
  executeResponse,
  executionDetailResponse,
  failureEnvelope,
  harnessId,
} from './harness-fake-bodies.ts';
import type { ExecutionFacts, StageView } from './harness-fake-bodies.ts';

export type FakeRoute = 'execute' | 'status' | 'abort' | 'list';

export interface FakeStage {
  identifier: string;
  name?: string;
  type?: string;
  /** Per status step, in lockstep with the pipeline's `statuses`; derived when absent. */
  statuses?: string[];
}

export interface FakeProgram {
  /** Pipeline display statuses, advanced per status poll (or by time). Default Running → Success. */
  statuses?: string[];
  /** Advance one status every N ms since the execute instead of per poll. */
  advanceEveryMs?: number;
  stages?: FakeStage[];
  /** The execute is processed at once but answered after this delay. */
  executeDelayMs?: number;
  statusDelayMs?: number;
  failureMessage?: string;
  /** false: execute answers 404 as for a pipeline that does not exist. */
  exists?: boolean;
}

export interface RecordedRequest {
  route: FakeRoute | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; the x-api-key value is replaced by `[redacted]`. */
  headers: Record<string, string>;
  apiKey: 'valid' | 'invalid' | 'missing';
  body: string;
}

export interface FakeExecution {
  id: string;
  pipeline: string;
  org: string;
  project: string;
  yaml: string;
  module?: string;
  notes?: string;
  status: string;
  polls: number;
  aborts: number;
}

/** `processed`: the route did its work (an execute started a run), whatever is sent next. */
export interface Answer {
  status: number;
  body: unknown;
  delayMs: number;
  processed: boolean;
}

interface ExecState extends ExecutionFacts {
  yaml: string;
  notes?: string;
  program: FakeProgram;
  stageUuids: string[];
  polls: number;
  aborts: number;
  forced?: string;
}

const DEFAULT_STATUSES = ['Running', 'Success'];
const DEFAULT_STAGES: FakeStage[] = [{ identifier: 'deploy', name: 'Deploy' }];
const DEFAULT_FAILURE = 'Shell Script execution failed. Please check execution logs.';
const FINISHED = ['Success', 'Failed', 'Errored', 'Expired', 'IgnoreFailed', 'Aborted'];

const reject = (status: number, body: unknown): Answer => ({ status, body, delayMs: 0, processed: false });

export function createFakeState(accountId: string) {
  const programs = new Map<string, FakeProgram>();
  const execs = new Map<string, ExecState>();
  const runSequences = new Map<string, number>();

  const statusOf = (ex: ExecState): { status: string; step: number } => {
    const statuses = ex.program.statuses ?? DEFAULT_STATUSES;
    const step = ex.program.advanceEveryMs
      ? Math.floor((Date.now() - ex.createdAt) / ex.program.advanceEveryMs)
      : Math.max(0, ex.polls - 1);
    const i = Math.min(step, statuses.length - 1);
    return { status: ex.forced ?? statuses[i] ?? 'Running', step: i };
  };

  const stagesOf = (ex: ExecState, status: string, step: number): StageView[] => {
    const stages = ex.program.stages ?? DEFAULT_STAGES;
    return stages.map((s, i) => ({
      uuid: ex.stageUuids[i] ?? harnessId(),
      identifier: s.identifier,
      name: s.name ?? s.identifier,
      type: s.type ?? 'Deployment',
      status:
        (ex.forced === undefined ? s.statuses?.[Math.min(step, s.statuses.length - 1)] : undefined) ??
        deriveStageStatus(status, i, stages.length),
    }));
  };

  /** Key, required query params and account, as every Harness pipeline endpoint checks them. */
  const checkScope = (rec: RecordedRequest, apiKeyOk: boolean): Answer | undefined => {
    if (!apiKeyOk) return reject(401, errorEnvelope('INVALID_TOKEN', 'Token is not valid.'));
    const missing = ['accountIdentifier', 'orgIdentifier', 'projectIdentifier'].filter((k) => !rec.query[k]);
    if (missing.length > 0) {
      const errors = missing.map((fieldId) => ({ fieldId, error: 'must not be null' }));
      return reject(
        400,
        failureEnvelope('INVALID_REQUEST', 'Invalid request: missing query parameters', errors),
      );
    }
    if (rec.query.accountIdentifier !== accountId) {
      const msg = `Not authorized to access account ${rec.query.accountIdentifier}`;
      return reject(403, errorEnvelope('NG_ACCESS_DENIED', msg));
    }
    return undefined;
  };

  const execute = (pipeline: string, rec: RecordedRequest): Answer => {
    const org = rec.query.orgIdentifier ?? '';
    const project = rec.query.projectIdentifier ?? '';
    const program = programs.get(pipeline) ?? {};
    if (program.exists === false) {
      const msg = `Pipeline [${pipeline}] under Project[${project}], Organization [${org}] doesn't exist or has been deleted.`;
      return reject(404, errorEnvelope('ENTITY_NOT_FOUND', msg));
    }
    const type = rec.headers['content-type'] ?? '(none)';
    if (!/^application\/yaml\b/i.test(type)) {
      return reject(
        415,
        errorEnvelope('INVALID_REQUEST', `Unsupported media type ${type}; use application/yaml`),
      );
    }
    const check = checkRuntimeYaml(rec.body, pipeline);
    if (!check.ok) return reject(400, errorEnvelope(check.code, check.message));
    const runSequence = (runSequences.get(pipeline) ?? 0) + 1;
    runSequences.set(pipeline, runSequence);
    const ex: ExecState = {
      id: harnessId(),
      pipeline,
      org,
      project,
      runSequence,
      createdAt: Date.now(),
      yaml: rec.body,
      program,
      stageUuids: (program.stages ?? DEFAULT_STAGES).map(() => harnessId()),
      polls: 0,
      aborts: 0,
    };
    if (rec.query.moduleType) ex.module = rec.query.moduleType;
    if (rec.query.notesForPipelineExecution) ex.notes = rec.query.notesForPipelineExecution;
    execs.set(ex.id, ex);
    return {
      status: 200,
      body: executeResponse(accountId, ex),
      delayMs: program.executeDelayMs ?? 0,
      processed: true,
    };
  };

  const status = (ex: ExecState): Answer => {
    ex.polls += 1;
    const { status: st, step } = statusOf(ex);
    const failure = ex.program.failureMessage ?? DEFAULT_FAILURE;
    const body = executionDetailResponse(ex, st, stagesOf(ex, st, step), Date.now(), failure);
    return { status: 200, body, delayMs: ex.program.statusDelayMs ?? 0, processed: true };
  };

  const abort = (ex: ExecState, rec: RecordedRequest): Answer => {
    if (rec.query.interruptType !== 'AbortAll') {
      const msg = `Invalid request: interruptType ${rec.query.interruptType ?? '(none)'} is not supported here`;
      return reject(400, errorEnvelope('INVALID_REQUEST', msg));
    }
    ex.aborts += 1;
    if (ex.aborts > 1) {
      const msg = 'Abort for this execution is already in progress or done.';
      return reject(400, errorEnvelope('ABORT_ALL_ALREADY_NG', msg));
    }
    // Assumption (undocumented): aborting a finished run is accepted and changes nothing.
    if (!FINISHED.includes(statusOf(ex).status)) ex.forced = 'Aborted';
    const data = { id: harnessId(), planExecutionId: ex.id, type: 'AbortAll' };
    const body = { status: 'SUCCESS', data, metaData: null, correlationId: harnessId() };
    return { status: 200, body, delayMs: 0, processed: true };
  };

  /**
   * POST …/pipelines/execution/summary (reference §2b): the project's executions, newest first, as
   * a Spring page, filtered by the repeated `status` parameter and the body's `planExecutionIds`.
   * Rows are the same PipelineExecutionSummary as the detail call's. Listing is a status read like a
   * detail read: a per-poll program advances for every unfinished execution the list looks at.
   */
  const list = (rec: RecordedRequest, statuses: string[]): Answer => {
    let filter: unknown;
    try {
      filter = JSON.parse(rec.body || 'null');
    } catch {
      filter = null;
    }
    if ((filter as { filterType?: unknown } | null)?.filterType !== 'PipelineExecution') {
      const msg = 'Invalid request: body must be a filter with "filterType": "PipelineExecution"';
      return reject(400, errorEnvelope('INVALID_REQUEST', msg));
    }
    const page = Number(rec.query.page ?? '0');
    const size = Number(rec.query.size ?? '10');
    if (!Number.isInteger(page) || page < 0 || !Number.isInteger(size) || size < 1 || size > 1000) {
      return reject(400, errorEnvelope('INVALID_REQUEST', `Invalid request: page ${page}, size ${size}`));
    }
    // `planExecutionIds` in the filter body (Harness CORE PipelineExecutionFilterPropertiesDTO)
    // narrows the list to those executions; ids of other projects are simply not found.
    const ids = (filter as { planExecutionIds?: unknown }).planExecutionIds;
    if (
      ids !== undefined &&
      ids !== null &&
      !(Array.isArray(ids) && ids.every((x) => typeof x === 'string'))
    ) {
      const msg = 'Invalid request: planExecutionIds must be a list of execution ids';
      return reject(400, errorEnvelope('INVALID_REQUEST', msg));
    }
    const now = Date.now();
    const candidates = Array.isArray(ids)
      ? ids.flatMap((id: string) => execs.get(id) ?? [])
      : [...execs.values()];
    const inScope = candidates.filter(
      (ex) =>
        ex.org === rec.query.orgIdentifier &&
        ex.project === rec.query.projectIdentifier &&
        (!rec.query.pipelineIdentifier || ex.pipeline === rec.query.pipelineIdentifier),
    );
    const rows = [];
    for (const ex of inScope) {
      if (!FINISHED.includes(statusOf(ex).status)) ex.polls += 1;
      const { status: st, step } = statusOf(ex);
      if (statuses.length > 0 && !statuses.includes(st)) continue;
      rows.push({ ex, st, step });
    }
    rows.sort((a, b) => b.ex.createdAt - a.ex.createdAt);
    const failure = (ex: ExecState) => ex.program.failureMessage ?? DEFAULT_FAILURE;
    const content = rows
      .slice(page * size, page * size + size)
      .map(
        ({ ex, st, step }) =>
          executionDetailResponse(ex, st, stagesOf(ex, st, step), now, failure(ex)).data
            .pipelineExecutionSummary,
      );
    const totalPages = Math.ceil(rows.length / size);
    const data = {
      content,
      totalElements: rows.length,
      totalPages,
      number: page,
      size,
      numberOfElements: content.length,
      first: page === 0,
      last: page + 1 >= totalPages,
      empty: content.length === 0,
    };
    return {
      status: 200,
      body: { status: 'SUCCESS', data, metaData: null, correlationId: harnessId() },
      delayMs: 0,
      processed: true,
    };
  };

  return {
    program: (pipeline: string, program: FakeProgram): void => void programs.set(pipeline, program),

    list(rec: RecordedRequest, statuses: string[]): Answer {
      return checkScope(rec, rec.apiKey === 'valid') ?? list(rec, statuses);
    },

    handle(route: FakeRoute, id: string, rec: RecordedRequest): Answer {
      const refused = checkScope(rec, rec.apiKey === 'valid');
      if (refused) return refused;
      if (route === 'execute') return execute(id, rec);
      if (route === 'list') return list(rec, []);
      const ex = execs.get(id);
      if (!ex || ex.org !== rec.query.orgIdentifier || ex.project !== rec.query.projectIdentifier) {
        const msg = `Plan Execution with id [${id}] is not present or deleted`;
        return reject(404, errorEnvelope('ENTITY_NOT_FOUND', msg));
      }
      return route === 'status' ? status(ex) : abort(ex, rec);
    },

    setStatus(executionId: string, st: string): void {
      const ex = execs.get(executionId);
      if (!ex) throw new Error(`fake Harness: no execution ${executionId}`);
      ex.forced = st;
    },

    executions(): FakeExecution[] {
      return [...execs.values()].map((ex) => {
        const view: FakeExecution = {
          id: ex.id,
          pipeline: ex.pipeline,
          org: ex.org,
          project: ex.project,
          yaml: ex.yaml,
          status: statusOf(ex).status,
          polls: ex.polls,
          aborts: ex.aborts,
        };
        if (ex.module !== undefined) view.module = ex.module;
        if (ex.notes !== undefined) view.notes = ex.notes;
        return view;
      });
    },
  };
}
