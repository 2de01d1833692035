/** The action registry: one module per `uses:`. */
import type { ActionDefinition } from '../ports.ts';
import { harnessPipelineAction } from './harness-pipeline.ts';
import { timelineEventAction } from './timeline-event.ts';

export type ActionRegistry = ReadonlyMap<string, ActionDefinition>;

export function defaultActions(): ActionRegistry {
  return new Map([harnessPipelineAction, timelineEventAction].map((a) => [a.uses, a]));
}
