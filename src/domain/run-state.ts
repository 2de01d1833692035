/**
 * The run and step state machines. Pure: the engine asks here whether a transition is legal and what
 * a finished run's state is; the store enforces "exactly once" with conditional updates.
 */
import type { RunState, StepState } from './types.ts';
import { AppError } from '../errors.ts';

const RUN_TRANSITIONS: Record<RunState, readonly RunState[]> = {
  pending: ['running', 'awaiting_approval', 'cancelled', 'failed'],
  awaiting_approval: ['pending', 'rejected', 'expired', 'cancelled'],
  running: ['succeeded', 'failed', 'timed_out', 'cancelled'],
  succeeded: [],
  failed: [],
  timed_out: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

const STEP_TRANSITIONS: Record<StepState, readonly StepState[]> = {
  pending: ['running', 'skipped', 'cancelled', 'failed'],
  running: ['pending', 'running', 'succeeded', 'failed', 'timed_out', 'unknown', 'cancelled'],
  succeeded: [],
  failed: [],
  skipped: [],
  timed_out: [],
  unknown: [],
  cancelled: [],
};

export const TERMINAL_RUN_STATES: readonly RunState[] = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'rejected',
  'expired',
];
export const TERMINAL_STEP_STATES: readonly StepState[] = [
  'succeeded',
  'failed',
  'skipped',
  'timed_out',
  'unknown',
  'cancelled',
];

export const isTerminalRun = (s: RunState) => TERMINAL_RUN_STATES.includes(s);
export const isTerminalStep = (s: StepState) => TERMINAL_STEP_STATES.includes(s);
/** A step outcome that stops the run unless the step says continue_on_error. */
export const isFailedStep = (s: StepState) =>
  s === 'failed' || s === 'timed_out' || s === 'unknown' || s === 'cancelled';

/** States a run may move to `to` from (for conditional updates). */
export function runSourcesFor(to: RunState): RunState[] {
  return (Object.keys(RUN_TRANSITIONS) as RunState[]).filter((from) => RUN_TRANSITIONS[from].includes(to));
}
export function stepSourcesFor(to: StepState): StepState[] {
  return (Object.keys(STEP_TRANSITIONS) as StepState[]).filter((from) => STEP_TRANSITIONS[from].includes(to));
}

export function canTransitionRun(from: RunState, to: RunState): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

export function assertRunTransition(from: RunState, to: RunState): void {
  if (!canTransitionRun(from, to)) {
    throw new AppError('INVALID_TRANSITION', `A run that is ${from} cannot become ${to}.`);
  }
}

/**
 * The final state of a run from its steps: the first blocking failure decides (a timed-out step
 * makes a timed-out run, a cancelled one a cancelled run, anything else failed).
 */
export function finalRunState(steps: { status: StepState; continueOnError: boolean }[]): RunState {
  for (const s of steps) {
    if (!isFailedStep(s.status) || s.continueOnError) continue;
    if (s.status === 'timed_out') return 'timed_out';
    if (s.status === 'cancelled') return 'cancelled';
    return 'failed';
  }
  return 'succeeded';
}
