import type { AfterMatchSkipStrategy } from '../pattern/after-match-skip-strategy.js';
import type { ConditionContext } from '../pattern/conditions/condition-context.js';
import { type ComputationState, compareByStartEvent } from './computation-state.js';
import { DeweyNumber } from './dewey-number.js';
import { testEdge } from './edge-condition.js';
import type { CompiledNFA } from './nfa-compiler.js';
import type { NFAState } from './nfa-state.js';
import {
  type NFAStateDefinition,
  type StateTransition,
  StateType,
  TransitionAction,
} from './nfa-state-definition.js';
import { SharedBuffer } from './shared-buffer.js';
import { pruningRule } from './skip-pruning.js';

/**
 * What {@link NFA.advanceTime} returns: the matches completed by time (a trailing `notFollowedBy`
 * whose window passed without a forbidden event) and the partial matches that timed out, each with
 * the time it timed out at (the end of its window).
 *
 * @example
 * ```ts
 * const { matches, timedOut } = nfa.advanceTime(state, watermark);
 * ```
 */
export interface AdvanceTimeResult<T> {
  readonly matches: Map<string, T[]>[];
  readonly timedOut: Array<[Map<string, T[]>, number]>;
}

/** Options of an {@link NFA}. */
export interface NFAOptions {
  /** The skip strategy used when `process`/`advanceTime` get none (default: the pattern's, else noSkip). */
  readonly afterMatchSkipStrategy?: AfterMatchSkipStrategy;
  /** The clock behind `ConditionContext.currentProcessingTime()` (default `Date.now`). */
  readonly processingTime?: () => number;
}

/** The event being processed; stored in the shared buffer only when a partial match takes it. */
interface EventSlot<T> {
  readonly id: number;
  readonly event: T;
  readonly timestamp: number;
  stored: boolean;
}

/** The {@link ConditionContext} of one partial match, reused from one partial match to the next. */
class RunContext<T> implements ConditionContext<T> {
  private buffer: SharedBuffer<T> | undefined;
  private previous: number | null = null;
  private time = 0;
  private readonly cache = new Map<string, T[]>();

  constructor(private readonly processingTime: () => number) {}

  reset(buffer: SharedBuffer<T>, previous: number | null, timestamp: number): this {
    this.buffer = buffer;
    this.previous = previous;
    this.time = timestamp;
    if (this.cache.size > 0) this.cache.clear();
    return this;
  }

  getEventsForPattern(name: string): Iterable<T> {
    let events = this.cache.get(name);
    if (events === undefined) {
      events = this.buffer!.eventsForStage(this.previous, name);
      this.cache.set(name, events);
    }
    return events;
  }

  timestamp(): number {
    return this.time;
  }

  currentProcessingTime(): number {
    return this.processingTime();
  }
}

interface Edge<T> {
  readonly source: NFAStateDefinition<T>;
  readonly transition: StateTransition<T>;
}

/**
 * The runtime of a compiled pattern (Flink's `NFA`), stateless itself: the per-key state is an
 * {@link NFAState} passed to every call, so one `NFA` serves every key.
 *
 * - {@link process} feeds one event (in timestamp order) and returns the completed matches, as
 *   `Map<stage, events>` in stage order. Call {@link advanceTime} with the event's timestamp first
 *   (as Flink's CEP operator does) so windows are enforced; a partial match whose window has passed
 *   takes no more events.
 * - {@link advanceTime} prunes partial matches by `within` (`FIRST_AND_LAST` from their first event,
 *   `PREVIOUS_AND_CURRENT` from their last one) and returns them as timed out; partial matches
 *   waiting in a trailing `notFollowedBy` complete instead.
 * - After-match skip strategies apply to every completed match, including those completed by time
 *   (Flink does not apply them there: FLINK-31017). With a skip strategy, a completed match is held
 *   back while a partial match that started strictly earlier is alive, so matches come out in start
 *   order and skips see them in that order. (Flink also holds it while a partial match started with
 *   the *same* event is alive, which with `b+ c`-like patterns can hold it forever; here it is
 *   emitted, since such a partial match would be pruned by skipToNext/skipPastLastEvent anyway.)
 * - Iterative conditions get a {@link ConditionContext} whose `getEventsForPattern` reads the partial
 *   match's events for a stage from the shared buffer.
 * - {@link isStateEmpty}: no partial match besides the start state and no held match; the shared
 *   buffer is then empty and the key's state can be dropped.
 *
 * @example
 * ```ts
 * const nfa = new NFA(compileNFA(pattern));
 * const state = nfa.createInitialState();
 * for (const [event, ts] of stream) {
 *   nfa.advanceTime(state, ts);
 *   for (const match of nfa.process(state, event, ts)) console.log(match);
 * }
 * ```
 */
