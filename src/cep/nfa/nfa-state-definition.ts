import type { EdgeCondition } from './edge-condition.js';

/**
 * Kinds of NFA states (Flink's `State.StateType`). `Pending` is the state of a trailing
 * `notFollowedBy` with `within`: a partial match there completes when time passes the window
 * (see `NFA.advanceTime`), and is discarded by a forbidden event.
 *
 * @example
 * ```ts
 * compiled.states[compiled.startState].type; // StateType.Start
 * ```
 */
export enum StateType {
  Start = 'Start',
  Normal = 'Normal',
  Final = 'Final',
  Stop = 'Stop',
  Pending = 'Pending',
}

/**
 * What a transition does with the event (Flink's `StateTransitionAction`): `TAKE` stores it in the
 * partial match and moves to the target; `IGNORE` skips it and moves to the target; `PROCEED` moves to
 * the target without consuming the event (an epsilon move evaluated against the same event).
 *
 * @example
 * ```ts
 * transition.action === TransitionAction.TAKE;
 * ```
 */
export enum TransitionAction {
  TAKE = 'TAKE',
  IGNORE = 'IGNORE',
  PROCEED = 'PROCEED',
}

/**
 * One edge of the compiled NFA.
 *
 * @example
 * ```ts
 * const t: StateTransition<Event> = { action: TransitionAction.TAKE, target: 2, condition: null };
 * ```
 */
export interface StateTransition<T> {
  readonly action: TransitionAction;
  /** Index of the target state in `CompiledNFA.states`. */
  readonly target: number;
  /** `null`: always true. */
  readonly condition: EdgeCondition<T>;
}

/**
 * One state of the compiled NFA (Flink's `State`). `name` is unique (`b`, `b:1`, …, as Flink's
 * internal names); `stageName` is the pattern stage it belongs to, under which its events are
 * reported.
 *
 * @example
 * ```ts
 * compiled.states.map((s) => `${s.name}(${s.type})`);
 * ```
 */
export interface NFAStateDefinition<T> {
  readonly index: number;
  readonly name: string;
  readonly stageName: string;
  type: StateType;
  readonly greedy: boolean;
  readonly transitions: StateTransition<T>[];
}
