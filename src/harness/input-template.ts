/**
 * Reads a pipeline's runtime-input template — what the Harness "Run pipeline" modal shows on its
 * YAML tab — with `POST /pipeline/api/inputSets/template` (reference harness-api.md §1b). It is a
 * read, so it is retried like the other reads (429, 5xx, transport), with the client's errors,
 * timeouts and key redaction. Used by `runbook-bot import`.
 */
import { z } from 'zod';
import { badResponseError, type CallContext } from './errors.ts';
import { backoffDelayMs, shouldRetry } from './retry.ts';
import { describeIssues } from './schemas.ts';
import { requestReporter } from './transport.ts';
import { attemptJudged } from './attempt.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { HarnessClientOptions } from './types.ts';
import { apiUrl } from './urls.ts';
import { requireIdentifier, validateClientOptions } from './validate.ts';

export const INPUT_TEMPLATE_PATH = '/pipeline/api/inputSets/template';

export interface InputTemplateRequest {
  org: string;
  project: string;
  pipeline: string;
  /** Git-backed pipelines: the branch to read the pipeline from. */
  branch?: string;
}

export interface InputTemplate {
  /** The runtime-input YAML; '' when the pipeline has no runtime inputs. */
  yaml: string;
  hasInputSets: boolean;
  modules: string[];
  replacedExpressions: string[];
}

// InputSetTemplateWithReplacedExpressionsResponse (UI pipeline-ng spec); every field optional there.
const templateResponseSchema = z.object({
  status: z.string().optional(),
  data: z
    .object({
      inputSetTemplateYaml: z.string().nullish(),
      replacedExpressions: z.array(z.string()).nullish(),
      hasInputSets: z.boolean().nullish(),
      modules: z.array(z.string()).nullish(),
    })
    .nullish(),
});

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createInputTemplateReader(
  opts: HarnessClientOptions,
): (req: InputTemplateRequest) => Promise<InputTemplate> {
  const cfg = validateClientOptions(opts);
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const redact = (s: string): string => s.split(cfg.apiKey).join('[redacted]');
  // Same limiter as the pipeline client when given: Harness counts every request of the key.
  const attemptDeps = {
    fetchImpl,
    timeoutMs: cfg.timeoutMs,
    limiter: opts.limiter,
    report: requestReporter(opts.onRequest),
  };

  return async (req) => {
    const org = requireIdentifier('org', req.org);
    const project = requireIdentifier('project', req.project);
    const pipeline = requireIdentifier('pipeline', req.pipeline);
    const target = `pipeline "${pipeline}" in org "${org}", project "${project}"`;
    const ctx: CallContext = {
      op: 'status',
      action: `reading the runtime-input template of ${target}`,
      target,
      method: 'POST',
      path: INPUT_TEMPLATE_PATH,
      redact,
    };
    const url = apiUrl(cfg.baseUrl, INPUT_TEMPLATE_PATH, {
      accountIdentifier: cfg.accountId,
      orgIdentifier: org,
      projectIdentifier: project,
      pipelineIdentifier: pipeline,
      branch: req.branch,
    });
    const headers = {
      'x-api-key': cfg.apiKey,
      'Harness-Account': cfg.accountId,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    };
    for (let attempt = 1; ; attempt++) {
      const judged = await attemptJudged(attemptDeps, ctx, { method: 'POST', url, headers, body: '{}' });
      if (judged.ok) {
        const parsed = templateResponseSchema.safeParse(judged.value);
        if (!parsed.success) throw badResponseError(ctx, 200, describeIssues(parsed.error));
        const d = parsed.data.data ?? {};
        return {
          yaml: d.inputSetTemplateYaml ?? '',
          hasInputSets: d.hasInputSets ?? false,
          modules: d.modules ?? [],
          replacedExpressions: d.replacedExpressions ?? [],
        };
      }
      const { problem, error } = judged;
      if (shouldRetry('read', problem) && attempt <= cfg.maxRetries) {
        await sleep(backoffDelayMs(attempt, random));
        continue;
      }
      if (attempt > 1) error.details.attempts = attempt;
      throw error;
    }
  };
}

/** The reader for the bot's own Harness settings (HARNESS_* variables). */
export function inputTemplateReaderFromConfig(
  config: {
    HARNESS_BASE_URL: string;
    HARNESS_UI_URL: string;
    HARNESS_API_KEY?: string | undefined;
    HARNESS_ACCOUNT_ID?: string | undefined;
  },
  limiter?: RateLimiter,
): (req: InputTemplateRequest) => Promise<InputTemplate> {
  return createInputTemplateReader({
    ...(limiter ? { limiter } : {}),
    baseUrl: config.HARNESS_BASE_URL,
    uiUrl: config.HARNESS_UI_URL,
    apiKey: config.HARNESS_API_KEY ?? '',
    accountId: config.HARNESS_ACCOUNT_ID ?? '',
    timeoutMs: 10_000,
    maxRetries: 1,
  });
}