export class NFA<T> {
  private readonly states: readonly NFAStateDefinition<T>[];
  private readonly defaultSkip: AfterMatchSkipStrategy;
  private readonly processingTime: () => number;
  /**
   * Per state, the trailing `notFollowedBy` (Pending) state reached from it by unconditional PROCEED
   * edges, if any: a partial match there completes when that stage's window passes.
   */
  private readonly pendingOf: readonly (NFAStateDefinition<T> | undefined)[];
  /** The condition context, reset for each partial match (conditions must not keep it). */
  private readonly context: RunContext<T>;
  /** Whether the pattern has any window (else nothing ever times out). */
  private readonly hasWindows: boolean;

  constructor(
    readonly compiled: CompiledNFA<T>,
    options: NFAOptions = {},
  ) {
    this.states = compiled.states;
    this.defaultSkip = options.afterMatchSkipStrategy ?? compiled.afterMatchSkipStrategy;
    this.processingTime = options.processingTime ?? Date.now;
    this.pendingOf = this.states.map((s) => this.pendingReachedUnconditionally(s));
    this.context = new RunContext<T>(this.processingTime);
    this.hasWindows = compiled.windowTime !== undefined || compiled.windowTimes.size > 0;
  }

  /** A fresh per-key state: one partial match waiting in the start state. @example `nfa.createInitialState()` */
  createInitialState(): NFAState<T> {
    return {
      partialMatches: [this.startComputationState(DeweyNumber.of(1))],
      completedMatches: [],
      buffer: new SharedBuffer<T>(),
    };
  }

  /**
   * Whether the key's state holds nothing but the start state: no partial match, no held match, an
   * empty shared buffer. Such a state can be dropped and recreated later.
   *
   * @example
   * ```ts
   * if (nfa.isStateEmpty(state)) keyedState.clear();
   * ```
   */
  isStateEmpty(state: NFAState<T>): boolean {
    return (
      state.completedMatches.length === 0 &&
      state.partialMatches.every((cs) => cs.previous === null && this.isStart(cs))
    );
  }

  /**
   * Processes one event and returns the matches it completes.
   *
   * @example
   * ```ts
   * const matches = nfa.process(state, { type: 'c' }, 1000);
   * ```
   */
  process(
    state: NFAState<T>,
    event: T,
    timestamp: number,
    afterMatchSkipStrategy: AfterMatchSkipStrategy = this.defaultSkip,
  ): Map<string, T[]>[] {
    const buffer = state.buffer;
    const slot: EventSlot<T> = { id: buffer.reserveEventId(), event, timestamp, stored: false };
    const newPartialMatches: ComputationState[] = [];
    const potentialMatches: ComputationState[] = [];
    try {
      for (const cs of state.partialMatches) {
        if (this.isTimedOut(cs, timestamp)) {
          // Left for advanceTime to report (or complete): a run past its window takes no event.
          newPartialMatches.push(cs);
          continue;
        }
        const next = this.computeNextStates(buffer, cs, slot);
        const retainFrom = newPartialMatches.length;
        let discard = false;
        for (const ns of next) {
          const type = this.states[ns.state]!.type;
          if (type === StateType.Final) potentialMatches.push(ns);
          else if (type === StateType.Stop) {
            discard = true;
            if (ns.previous !== null) buffer.releaseNode(ns.previous);
          } else newPartialMatches.push(ns);
        }
        if (discard) {
          for (let i = retainFrom; i < newPartialMatches.length; i++) {
            const previous = newPartialMatches[i]!.previous;
            if (previous !== null) buffer.releaseNode(previous);
          }
          newPartialMatches.length = retainFrom;
        }
      }
    } finally {
      if (slot.stored) buffer.releaseEvent(slot.id);
    }
    sortByStartEvent(newPartialMatches);
    state.partialMatches = newPartialMatches;
    sortMatches(buffer, potentialMatches);
    return this.emitMatches(state, potentialMatches, afterMatchSkipStrategy);
  }

