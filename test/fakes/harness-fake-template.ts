/**
 * The runtime-input template endpoint of the Harness fake, `POST /pipeline/api/inputSets/template`
 * (reference harness-api.md §1b): the YAML the Run modal shows for a pipeline, answered in the
 * InputSetTemplateWithReplacedExpressionsResponse envelope. Checks what Harness checks (key, scope,
 * account, pipelineIdentifier, JSON body) and answers an unknown pipeline like execute does.
 */
import { errorEnvelope, failureEnvelope, harnessId } from './harness-fake-bodies.ts';
import type { RecordedRequest } from './harness-fake-state.ts';

export const TEMPLATE_PATH = '/pipeline/api/inputSets/template';

export interface TemplateFake {
  /** The template Harness returns for `pipeline` ('' for a pipeline without runtime inputs). */
  set(pipeline: string, yaml: string, opts?: { hasInputSets?: boolean; modules?: string[] }): void;
  /** Requests to the template endpoint, in order. */
  readonly calls: RecordedRequest[];
}

type Answer = { status: number; body: unknown };

export function createTemplateFake(accountId: string): {
  fake: TemplateFake;
  handle(rec: RecordedRequest): Answer;
} {
  const templates = new Map<string, { yaml: string; hasInputSets: boolean; modules: string[] }>();
  const calls: RecordedRequest[] = [];
  const handle = (rec: RecordedRequest): Answer => {
    calls.push(rec);
    if (rec.method !== 'POST')
      return { status: 405, body: errorEnvelope('INVALID_REQUEST', `Method ${rec.method} not allowed`) };
    if (rec.apiKey !== 'valid')
      return { status: 401, body: errorEnvelope('INVALID_TOKEN', 'Token is not valid.') };
    const missing = ['accountIdentifier', 'orgIdentifier', 'projectIdentifier', 'pipelineIdentifier'].filter(
      (k) => !rec.query[k],
    );
    if (missing.length)
      return {
        status: 400,
        body: failureEnvelope(
          'INVALID_REQUEST',
          'Invalid request: missing query parameters',
          missing.map((fieldId) => ({ fieldId, error: 'must not be null' })),
        ),
      };
    if (rec.query.accountIdentifier !== accountId)
      return {
        status: 403,
        body: errorEnvelope(
          'NG_ACCESS_DENIED',
          `Not authorized to access account ${rec.query.accountIdentifier}`,
        ),
      };
    try {
      JSON.parse(rec.body || 'null');
    } catch {
      return { status: 400, body: errorEnvelope('INVALID_REQUEST', 'Unable to process JSON') };
    }
    const pipeline = rec.query.pipelineIdentifier!;
    const t = templates.get(pipeline);
    if (!t) {
      const msg = `Pipeline [${pipeline}] under Project[${rec.query.projectIdentifier}], Organization [${rec.query.orgIdentifier}] doesn't exist or has been deleted.`;
      return { status: 404, body: errorEnvelope('ENTITY_NOT_FOUND', msg) };
    }
    const data = {
      inputSetTemplateYaml: t.yaml === '' ? null : t.yaml,
      replacedExpressions: [],
      hasInputSets: t.hasInputSets,
      modules: t.modules,
    };
    return { status: 200, body: { status: 'SUCCESS', data, metaData: null, correlationId: harnessId() } };
  };
  return {
    fake: {
      set(pipeline, yaml, opts = {}) {
        templates.set(pipeline, {
          yaml,
          hasInputSets: opts.hasInputSets ?? false,
          modules: opts.modules ?? ['cd'],
        });
      },
      calls,
    },
    handle,
  };
}
