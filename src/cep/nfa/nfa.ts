import type { AfterMatchSkipStrategy } from '../pattern/after-match-skip-strategy.js';
import type { ConditionContext } from '../pattern/conditions/condition-context.js';
import type { ComputationState } from './computation-state.js';
import { compareByStartEvent } from './computation-state.js';
import { isContextFreeEdge, testEdge } from './edge-condition.js';
import { sortByStartEvent, sortMatches } from './match-order.js';
import type { CompiledNFA } from './nfa-compiler.js';
import type { NFAState } from './nfa-state.js';
import {
  type NFAStateDefinition,
  type StateTransition,
  StateType,
  TransitionAction,
} from './nfa-state-definition.js';
import { RunContext } from './run-context.js';
import { SharedBuffer } from './shared-buffer.js';
import type { BufferedEvent, BufferNode } from './shared-buffer-entry.js';
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
  readonly matches: readonly Map<string, T[]>[];
  readonly timedOut: ReadonlyArray<readonly [Map<string, T[]>, number]>;
}

/** Options of an {@link NFA}. */
export interface NFAOptions {
  /** The skip strategy used when `process`/`advanceTime` get none (default: the pattern's, else noSkip). */
  readonly afterMatchSkipStrategy?: AfterMatchSkipStrategy;
  /** The clock behind `ConditionContext.currentProcessingTime()` (default `Date.now`). */
  readonly processingTime?: () => number;
}