  /**
   * Advances time to `timestamp`: partial matches whose window ended at or before it are removed and
   * returned as timed out, or, waiting in a trailing `notFollowedBy`, as matches.
   *
   * @example
   * ```ts
   * const { matches, timedOut } = nfa.advanceTime(state, watermark);
   * ```
   */
  advanceTime(
    state: NFAState<T>,
    timestamp: number,
    afterMatchSkipStrategy: AfterMatchSkipStrategy = this.defaultSkip,
  ): AdvanceTimeResult<T> {
    if (
      state.completedMatches.length === 0 &&
      (!this.hasWindows || !state.partialMatches.some((cs) => this.isTimedOut(cs, timestamp)))
    ) {
      return { matches: [], timedOut: [] };
    }
    const buffer = state.buffer;
    const timedOut: Array<[Map<string, T[]>, number]> = [];
    const newPartialMatches: ComputationState[] = [];
    const potentialMatches: ComputationState[] = [];
    const completedNodes = new Set<number | null>();
    for (const cs of state.partialMatches) {
      const end = this.timeoutAt(cs);
      if (end === undefined || timestamp < end) {
        newPartialMatches.push(cs);
        continue;
      }
      if (this.pendingOf[cs.state] !== undefined) {
        // The same events may wait both in a loop and in the pending state: complete them once.
        if (completedNodes.has(cs.previous)) {
          if (cs.previous !== null) buffer.releaseNode(cs.previous);
        } else {
          completedNodes.add(cs.previous);
          potentialMatches.push(cs);
        }
        continue;
      }
      timedOut.push([buffer.extractMatch(cs.previous), end]);
      if (cs.previous !== null) buffer.releaseNode(cs.previous);
    }
    state.partialMatches = newPartialMatches;
    sortMatches(buffer, potentialMatches);
    return { matches: this.emitMatches(state, potentialMatches, afterMatchSkipStrategy), timedOut };
  }

  /** When `cs` times out (end of its window), or `undefined` if it has no window. */
  private timeoutAt(cs: ComputationState): number | undefined {
    if (this.isStart(cs) && cs.previous === null) return undefined;
    let end: number | undefined;
    const windowTime = this.compiled.windowTime;
    if (windowTime !== undefined) end = cs.startTimestamp + windowTime;
    const stage = (this.pendingOf[cs.state] ?? this.states[cs.state]!).stageName;
    const previousWindow = this.compiled.windowTimes.get(stage);
    if (previousWindow !== undefined && cs.previous !== null) {
      const e = cs.previousTimestamp + previousWindow;
      if (end === undefined || e < end) end = e;
    }
    return end;
  }

  private isTimedOut(cs: ComputationState, timestamp: number): boolean {
    const end = this.timeoutAt(cs);
    return end !== undefined && timestamp >= end;
  }

