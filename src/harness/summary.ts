import type { LayoutNode, PipelineExecutionSummary } from './schemas.ts';
import { mapHarnessStatus } from './status.ts';
import type { ExecutionSummary, StageProgress } from './types.ts';

/**
 * Turns Harness's `pipelineExecutionSummary` into our normalized ExecutionSummary. Pure.
 */
export function toExecutionSummary(
  s: PipelineExecutionSummary,
  fallbackExecutionId: string,
  urlFor: (pipelineIdentifier: string, executionId: string) => string,
): ExecutionSummary {
  const executionId = nonEmpty(s.planExecutionId) ?? fallbackExecutionId;
  const mapped = mapHarnessStatus(s.status);
  const list = extractStages(s.layoutNodeMap ?? undefined, s.startingNodeId ?? undefined);
  const count = (pred: (st: StageProgress) => boolean): number => list.filter(pred).length;

  const summary: ExecutionSummary = {
    executionId,
    pipelineIdentifier: s.pipelineIdentifier,
    status: s.status,
    phase: mapped.phase,
    stages: {
      // Harness's counters are authoritative when present (they include matrix/looping
      // expansions the layout map folds together); our own count is the fallback.
      total: s.totalStagesCount ?? list.length,
      succeeded: s.successfulStagesCount ?? count((st) => st.outcome === 'succeeded'),
      failed: s.failedStagesCount ?? count((st) => st.outcome === 'failed'),
      running: s.runningStagesCount ?? count((st) => st.phase === 'running'),
      list,
    },
    url: urlFor(s.pipelineIdentifier, executionId),
  };
  if (mapped.phase === 'terminal' && mapped.outcome !== undefined) summary.outcome = mapped.outcome;
  if (typeof s.runSequence === 'number') summary.runSequence = s.runSequence;
  if (typeof s.startTs === 'number' && s.startTs > 0) summary.startTs = s.startTs;
  if (typeof s.endTs === 'number' && s.endTs > 0) summary.endTs = s.endTs;
  const failure = nonEmpty(s.executionErrorInfo?.message) ?? nonEmpty(s.failureInfo?.message);
  if (failure !== undefined) summary.failureMessage = failure;
  return summary;
}

/** Parallel groups are containers in the layout; their children are the real stages. */
function isParallelGroup(node: LayoutNode): boolean {
  return (node.nodeType ?? '').toLowerCase() === 'parallel';
}

function isStage(node: LayoutNode): boolean {
  // Pipeline layout maps only hold stage-level nodes; accept a missing nodeGroup, refuse others.
  const group = (node.nodeGroup ?? 'STAGE').toUpperCase();
  return group === 'STAGE' && !isParallelGroup(node);
}

/**
 * Stages in execution order: walk from `startingNodeId` along `edgeLayoutList.nextIds`, expanding
 * parallel groups through `currentNodeChildren`. If the walk finds nothing (no or broken start),
 * use the map's order. Nodes the walk cannot reach (the "Pipeline Rollback" stage) are added at
 * the end only once they have started, so the list does not show a rollback that never ran.
 */
export function extractStages(
  map: Record<string, LayoutNode | null> | undefined,
  startingNodeId: string | undefined,
): StageProgress[] {
  if (map === undefined) return [];
  const order: string[] = [];
  const seen = new Set<string>();

  const visit = (id: string): void => {
    // `seen` also protects against cycles in a malformed layout.
    if (seen.has(id)) return;
    const node = map[id];
    if (node == null) return;
    seen.add(id);
    if (isParallelGroup(node)) {
      for (const child of node.edgeLayoutList?.currentNodeChildren ?? []) visit(child);
    } else {
      order.push(id);
    }
    for (const next of node.edgeLayoutList?.nextIds ?? []) visit(next);
  };

  if (startingNodeId !== undefined) visit(startingNodeId);
  const walked = order.length > 0;
  for (const id of Object.keys(map)) {
    if (seen.has(id)) continue;
    const node = map[id];
    if (node == null) continue;
    if (walked && !hasStarted(node)) continue;
    order.push(id);
    seen.add(id);
  }

  const stages: StageProgress[] = [];
  for (const id of order) {
    const node = map[id];
    if (node == null || !isStage(node)) continue;
    stages.push(toStage(id, node));
  }
  return stages;
}

function hasStarted(node: LayoutNode): boolean {
  const status = (node.status ?? '').replace(/_/g, '').toLowerCase();
  return status !== '' && status !== 'notstarted';
}

function toStage(id: string, node: LayoutNode): StageProgress {
  const status = nonEmpty(node.status) ?? 'NotStarted';
  const mapped = mapHarnessStatus(status);
  const identifier = nonEmpty(node.nodeIdentifier) ?? id;
  const stage: StageProgress = {
    identifier,
    name: nonEmpty(node.name) ?? identifier,
    status,
    phase: mapped.phase,
  };
  if (mapped.phase === 'terminal' && mapped.outcome !== undefined) stage.outcome = mapped.outcome;
  if (typeof node.startTs === 'number' && node.startTs > 0) stage.startTs = node.startTs;
  if (typeof node.endTs === 'number' && node.endTs > 0) stage.endTs = node.endTs;
  return stage;
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s : undefined;
}
