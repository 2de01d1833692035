import { AppError } from '../errors.ts';
import { ambiguousError, badResponseError } from './errors.ts';
import type { CallContext } from './errors.ts';
import { backoffDelayMs, isAmbiguousForExecute, shouldRetry } from './retry.ts';
import type { CallKind } from './retry.ts';
import {
  describeIssues,
  executeResponseSchema,
  executionDetailResponseSchema,
  executionIdOf,
  executionListResponseSchema,
  interruptResponseSchema,
} from './schemas.ts';
import { toExecutionSummary } from './summary.ts';
import { requestReporter } from './transport.ts';
import type { HttpRequest } from './transport.ts';
import { attemptJudged } from './attempt.ts';
import type {
  ExecuteRequest,
  ExecuteResult,
  ExecutionPage,
  ExecutionRef,
  ExecutionSummary,
  ListExecutionsRequest,
  HarnessClient,
  HarnessClientOptions,
} from './types.ts';
import { apiPaths, apiUrl, executionsListUrl, executionUrl } from './urls.ts';
import { requireIdentifier, validateClientOptions } from './validate.ts';

/** Harness's answer to a second abort of the same execution: the abort is already under way. */
const ALREADY_ABORTED_CODES = new Set(['ABORT_ALL_ALREADY_NG', 'ABORT_ALL_ALREADY']);

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createHarnessClient(opts: HarnessClientOptions): HarnessClient {
  const cfg = validateClientOptions(opts);
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const redact = (s: string): string => s.split(cfg.apiKey).join('[redacted]');

  const baseHeaders = (): Record<string, string> => ({
    'x-api-key': cfg.apiKey,
    'Harness-Account': cfg.accountId,
    Accept: 'application/json',
  });

  const scope = (org: string, project: string) => ({
    accountIdentifier: cfg.accountId,
    orgIdentifier: org,
    projectIdentifier: project,
  });

  const uiRef = (org: string, project: string, pipeline: string) => ({
    accountId: cfg.accountId,
    org,
    project,
    pipeline,
  });

  const attemptDeps = {
    fetchImpl,
    timeoutMs: cfg.timeoutMs,
    limiter: opts.limiter,
    report: requestReporter(opts.onRequest),
  };

  /**
   * Sends with the retry policy of `kind` and returns the parsed JSON of a 2xx answer. For
   * execute, every failure that could hide a started pipeline becomes HARNESS_AMBIGUOUS.
   */
  async function send(
    kind: CallKind,
    ctx: CallContext,
    req: HttpRequest,
    listUrl?: string,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const judged = await attemptJudged(attemptDeps, ctx, req);
      if (judged.ok) return judged.value;
      const { problem, error } = judged;
      if (attempt <= cfg.maxRetries && shouldRetry(kind, problem)) {
        await sleep(backoffDelayMs(attempt, random));
        continue;
      }
      if (kind === 'execute' && listUrl !== undefined && isAmbiguousForExecute(problem)) {
        throw ambiguousError(ctx, error, listUrl);
      }
      if (attempt > 1) error.details.attempts = attempt;
      throw error;
    }
  }

  const scopeText = (org: string, project: string): string => `org "${org}", project "${project}"`;

  return {
    async execute(req: ExecuteRequest): Promise<ExecuteResult> {
      const org = requireIdentifier('org', req.org);
      const project = requireIdentifier('project', req.project);
      const pipeline = requireIdentifier('pipeline', req.pipeline);
      if (typeof req.yaml !== 'string') {
        throw new AppError(
          'INPUT_INVALID',
          'Harness execute needs `yaml` as a string (the empty string is allowed).',
        );
      }
      const path = apiPaths.execute(pipeline);
      const target = `pipeline "${pipeline}" in ${scopeText(org, project)}`;
      const ctx: CallContext = {
        op: 'execute',
        action: `starting ${target}`,
        target,
        method: 'POST',
        path,
        redact,
      };
      const listUrl = executionsListUrl(cfg.uiUrl, uiRef(org, project, pipeline));
      const url = apiUrl(cfg.baseUrl, path, {
        ...scope(org, project),
        moduleType: req.module,
        notesForPipelineExecution: req.notes,
      });
      const json = await send(
        'execute',
        ctx,
        {
          method: 'POST',
          url,
          headers: { ...baseHeaders(), 'Content-Type': 'application/yaml' },
          body: req.yaml,
        },
        listUrl,
      );
      const parsed = executeResponseSchema.safeParse(json);
      const executionId = parsed.success ? executionIdOf(parsed.data) : undefined;
      if (!parsed.success || executionId === undefined) {
        // Harness said yes but we cannot tell to what: the pipeline probably runs, unlinked.
        const problem = parsed.success
          ? 'no execution id in data.planExecution'
          : describeIssues(parsed.error);
        throw ambiguousError(ctx, badResponseError(ctx, 200, problem), listUrl);
      }
      return {
        executionId,
        status: parsed.data.data?.planExecution?.status ?? 'UNKNOWN',
        url: executionUrl(cfg.uiUrl, { ...uiRef(org, project, pipeline), executionId }),
      };
    },

    async getExecution(ref: ExecutionRef): Promise<ExecutionSummary> {
      const org = requireIdentifier('org', ref.org);
      const project = requireIdentifier('project', ref.project);
      const executionId = requireIdentifier('executionId', ref.executionId);
      const path = apiPaths.executionDetail(executionId);
      const target = `execution "${executionId}" in ${scopeText(org, project)}`;
      const ctx: CallContext = {
        op: 'status',
        action: `reading ${target}`,
        target,
        method: 'GET',
        path,
        redact,
      };
      const url = apiUrl(cfg.baseUrl, path, scope(org, project));
      const json = await send('read', ctx, { method: 'GET', url, headers: baseHeaders() });
      const parsed = executionDetailResponseSchema.safeParse(json);
      if (!parsed.success) throw badResponseError(ctx, 200, describeIssues(parsed.error));
      const summary = parsed.data.data.pipelineExecutionSummary;
      const pipeline = summary.pipelineIdentifier ?? ref.pipeline?.trim();
      if (!pipeline) throw badResponseError(ctx, 200, 'pipelineExecutionSummary has no pipelineIdentifier');
      return toExecutionSummary({ ...summary, pipelineIdentifier: pipeline }, executionId, (pipe, id) =>
        executionUrl(cfg.uiUrl, { ...uiRef(org, project, pipe), executionId: id }),
      );
    },

    async abort(ref: ExecutionRef): Promise<void> {
      const org = requireIdentifier('org', ref.org);
      const project = requireIdentifier('project', ref.project);
      const executionId = requireIdentifier('executionId', ref.executionId);
      const path = apiPaths.interrupt(executionId);
      const target = `execution "${executionId}" in ${scopeText(org, project)}`;
      const ctx: CallContext = {
        op: 'abort',
        action: `aborting ${target}`,
        target,
        method: 'PUT',
        path,
        redact,
      };
      const url = apiUrl(cfg.baseUrl, path, { ...scope(org, project), interruptType: 'AbortAll' });
      try {
        const json = await send('read', ctx, { method: 'PUT', url, headers: baseHeaders() });
        const parsed = interruptResponseSchema.safeParse(json);
        if (!parsed.success) throw badResponseError(ctx, 200, describeIssues(parsed.error));
      } catch (e) {
        if (e instanceof AppError && ALREADY_ABORTED_CODES.has(String(e.details.harnessCode))) return;
        throw e;
      }
    },

    async listExecutions(req: ListExecutionsRequest): Promise<ExecutionPage> {
      const org = requireIdentifier('org', req.org);
      const project = requireIdentifier('project', req.project);
      const size = req.size ?? 100;
      const page = req.page ?? 0;
      if (!Number.isInteger(size) || size < 1 || size > 1000 || !Number.isInteger(page) || page < 0) {
        throw new AppError(
          'INPUT_INVALID',
          `Harness execution list needs page ≥ 0 and size 1-1000 (whole numbers); got page ${page}, size ${size}.`,
        );
      }
      const path = apiPaths.executionList();
      const target = `executions in ${scopeText(org, project)}`;
      const ctx: CallContext = {
        op: 'list',
        action: `listing ${target}`,
        target,
        method: 'POST',
        path,
        redact,
      };
      const base = apiUrl(cfg.baseUrl, path, {
        ...scope(org, project),
        pipelineIdentifier: req.pipeline,
        page: String(page),
        size: String(size),
        sort: 'startTs,DESC',
      });
      // `status` is a repeated query parameter (GOSDK GetListOfExecutions).
      const url = (req.statuses ?? []).reduce((u, st) => `${u}&status=${encodeURIComponent(st)}`, base);
      const json = await send('read', ctx, {
        method: 'POST',
        url,
        headers: { ...baseHeaders(), 'Content-Type': 'application/json' },
        body: JSON.stringify(
          req.executionIds?.length
            ? { filterType: 'PipelineExecution', planExecutionIds: req.executionIds }
            : { filterType: 'PipelineExecution' },
        ),
      });
      const parsed = executionListResponseSchema.safeParse(json);
      if (!parsed.success) throw badResponseError(ctx, 200, describeIssues(parsed.error));
      const d = parsed.data.data;
      const items: ExecutionSummary[] = [];
      for (const raw of d.content) {
        if (!raw) continue;
        const pipeline = raw.pipelineIdentifier ?? req.pipeline;
        if (!pipeline) continue;
        items.push(
          toExecutionSummary({ ...raw, pipelineIdentifier: pipeline }, raw.planExecutionId, (pipe, id) =>
            executionUrl(cfg.uiUrl, { ...uiRef(org, project, pipe), executionId: id }),
          ),
        );
      }
      const totalPages = d.totalPages ?? page + 1;
      return {
        items,
        page: d.number ?? page,
        totalPages,
        last: d.last ?? page + 1 >= totalPages,
        size: d.size && d.size > 0 ? d.size : size,
      };
    },

    executionUrl(r) {
      return executionUrl(cfg.uiUrl, { ...uiRef(r.org, r.project, r.pipeline), executionId: r.executionId });
    },

    executionsListUrl(r) {
      return executionsListUrl(cfg.uiUrl, uiRef(r.org, r.project, r.pipeline));
    },
  };
}
