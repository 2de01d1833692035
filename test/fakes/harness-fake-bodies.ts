/**
 * Response bodies and request checks for the fake Harness server, shaped like the real samples in
 * /work/shared/reference/harness-samples (response-execute-v0.json, response-execution-detail-v2.json,
 * response-error-invalid-request.json).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseDocument } from 'yaml';

/** Harness ids are 22-char base64url strings (e.g. `puqa4ivwRzGDUrYJdrcPbg`). */
export function harnessId(): string {
  return randomBytes(16).toString('base64url');
}

export function errorEnvelope(code: string, message: string, extra: Record<string, unknown> = {}) {
  return {
    status: 'ERROR',
    code,
    message,
    correlationId: randomUUID(),
    detailedMessage: null,
    responseMessages: [{ code, level: 'ERROR', message, exception: null, failureTypes: [] }],
    metadata: null,
    ...extra,
  };
}

/** The 400 `Failure` shape: field errors in `errors[]`. */
export function failureEnvelope(code: string, message: string, errors: { fieldId: string; error: string }[]) {
  return { status: 'FAILURE', code, message, correlationId: randomUUID(), errors };
}

export const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export interface ExecutionFacts {
  id: string;
  pipeline: string;
  org: string;
  project: string;
  module?: string;
  runSequence: number;
  createdAt: number;
}

export function executeResponse(accountId: string, ex: ExecutionFacts) {
  return {
    status: 'SUCCESS',
    data: {
      planExecution: {
        uuid: ex.id,
        createdAt: ex.createdAt,
        planId: harnessId(),
        setupAbstractions: { accountId, orgIdentifier: ex.org, projectIdentifier: ex.project },
        validUntil: ex.createdAt + 180 * 24 * 3600 * 1000,
        status: 'RUNNING',
        startTs: ex.createdAt,
        endTs: null,
        metadata: {
          runSequence: ex.runSequence,
          triggerInfo: {
            triggerType: 'MANUAL',
            triggeredBy: { uuid: harnessId(), identifier: 'runbook-bot', extraInfo: {} },
            isRerun: false,
          },
          pipelineIdentifier: ex.pipeline,
          executionUuid: ex.id,
          moduleType: ex.module ?? 'cd',
        },
        lastUpdatedAt: ex.createdAt,
        version: 0,
        nodeType: 'PLAN',
      },
    },
    metaData: null,
    correlationId: randomUUID(),
  };
}

export interface StageView {
  uuid: string;
  identifier: string;
  name: string;
  type: string;
  status: string;
}

const SUCCESS = new Set(['Success', 'IgnoreFailed']);
const FAILED = new Set(['Failed', 'Errored', 'ApprovalRejected', 'AbortedByFreeze', 'Suspended', 'Expired']);
const RUNNING = new Set(['Running', 'AsyncWaiting', 'TaskWaiting', 'TimedWaiting', 'WaitStepRunning']);
const TERMINAL = new Set([...SUCCESS, ...FAILED, 'Aborted', 'Skipped']);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

export function executionDetailResponse(
  ex: ExecutionFacts,
  status: string,
  stages: StageView[],
  now: number,
  failureMessage: string,
) {
  const layoutNodeMap: Record<string, unknown> = {};
  stages.forEach((s, i) => {
    const next = stages[i + 1];
    layoutNodeMap[s.uuid] = {
      nodeType: s.type,
      nodeGroup: 'STAGE',
      nodeIdentifier: s.identifier,
      name: s.name,
      nodeUuid: s.uuid,
      status: s.status,
      module: 'cd',
      ...(s.status === 'NotStarted' ? {} : { startTs: ex.createdAt + i }),
      ...(isTerminal(s.status) ? { endTs: now } : {}),
      edgeLayoutList: { currentNodeChildren: [], nextIds: next ? [next.uuid] : [] },
      ...(FAILED.has(s.status) ? { failureInfo: { message: failureMessage } } : {}),
      isRollbackStageNode: false,
    };
  });
  // Harness always lists a "Pipeline Rollback" node that the stage chain does not reach.
  const rollbackUuid = harnessId();
  layoutNodeMap[rollbackUuid] = {
    nodeType: 'PipelineRollback',
    nodeGroup: 'STAGE',
    nodeIdentifier: `prb-${harnessId()}`,
    name: 'Pipeline Rollback',
    nodeUuid: rollbackUuid,
    status: 'NotStarted',
    module: 'pms',
    edgeLayoutList: { currentNodeChildren: [], nextIds: [] },
    isRollbackStageNode: false,
  };
  const count = (set: Set<string>) => stages.filter((s) => set.has(s.status)).length;
  return {
    status: 'SUCCESS',
    data: {
      pipelineExecutionSummary: {
        pipelineIdentifier: ex.pipeline,
        orgIdentifier: ex.org,
        projectIdentifier: ex.project,
        planExecutionId: ex.id,
        name: ex.pipeline,
        yamlVersion: '0',
        status,
        tags: [],
        executionTriggerInfo: { triggerType: 'MANUAL', isRerun: false },
        ...(FAILED.has(status) ? { executionErrorInfo: { message: failureMessage } } : {}),
        layoutNodeMap,
        modules: ['cd', 'pms'],
        ...(stages[0] ? { startingNodeId: stages[0].uuid } : {}),
        startTs: ex.createdAt,
        ...(isTerminal(status) ? { endTs: now } : {}),
        createdAt: ex.createdAt,
        runSequence: ex.runSequence,
        successfulStagesCount: count(SUCCESS),
        runningStagesCount: count(RUNNING),
        failedStagesCount: count(FAILED),
        totalStagesCount: stages.length,
        storeType: 'INLINE',
        executionMode: 'NORMAL',
      },
    },
    metaData: null,
    correlationId: randomUUID(),
  };
}