  private emitMatches(
    state: NFAState<T>,
    potentialMatches: ComputationState[],
    strategy: AfterMatchSkipStrategy,
  ): Map<string, T[]>[] {
    const buffer = state.buffer;
    const result: Map<string, T[]>[] = [];
    if (!strategy.isSkipStrategy()) {
      for (const m of potentialMatches) {
        result.push(buffer.extractMatch(m.previous));
        if (m.previous !== null) buffer.releaseNode(m.previous);
      }
      return result;
    }
    if (potentialMatches.length > 0) {
      state.completedMatches.push(...potentialMatches);
      sortMatches(buffer, state.completedMatches);
    }
    while (state.completedMatches.length > 0) {
      const earliest = state.completedMatches[0]!;
      const earliestPartial = state.partialMatches.find((cs) => cs.startEventId !== null);
      if (earliestPartial !== undefined && compareByStartEvent(earliestPartial, earliest) < 0) break;
      state.completedMatches.shift();
      const ids = buffer.extractEventIds(earliest.previous);
      const prune = pruningRule(strategy, ids);
      if (prune !== undefined) {
        state.partialMatches = this.prune(buffer, state.partialMatches, prune);
        state.completedMatches = this.prune(buffer, state.completedMatches, prune);
      }
      result.push(buffer.materialize(ids));
      if (earliest.previous !== null) buffer.releaseNode(earliest.previous);
    }
    return result;
  }

  private prune(
    buffer: SharedBuffer<T>,
    runs: ComputationState[],
    shouldPrune: (startEventId: number) => boolean,
  ): ComputationState[] {
    return runs.filter((cs) => {
      if (cs.startEventId === null || !shouldPrune(cs.startEventId)) return true;
      if (cs.previous !== null) buffer.releaseNode(cs.previous);
      return false;
    });
  }

  private computeNextStates(
    buffer: SharedBuffer<T>,
    cs: ComputationState,
    slot: EventSlot<T>,
  ): ComputationState[] {
    const { event, timestamp } = slot;
    const ctx = this.context.reset(buffer, cs.previous, timestamp);
    const current = this.states[cs.state]!;
    const edges = this.outgoingEdges(ctx, current, event);
    let totalTake = 0;
    let totalIgnore = 0;
    for (const e of edges) {
      if (e.transition.action === TransitionAction.TAKE) totalTake++;
      else if (e.transition.target !== current.index) totalIgnore++;
    }
    const isStart = current.type === StateType.Start;
    const result: ComputationState[] = [];
    const totalTakeToSkip = Math.max(0, totalTake - 1);
    let ignoreBranchesToVisit = totalIgnore;
    let takeBranchesToVisit = Math.max(0, totalTake - 1);
    for (const { source, transition } of edges) {
      const target = this.states[transition.target]!;
      if (transition.action === TransitionAction.IGNORE) {
        if (isStart) continue;
        let version: DeweyNumber;
        if (target.index === current.index) {
          version = cs.version.increase(increasingSelfState(ignoreBranchesToVisit, takeBranchesToVisit));
        } else {
          version = cs.version.increase(totalTakeToSkip + ignoreBranchesToVisit).addStage();
          ignoreBranchesToVisit--;
        }
        this.add(
          buffer,
          result,
          target.index,
          cs.previous,
          version,
          cs.startTimestamp,
          cs.previousTimestamp,
          cs.startEventId,
        );
        const final = this.finalStateAfterProceed(ctx, target, event);
        if (final !== undefined) {
          this.add(
            buffer,
            result,
            final,
            cs.previous,
            cs.version,
            cs.startTimestamp,
            cs.previousTimestamp,
            cs.startEventId,
          );
        }
      } else if (transition.action === TransitionAction.TAKE) {
        const currentVersion = cs.version.increase(takeBranchesToVisit);
        const nextVersion = currentVersion.addStage();
        takeBranchesToVisit--;
        if (!slot.stored) {
          buffer.storeEvent(slot.id, event, timestamp);
          slot.stored = true;
        }
        const node = buffer.put(source.stageName, slot.id, cs.previous, currentVersion);
        const startTimestamp = isStart ? timestamp : cs.startTimestamp;
        const startEventId = isStart ? slot.id : cs.startEventId;
        this.add(buffer, result, target.index, node, nextVersion, startTimestamp, timestamp, startEventId);
        const final = this.finalStateAfterProceed(ctx, target, event);
        if (final !== undefined) {
          this.add(buffer, result, final, node, nextVersion, startTimestamp, timestamp, startEventId);
        }
      }
    }
    if (isStart) {
      result.push(
        this.startComputationState(cs.version.increase(increasingSelfState(totalIgnore, totalTake))),
      );
    }
    if (cs.previous !== null) buffer.releaseNode(cs.previous);
    return result;
  }