/** What `process` and `advanceTime` return when nothing happened: shared, never mutated. */
const NO_MATCHES: readonly never[] = Object.freeze([]);
const NOTHING: AdvanceTimeResult<never> = Object.freeze({ matches: NO_MATCHES, timedOut: NO_MATCHES });

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
 *   waiting in a trailing `notFollowedBy` complete instead. {@link nextTimeout} says when to call it
 *   next for a key that receives no event.
 * - After-match skip strategies apply to every completed match, including those completed by time
 *   (as in Flink 1.20.x, where FLINK-31017 is fixed). With a skip strategy, a completed match is
 *   held back while a partial match that started strictly earlier is alive, so matches come out in
 *   start order and skips see them in that order. Among matches that share their first event the
 *   order is this NFA's own (Flink takes them in an arbitrary priority-queue order), which under a
 *   skip strategy can change which of them survive: see docs/cep.md.
 * - Iterative conditions get a {@link ConditionContext} whose `getEventsForPattern` reads the partial
 *   match's events for a stage from the shared buffer.
 * - {@link isStateEmpty}: no partial match besides the start state and no held match; the shared
 *   buffer is then empty and the key's state can be dropped.
 *
 * Hot path: a partial match that only skips an event is kept as the same object (no allocation, no
 * reference-count traffic), the per-event work lists are scratch arrays owned by the `NFA`, and the
 * returned arrays are shared empty ones when nothing matched (do not mutate them). So an `NFA` is
 * not reentrant: a condition must not call back into the `NFA` that evaluates it. A condition that
 * throws leaves the key's state unusable (the CEP operators fail the task, which restarts from a
 * checkpoint).
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
  /** Per state, the `PREVIOUS_AND_CURRENT` window (ms) that applies to a partial match waiting there. */
  private readonly previousWindowOf: readonly (number | undefined)[];
  /** The condition context, reset for each partial match (conditions must not keep it). */
  private readonly context: RunContext<T>;
  /** Whether the pattern has any window (else nothing ever times out). */
  private readonly hasWindows: boolean;
  /** Whether any stage has a `PREVIOUS_AND_CURRENT` window. */
  private readonly hasPreviousWindows: boolean;
  /** Per state, whether it has a PROCEED edge. */
  private readonly hasProceed: readonly boolean[];
  /** The partial match waiting in the start state: immutable, so one object serves every key. */
  private readonly startRun: ComputationState<T>;

  // Scratch space reused by every call (see the class documentation).
  /** The next partial matches being built; swapped with the key's previous list. */
  private spare: ComputationState<T>[] = [];
  private readonly potential: ComputationState<T>[] = [];
  private readonly edgeSources: NFAStateDefinition<T>[] = [];
  private readonly edgeTransitions: StateTransition<T>[] = [];
  private readonly stack: NFAStateDefinition<T>[] = [];
  /** The event being processed, stored in the shared buffer by the first partial match taking it. */
  private stored: BufferedEvent<T> | null = null;

  // Per-event decision cache for states whose conditions are context-free: every partial match
  // waiting in such a state takes the same edges for the same event, so they are computed once.
  /** Counts `process` calls: a cache entry is valid when its generation equals it. */
  private generation = 0;
  private readonly edgesCacheable: readonly boolean[];
  private readonly edgesGeneration: number[];
  private readonly edgesCount: number[];
  private readonly edgesSources: NFAStateDefinition<T>[][];
  private readonly edgesTransitions: StateTransition<T>[][];
  /** Per state, for the cached edges: whether they are exactly one IGNORE back into the state. */
  private readonly edgesSelfIgnoreOnly: boolean[];
  private readonly finalCacheable: readonly boolean[];
  private readonly finalGeneration: number[];
  private readonly finalValue: (number | undefined)[];

  constructor(
    readonly compiled: CompiledNFA<T>,
    options: NFAOptions = {},
  ) {
    this.states = compiled.states;
    this.defaultSkip = options.afterMatchSkipStrategy ?? compiled.afterMatchSkipStrategy;
    this.processingTime = options.processingTime ?? Date.now;
    this.pendingOf = this.states.map((s) => this.pendingReachedUnconditionally(s));
    this.previousWindowOf = this.states.map((s, i) =>
      compiled.windowTimes.get((this.pendingOf[i] ?? s).stageName),
    );
    this.hasProceed = this.states.map((s) =>
      s.transitions.some((t) => t.action === TransitionAction.PROCEED),
    );
    this.context = new RunContext<T>(this.processingTime);
    this.edgesCacheable = this.states.map((s) => this.closureIsContextFree(s, false));
    this.finalCacheable = this.states.map((s) => this.closureIsContextFree(s, true));
    const n = this.states.length;
    this.edgesGeneration = new Array<number>(n).fill(-1);
    this.edgesCount = new Array<number>(n).fill(0);
    this.edgesSources = this.states.map(() => []);
    this.edgesTransitions = this.states.map(() => []);
    this.edgesSelfIgnoreOnly = new Array<boolean>(n).fill(false);
    this.finalGeneration = new Array<number>(n).fill(-1);
    this.finalValue = new Array<number | undefined>(n).fill(undefined);
    this.hasPreviousWindows = compiled.windowTimes.size > 0;
    this.hasWindows = compiled.windowTime !== undefined || this.hasPreviousWindows;
    this.startRun = Object.freeze({
      state: compiled.startState,
      previous: null,
      startTimestamp: -1,
      previousTimestamp: -1,
      startEventId: null,
    });
  }

  /** A fresh per-key state: one partial match waiting in the start state. @example `nfa.createInitialState()` */
  createInitialState(): NFAState<T> {
    return { partialMatches: [this.startRun], completedMatches: [], buffer: new SharedBuffer<T>() };
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
    if (state.completedMatches.length > 0) return false;
    for (const cs of state.partialMatches) if (cs.startEventId !== null || !this.isStart(cs)) return false;
    return true;
  }

  /**
   * How many partial matches the key's state holds (the start state, which every key has, not
   * counted). For metrics, not for the hot path.
   *
   * @example
   * ```ts
   * nfa.partialMatchCount(nfa.createInitialState()); // 0
   * ```
   */
  partialMatchCount(state: NFAState<T>): number {
    let n = 0;
    for (const cs of state.partialMatches) if (cs.startEventId !== null || !this.isStart(cs)) n++;
    return n;
  }

  /**
   * The earliest time at which {@link advanceTime} changes something for this key (a partial match
   * times out, or completes in a trailing `notFollowedBy`), or `undefined` if none can: when a CEP
   * operator sets its timer for a key that may receive no more events.
   *
   * @example
   * ```ts
   * const at = nfa.nextTimeout(state);
   * if (at !== undefined) timers.registerEventTimeTimer(at);
   * ```
   */
  nextTimeout(state: NFAState<T>): number | undefined {
    if (!this.hasWindows) return undefined;
    let next: number | undefined;
    for (const cs of state.partialMatches) {
      const end = this.timeoutAt(cs);
      if (end !== undefined && (next === undefined || end < next)) next = end;
    }
    return next;
  }

  /**
   * Processes one event and returns the matches it completes (a shared empty array when none).
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
  ): readonly Map<string, T[]>[] {
    const buffer = state.buffer;
    const runs = state.partialMatches;
    const next = this.spare;
    if (next.length !== 0) next.length = 0;
    const potential = this.potential;
    if (potential.length !== 0) potential.length = 0;
    this.stored = null;
    this.generation++;
    const checkWindows = this.hasWindows;
    for (let i = 0; i < runs.length; i++) {
      const cs = runs[i]!;
      if (checkWindows && this.isTimedOut(cs, timestamp)) {
        // Left for advanceTime to report (or complete): a run past its window takes no event.
        next.push(cs);
        continue;
      }
      const retainFrom = next.length;
      if (this.computeNextStates(buffer, cs, event, timestamp, next, potential)) {
        for (let j = retainFrom; j < next.length; j++) {
          const previous = next[j]!.previous;
          if (previous !== null) buffer.releaseNode(previous);
        }
        next.length = retainFrom;
      }
    }
    this.stored = null;
    sortByStartEvent(next);
    state.partialMatches = next;
    this.spare = runs; // cleared on the next call
    if (potential.length === 0 && state.completedMatches.length === 0) return NO_MATCHES;
    sortMatches(potential);
    return this.emitMatches(state, potential, afterMatchSkipStrategy);
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
    if (state.completedMatches.length === 0 && !this.anyTimedOut(state.partialMatches, timestamp)) {
      return NOTHING;
    }
    const buffer = state.buffer;
    const timedOut: Array<[Map<string, T[]>, number]> = [];
    const newPartialMatches: ComputationState<T>[] = [];
    const potentialMatches: ComputationState<T>[] = [];
    const completedNodes = new Set<BufferNode<T> | null>();
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
    sortMatches(potentialMatches);
    return { matches: this.emitMatches(state, potentialMatches, afterMatchSkipStrategy), timedOut };
  }

  /**
   * Partial matches are sorted by first event, and events come in timestamp order, so with only a
   * whole-match window the first one times out first: checking it alone keeps this O(1) per event.
   */
  private anyTimedOut(runs: readonly ComputationState<T>[], timestamp: number): boolean {
    if (!this.hasWindows || runs.length === 0) return false;
    if (!this.hasPreviousWindows) return this.isTimedOut(runs[0]!, timestamp);
    for (let i = 0; i < runs.length; i++) if (this.isTimedOut(runs[i]!, timestamp)) return true;
    return false;
  }

  /** When `cs` times out (end of its window), or `undefined` if it has no window. */
  private timeoutAt(cs: ComputationState<T>): number | undefined {
    if (cs.startEventId === null) return undefined;
    const windowTime = this.compiled.windowTime;
    let end = windowTime === undefined ? undefined : cs.startTimestamp + windowTime;
    const previousWindow = this.previousWindowOf[cs.state];
    if (previousWindow !== undefined && cs.previous !== null) {
      const e = cs.previousTimestamp + previousWindow;
      if (end === undefined || e < end) end = e;
    }
    return end;
  }

  private isTimedOut(cs: ComputationState<T>, timestamp: number): boolean {
    const end = this.timeoutAt(cs);
    return end !== undefined && timestamp >= end;
  }

  private emitMatches(
    state: NFAState<T>,
    potentialMatches: readonly ComputationState<T>[],
    strategy: AfterMatchSkipStrategy,
  ): readonly Map<string, T[]>[] {
    const buffer = state.buffer;
    if (!strategy.isSkipStrategy()) {
      if (potentialMatches.length === 0) return NO_MATCHES;
      const result: Map<string, T[]>[] = [];
      for (const m of potentialMatches) {
        result.push(buffer.extractMatch(m.previous));
        if (m.previous !== null) buffer.releaseNode(m.previous);
      }
      return result;
    }
    if (potentialMatches.length > 0) {
      state.completedMatches.push(...potentialMatches);
      sortMatches(state.completedMatches);
    }
    let result: Map<string, T[]>[] | undefined;
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
      if (result === undefined) result = [];
      result.push(buffer.extractMatch(earliest.previous));
      if (earliest.previous !== null) buffer.releaseNode(earliest.previous);
    }
    return result ?? NO_MATCHES;
  }

  private prune(
    buffer: SharedBuffer<T>,
    runs: ComputationState<T>[],
    shouldPrune: (startEventId: number) => boolean,
  ): ComputationState<T>[] {
    return runs.filter((cs) => {
      if (cs.startEventId === null || !shouldPrune(cs.startEventId)) return true;
      if (cs.previous !== null) buffer.releaseNode(cs.previous);
      return false;
    });
  }

  /**
   * Moves one partial match over the event: its successors go to `next` (or `potential` when
   * final). Returns whether the path reached a Stop state (a negation saw a forbidden event), in
   * which case the caller discards the successors it pushed to `next`.
   */
  private computeNextStates(
    buffer: SharedBuffer<T>,
    cs: ComputationState<T>,
    event: T,
    timestamp: number,
    next: ComputationState<T>[],
    potential: ComputationState<T>[],
  ): boolean {
    const current = this.states[cs.state]!;
    const index = current.index;
    if (this.edgesCacheable[index]) {
      // Context-free conditions ignore the context: no need to point it at this run yet.
      if (this.edgesGeneration[index] !== this.generation) this.cacheEdges(this.context, current, event);
      if (this.edgesSelfIgnoreOnly[index]) {
        // The run skips the event and stays as it is: same object, same reference on its node.
        next.push(cs);
        return false;
      }
    }
    const ctx = this.context.reset(buffer, cs.previous, timestamp);
    let discard = false;
    if (this.edgesCacheable[index]) {
      const sources = this.edgesSources[index]!;
      const transitions = this.edgesTransitions[index]!;
      const count = this.edgesCount[index]!;
      for (let k = 0; k < count; k++) {
        if (
          this.applyEdge(
            buffer,
            ctx,
            cs,
            current,
            sources[k]!,
            transitions[k]!,
            event,
            timestamp,
            next,
            potential,
          )
        ) {
          discard = true;
        }
      }
    } else if (this.hasProceed[index]) {
      const edgeCount = this.collectEdges(ctx, current, event, this.edgeSources, this.edgeTransitions);
      for (let k = 0; k < edgeCount; k++) {
        const source = this.edgeSources[k]!;
        if (
          this.applyEdge(
            buffer,
            ctx,
            cs,
            current,
            source,
            this.edgeTransitions[k]!,
            event,
            timestamp,
            next,
            potential,
          )
        ) {
          discard = true;
        }
      }
    } else {
      // No PROCEED edge: the decision graph is the state's own transitions.
      const transitions = current.transitions;
      for (let i = 0; i < transitions.length; i++) {
        const t = transitions[i]!;
        if (!testEdge(t.condition, event, ctx)) continue;
        if (this.applyEdge(buffer, ctx, cs, current, current, t, event, timestamp, next, potential))
          discard = true;
      }
    }
    if (current.type === StateType.Start) next.push(cs);
    if (cs.previous !== null) buffer.releaseNode(cs.previous);
    return discard;
  }

  /** Computes the edges a context-free state takes for this event, for all its partial matches. */
  private cacheEdges(ctx: ConditionContext<T>, state: NFAStateDefinition<T>, event: T): void {
    const index = state.index;
    const sources = this.edgesSources[index]!;
    const transitions = this.edgesTransitions[index]!;
    const count = this.collectEdges(ctx, state, event, sources, transitions);
    this.edgesCount[index] = count;
    this.edgesGeneration[index] = this.generation;
    this.edgesSelfIgnoreOnly[index] =
      count === 1 &&
      state.type !== StateType.Start &&
      transitions[0]!.action === TransitionAction.IGNORE &&
      transitions[0]!.target === index &&
      this.finalStateAfterProceed(ctx, state, event) === undefined;
  }

  /**
   * Whether every condition the NFA evaluates from `state` for one event is context-free: those
   * of its PROCEED closure's edges (`proceedOnly`: only the PROCEED edges, what
   * {@link finalStateAfterProceed} reads).
   */
  private closureIsContextFree(state: NFAStateDefinition<T>, proceedOnly: boolean): boolean {
    const seen = new Set<number>();
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s.index)) continue;
      seen.add(s.index);
      for (const t of s.transitions) {
        const proceed = t.action === TransitionAction.PROCEED;
        if (!proceed && proceedOnly) continue;
        if (!isContextFreeEdge(t.condition)) return false;
        if (proceed) stack.push(this.states[t.target]!);
      }
    }
    return true;
  }

  /** Follows one TAKE or IGNORE edge of `cs` (whose condition held); `true` if a path died. */
  private applyEdge(
    buffer: SharedBuffer<T>,
    ctx: ConditionContext<T>,
    cs: ComputationState<T>,
    current: NFAStateDefinition<T>,
    source: NFAStateDefinition<T>,
    transition: StateTransition<T>,
    event: T,
    timestamp: number,
    next: ComputationState<T>[],
    potential: ComputationState<T>[],
  ): boolean {
    const target = this.states[transition.target]!;
    const isStart = current.type === StateType.Start;
    let discard = false;
    if (transition.action === TransitionAction.IGNORE) {
      if (isStart) return false;
      const moved =
        target === current
          ? cs
          : {
              state: target.index,
              previous: cs.previous,
              startTimestamp: cs.startTimestamp,
              previousTimestamp: cs.previousTimestamp,
              startEventId: cs.startEventId,
            };
      if (this.route(buffer, moved, next, potential)) discard = true;
      const final = this.finalStateAfterProceed(ctx, target, event);
      if (final !== undefined) {
        const done = {
          state: final,
          previous: cs.previous,
          startTimestamp: cs.startTimestamp,
          previousTimestamp: cs.previousTimestamp,
          startEventId: cs.startEventId,
        };
        if (this.route(buffer, done, next, potential)) discard = true;
      }
      return discard;
    }
    if (this.stored === null) this.stored = buffer.createEvent(event, timestamp);
    const node = buffer.put(source.stageName, this.stored, cs.previous);
    const startTimestamp = isStart ? timestamp : cs.startTimestamp;
    const startEventId = isStart ? this.stored.id : cs.startEventId;
    const taken = {
      state: target.index,
      previous: node,
      startTimestamp,
      previousTimestamp: timestamp,
      startEventId,
    };
    if (this.route(buffer, taken, next, potential)) discard = true;
    const final = this.finalStateAfterProceed(ctx, target, event);
    if (final !== undefined) {
      const done = {
        state: final,
        previous: node,
        startTimestamp,
        previousTimestamp: timestamp,
        startEventId,
      };
      if (this.route(buffer, done, next, potential)) discard = true;
    }
    return discard;
  }

  /**
   * Files a successor by the type of its state, holding a reference on its last node; a Stop state
   * releases it again (the path is dead) and returns `true`.
   */
  private route(
    buffer: SharedBuffer<T>,
    run: ComputationState<T>,
    next: ComputationState<T>[],
    potential: ComputationState<T>[],
  ): boolean {
    const previous = run.previous;
    if (previous !== null) buffer.lockNode(previous);
    const type = this.states[run.state]!.type;
    if (type === StateType.Final) potential.push(run);
    else if (type === StateType.Stop) {
      if (previous !== null) buffer.releaseNode(previous);
      return true;
    } else next.push(run);
    return false;
  }

  /**
   * Collects into the scratch edge lists the TAKE and IGNORE edges reachable through PROCEED edges
   * whose conditions hold (Flink's decision graph); returns how many.
   */
  private collectEdges(
    ctx: ConditionContext<T>,
    state: NFAStateDefinition<T>,
    event: T,
    sources: NFAStateDefinition<T>[],
    transitions: StateTransition<T>[],
  ): number {
    // A stack with its own top index: resizing a scratch array per call showed up in profiles.
    const stack = this.stack;
    let top = 0;
    stack[top++] = state;
    let count = 0;
    while (top > 0) {
      const s = stack[--top]!;
      const outgoing = s.transitions;
      for (let i = 0; i < outgoing.length; i++) {
        const t = outgoing[i]!;
        if (!testEdge(t.condition, event, ctx)) continue;
        if (t.action === TransitionAction.PROCEED) stack[top++] = this.states[t.target]!;
        else {
          sources[count] = s;
          transitions[count] = t;
          count++;
        }
      }
    }
    return count;
  }

  private finalStateAfterProceed(
    ctx: ConditionContext<T>,
    state: NFAStateDefinition<T>,
    event: T,
  ): number | undefined {
    // Most states have no PROCEED edge at all: answer without touching the stack.
    const index = state.index;
    if (!this.hasProceed[index]) return undefined;
    if (this.finalCacheable[index]) {
      if (this.finalGeneration[index] !== this.generation) {
        this.finalValue[index] = this.searchFinal(ctx, state, event);
        this.finalGeneration[index] = this.generation;
      }
      return this.finalValue[index];
    }
    return this.searchFinal(ctx, state, event);
  }

  private searchFinal(ctx: ConditionContext<T>, state: NFAStateDefinition<T>, event: T): number | undefined {
    const stack = this.stack;
    let top = 0;
    stack[top++] = state;
    while (top > 0) {
      const s = stack[--top]!;
      for (const t of s.transitions) {
        if (t.action !== TransitionAction.PROCEED || !testEdge(t.condition, event, ctx)) continue;
        const target = this.states[t.target]!;
        if (target.type === StateType.Final) return target.index;
        stack[top++] = target;
      }
    }
    return undefined;
  }

  private isStart(cs: ComputationState<T>): boolean {
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
