import { z } from 'zod';

/**
 * Zod schemas for the Harness responses we read. They are deliberately loose: unknown fields pass
 * through (Harness adds fields all the time), and optional fields with an unexpected type become
 * `undefined` (`.catch`) instead of failing the whole response. Only what we cannot work without
 * is required. Shapes: reference/harness-samples/response-*.json.
 */

const optString = z.string().nullish().catch(undefined);
const optNumber = z.number().nullish().catch(undefined);
const optStringArray = z.array(z.string()).nullish().catch(undefined);
const withMessage = z.looseObject({ message: optString }).nullish().catch(undefined);

/** NG error envelope: `Failure` (400, `errors[]`) and `Error` (`responseMessages[]`). */
export const errorEnvelopeSchema = z.looseObject({
  status: optString,
  code: optString,
  message: optString,
  correlationId: optString,
  detailedMessage: optString,
  responseMessages: z
    .array(z.looseObject({ code: optString, level: optString, message: optString }).catch({}))
    .nullish()
    .catch(undefined),
  errors: z
    .array(z.looseObject({ fieldId: optString, error: optString }).catch({}))
    .nullish()
    .catch(undefined),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** POST /pipeline/api/pipeline/execute/{id} → ResponsePlanExecutionResponseDto. */
export const executeResponseSchema = z.looseObject({
  status: optString,
  correlationId: optString,
  data: z
    .looseObject({
      planExecutionId: optString,
      planExecution: z
        .looseObject({
          uuid: optString,
          status: optString,
          metadata: z
            .looseObject({ executionUuid: optString, pipelineIdentifier: optString, runSequence: optNumber })
            .nullish()
            .catch(undefined),
        })
        .nullish()
        .catch(undefined),
    })
    .nullish()
    .catch(undefined),
});
export type ExecuteResponse = z.infer<typeof executeResponseSchema>;

/** The execution id, in the order the UI and MCP look for it (reference §1a). */
export function executionIdOf(res: ExecuteResponse): string | undefined {
  const data = res.data;
  const candidates = [
    data?.planExecution?.uuid,
    data?.planExecution?.metadata?.executionUuid,
    data?.planExecutionId,
  ];
  return candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
}

export const layoutNodeSchema = z.looseObject({
  nodeType: optString,
  nodeGroup: optString,
  nodeIdentifier: optString,
  name: optString,
  nodeUuid: optString,
  status: optString,
  startTs: optNumber,
  endTs: optNumber,
  edgeLayoutList: z
    .looseObject({ currentNodeChildren: optStringArray, nextIds: optStringArray })
    .nullish()
    .catch(undefined),
  failureInfo: withMessage,
});
export type LayoutNode = z.infer<typeof layoutNodeSchema>;

/** GET /pipeline/api/pipelines/execution/v2/{id} → data.pipelineExecutionSummary. */
export const executionDetailResponseSchema = z.looseObject({
  status: optString,
  data: z.looseObject({
    pipelineExecutionSummary: z.looseObject({
      // Required: without a status we cannot say anything true about the run.
      status: z.string().min(1),
      pipelineIdentifier: z.string().min(1).nullish().catch(undefined),
      planExecutionId: optString,
      name: optString,
      runSequence: optNumber,
      startTs: optNumber,
      endTs: optNumber,
      executionErrorInfo: withMessage,
      failureInfo: withMessage,
      // A malformed node is dropped rather than failing the whole status read.
      layoutNodeMap: z.record(z.string(), layoutNodeSchema.nullable().catch(null)).nullish().catch(undefined),
      startingNodeId: optString,
      totalStagesCount: optNumber,
      successfulStagesCount: optNumber,
      failedStagesCount: optNumber,
      runningStagesCount: optNumber,
    }),
  }),
});
/**
 * POST /pipeline/api/pipelines/execution/summary → a Spring page of summaries (reference §2b). An
 * item we cannot read (no status or id) is dropped: the watcher then asks for its detail.
 */
export const executionListResponseSchema = z.looseObject({
  status: optString,
  data: z.looseObject({
    content: z.array(
      executionDetailResponseSchema.shape.data.shape.pipelineExecutionSummary
        .extend({ planExecutionId: z.string().min(1) })
        .nullable()
        .catch(null),
    ),
    number: optNumber,
    size: optNumber,
    totalPages: optNumber,
    last: z.boolean().nullish().catch(undefined),
  }),
});

type RawSummary = z.infer<typeof executionDetailResponseSchema>['data']['pipelineExecutionSummary'];
/** The summary once the client has settled which pipeline it belongs to. */
export type PipelineExecutionSummary = RawSummary & { pipelineIdentifier: string };

/** PUT /pipeline/api/pipeline/execute/interrupt/{id} → ResponseInterruptResponse. */
export const interruptResponseSchema = z.looseObject({
  status: optString,
  data: z
    .looseObject({ id: optString, planExecutionId: optString, type: optString })
    .nullish()
    .catch(undefined),
});

/** Short, readable list of what a zod parse found wrong (for HARNESS_BAD_RESPONSE messages). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