  private add(
    buffer: SharedBuffer<T>,
    into: ComputationState[],
    state: number,
    previous: number | null,
    version: DeweyNumber,
    startTimestamp: number,
    previousTimestamp: number,
    startEventId: number | null,
  ): void {
    if (previous !== null) buffer.lockNode(previous);
    into.push({ state, previous, version, startTimestamp, previousTimestamp, startEventId });
  }

  /** The TAKE and IGNORE edges reachable through PROCEED edges whose conditions hold (Flink's decision graph). */
  private outgoingEdges(ctx: ConditionContext<T>, state: NFAStateDefinition<T>, event: T): Edge<T>[] {
    const edges: Edge<T>[] = [];
    const stack: NFAStateDefinition<T>[] = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (const t of s.transitions) {
        if (!testEdge(t.condition, event, ctx)) continue;
        if (t.action === TransitionAction.PROCEED) stack.push(this.states[t.target]!);
        else edges.push({ source: s, transition: t });
      }
    }
    return edges;
  }

  private finalStateAfterProceed(
    ctx: ConditionContext<T>,
    state: NFAStateDefinition<T>,
    event: T,
  ): number | undefined {
    const stack: NFAStateDefinition<T>[] = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (const t of s.transitions) {
        if (t.action !== TransitionAction.PROCEED || !testEdge(t.condition, event, ctx)) continue;
        const target = this.states[t.target]!;
        if (target.type === StateType.Final) return target.index;
        stack.push(target);
      }
    }
    return undefined;
  }

  private startComputationState(version: DeweyNumber): ComputationState {
    return {
      state: this.compiled.startState,
      previous: null,
      version,
      startTimestamp: -1,
      previousTimestamp: -1,
      startEventId: null,
    };
  }

  private isStart(cs: ComputationState): boolean {
    return this.states[cs.state]!.type === StateType.Start;
  }

  private pendingReachedUnconditionally(state: NFAStateDefinition<T>): NFAStateDefinition<T> | undefined {
    const seen = new Set<number>();
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (s.type === StateType.Pending) return s;
      if (seen.has(s.index)) continue;
      seen.add(s.index);
      for (const t of s.transitions) {
        if (t.action === TransitionAction.PROCEED && t.condition === null) stack.push(this.states[t.target]!);
      }
    }
    return undefined;
  }
}

/** Stable sort by first event, skipped when already sorted (the usual case). */
function sortByStartEvent(runs: ComputationState[]): void {
  for (let i = 1; i < runs.length; i++) {
    if (compareByStartEvent(runs[i - 1]!, runs[i]!) > 0) {
      runs.sort(compareByStartEvent);
      return;
    }
  }
}

/**
 * Orders completed matches by first event, then last event, then their event sequences
 * lexicographically. Flink orders by first event only (ties in unspecified priority-queue order);
 * the full order makes the emission order, and so what a skip strategy prunes, deterministic.
 */
function sortMatches<T>(buffer: SharedBuffer<T>, runs: ComputationState[]): void {
  if (runs.length < 2) return;
  const ids = new Map<ComputationState, number[]>();
  const idsOf = (cs: ComputationState): number[] => {
    let list = ids.get(cs);
    if (list === undefined) {
      list = buffer.eventIdsOnPath(cs.previous);
      ids.set(cs, list);
    }
    return list;
  };
  runs.sort((a, b) => {
    const byStart = compareByStartEvent(a, b);
    if (byStart !== 0) return byStart;
    const x = idsOf(a);
    const y = idsOf(b);
    const byEnd = (x.at(-1) ?? -1) - (y.at(-1) ?? -1);
    if (byEnd !== 0) return byEnd;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

/** Flink's `calculateIncreasingSelfState`. */
function increasingSelfState(ignoreBranches: number, takeBranches: number): number {
  return takeBranches === 0 && ignoreBranches === 0 ? 0 : ignoreBranches + Math.max(1, takeBranches);
}
