/**
 * `harness.pipeline`: execute a pipeline with the run's resolved Run-YAML, then (mode: wait) follow
 * it to a terminal status. The YAML was resolved and validated when the run was created and is
 * stored on the step: what dry-run and the audit show is exactly what is sent.
 */
import { parseDuration, formatDuration } from '../../domain/duration.ts';
import { AppError } from '../../errors.ts';
import type { ActionDefinition, ActionContext, HarnessApi, StepResult } from '../ports.ts';
import type { HarnessPipelineWith } from '../../manifests/schema.ts';
import { watcherOf } from '../watch-batcher.ts';

function specOf(ctx: ActionContext): HarnessPipelineWith {
  if (ctx.spec.uses !== 'harness.pipeline') throw new Error('harness.pipeline got another step kind');
  return ctx.spec.with;
}

function client(ctx: ActionContext): HarnessApi {
  if (!ctx.deps.harness) {
    throw new AppError(
      'CONFIG_INVALID',
      'Harness is not configured: set HARNESS_API_KEY and HARNESS_ACCOUNT_ID.',
    );
  }
  return ctx.deps.harness;
}

/** Poll often at first, then back off (×1.5 per poll, as Harness's own TS client does), capped. */
export function nextPollDelay(elapsedMs: number, poll: { minMs: number; maxMs: number }): number {
  return Math.min(poll.maxMs, Math.max(poll.minMs, Math.round(elapsedMs * 0.15)));
}

const OUTCOME_TO_STATUS = {
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  timed_out: 'timed_out',
  skipped: 'succeeded', // Harness skipped the whole pipeline on purpose (conditional execution)
} as const;

export const harnessPipelineAction: ActionDefinition = {
  uses: 'harness.pipeline',
  // Execute is not idempotent (DESIGN.md §4.6): after a crash mid-call the step becomes `unknown`.
  idempotentStart: false,
  timeoutMs(spec) {
    return spec.uses === 'harness.pipeline' ? (parseDuration(spec.with.timeout) ?? undefined) : undefined;
  },

  async start(ctx): Promise<StepResult> {
    const w = specOf(ctx);
    const res = await client(ctx).execute({
      org: w.org,
      project: w.project,
      pipeline: w.pipeline,
      yaml: ctx.step.resolvedYaml ?? '',
      ...(w.module ? { module: w.module } : {}),
      notes: `runbook-bot ${ctx.run.id} (${ctx.run.runbookId})${ctx.run.incidentId ? ` for ${ctx.run.incidentId}` : ''}`,
    });
    const output = { execution_id: res.executionId, status: res.status, pipeline: w.pipeline };
    const started = {
      kind: 'pipeline.started',
      text: `Pipeline ${w.pipeline} started (${w.mode === 'wait' ? 'waiting for it' : 'fire and forget'}): ${res.url}`,
      data: { url: res.url, executionId: res.executionId, step: ctx.step.stepId },
    };
    if (w.mode === 'fire_and_forget') {
      return {
        kind: 'done',
        status: 'succeeded',
        externalId: res.executionId,
        externalStatus: res.status,
        url: res.url,
        output,
        events: [started],
      };
    }
    return {
      kind: 'wait',
      nextCheckAt: ctx.now + ctx.deps.poll.minMs,
      externalId: res.executionId,
      externalStatus: res.status,
      url: res.url,
      output,
      events: [started],
    };
  },

  async check(ctx): Promise<StepResult> {
    const w = specOf(ctx);
    const executionId = ctx.step.externalId;
    if (!executionId)
      throw new AppError('INTERNAL', `Step ${ctx.step.stepId} is waiting without an execution id.`);
    const ref = { org: w.org, project: w.project, executionId, pipeline: w.pipeline };
    const harness = client(ctx);
    const watcher = watcherOf(harness);
    // Batched: the project's shared list answers unless the status changed (watch-batcher.ts);
    // an unchanged execution is still running, so its listed summary (stages) is all we need.
    const read = watcher
      ? await watcher.read({ ...ref, lastStatus: ctx.step.externalStatus })
      : { summary: await harness.getExecution(ref) };
    const ex = read.summary;
    // The shared row is not refreshed before `notBefore`: an earlier read would see the same row.
    const notBefore = 'notBefore' in read ? (read.notBefore ?? 0) : 0;
    const url = ctx.step.url ?? ex.url;
    const progress = { stages: ex.stages, status: ex.status, runSequence: ex.runSequence ?? null };
    const output = {
      execution_id: executionId,
      status: ex.status,
      pipeline: w.pipeline,
      run_sequence: ex.runSequence ?? null,
      failure_message: ex.failureMessage ?? null,
    };
    if (!ex.outcome) {
      const elapsed = ctx.now - (ctx.step.startedAt ?? ctx.now);
      return {
        kind: 'wait',
        nextCheckAt: Math.max(ctx.now + nextPollDelay(elapsed, ctx.deps.poll), notBefore),
        externalStatus: ex.status,
        progress,
        output,
      };
    }
    const status = OUTCOME_TO_STATUS[ex.outcome];
    const took =
      ex.startTs && ex.endTs
        ? formatDuration(ex.endTs - ex.startTs)
        : formatDuration(ctx.now - (ctx.step.startedAt ?? ctx.now));
    const why = ex.failureMessage ? ` — ${ex.failureMessage}` : '';
    return {
      kind: 'done',
      status,
      externalStatus: ex.status,
      url,
      progress,
      output,
      ...(status === 'succeeded' ? {} : { error: `Harness status ${ex.status}${why}` }),
      events: [
        {
          kind: 'pipeline.finished',
          text: `Pipeline ${w.pipeline} finished: ${ex.status} after ${took}${why}: ${url}`,
          key: status !== 'succeeded',
          data: { url, executionId, status: ex.status, step: ctx.step.stepId },
        },
      ],
    };
  },

  async cancel(ctx) {
    const w = specOf(ctx);
    if (!ctx.step.externalId) return;
    await client(ctx).abort({ org: w.org, project: w.project, executionId: ctx.step.externalId });
  },
};