/**
 * Stage statuses for a pipeline status when the test gave none: not started while queued, the
 * first stage carries a live status, success finishes all, any other end finishes all but the last
 * stage with success and gives the last one the pipeline's status.
 */
export function deriveStageStatus(pipelineStatus: string, index: number, total: number): string {
  if (['Queued', 'NotStarted', 'ResourceWaiting'].includes(pipelineStatus)) return 'NotStarted';
  if (SUCCESS.has(pipelineStatus)) return pipelineStatus;
  if (isTerminal(pipelineStatus)) return index === total - 1 ? pipelineStatus : 'Success';
  return index === 0 ? pipelineStatus : 'NotStarted';
}

export type YamlCheck = { ok: true } | { ok: false; code: string; message: string };

const BARE_INPUT = /^<\+input>/;
const RUNBOOK_INPUT = /<\+input\.[A-Za-z_][\w.]*>/;

/**
 * What Harness checks before it starts a run: the body is YAML with a `pipeline:` root for this
 * pipeline, and every required runtime input has a value. `<+input>` with `.default(..)` is
 * optional and `.executionInput()` is asked mid-run, so both may stay.
 */
export function checkRuntimeYaml(body: string, pipeline: string): YamlCheck {
  if (body.trim() === '') return { ok: true };
  const doc = parseDocument(body);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      code: 'INVALID_YAML_ERROR',
      message: `Invalid yaml: ${doc.errors[0]?.message ?? 'parse error'}`,
    };
  }
  const root: unknown = doc.toJS();
  const pipe =
    typeof root === 'object' && root !== null ? (root as { pipeline?: unknown }).pipeline : undefined;
  if (typeof pipe !== 'object' || pipe === null) {
    return {
      ok: false,
      code: 'INVALID_REQUEST',
      message: 'Invalid request: runtime input YAML must have a pipeline: root',
    };
  }
  const id = (pipe as { identifier?: unknown }).identifier;
  if (id !== undefined && id !== pipeline) {
    return {
      ok: false,
      code: 'INVALID_REQUEST',
      message: `Invalid request: pipeline identifier ${String(id)} does not match ${pipeline}`,
    };
  }
  const problem = findUnresolved(root, '');
  return problem ?? { ok: true };
}

function findUnresolved(node: unknown, path: string): YamlCheck | undefined {
  if (typeof node === 'string') {
    if (BARE_INPUT.test(node) && !node.includes('.executionInput()') && !node.includes('.default(')) {
      return {
        ok: false,
        code: 'INVALID_REQUEST',
        message: `Invalid request: Value not provided for required variable: ${path}`,
      };
    }
    if (RUNBOOK_INPUT.test(node)) {
      return {
        ok: false,
        code: 'UNRESOLVED_EXPRESSIONS_ERROR',
        message: `Unresolved expression ${node} at ${path}`,
      };
    }
    return undefined;
  }
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) {
      const p = findUnresolved(v, `${path}[${i}]`);
      if (p) return p;
    }
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      const p = findUnresolved(v, path === '' ? k : `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}
