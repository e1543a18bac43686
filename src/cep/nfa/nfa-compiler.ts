import type { AfterMatchSkipStrategy } from '../pattern/after-match-skip-strategy.js';
import type { GroupPattern, Pattern } from '../pattern/pattern.js';
import { isGroupPattern, stagesOf } from '../pattern/pattern-stages.js';
import { getPatternWindowTime, getPreviousAndCurrentWindowTimes } from '../pattern/pattern-window-times.js';
import { ConsumingStrategy, QuantifierProperty } from '../pattern/quantifier.js';
import { ENDING_STATE_NAME } from '../pattern/stage-names.js';
import { validatePattern } from '../pattern/validate-pattern.js';
import { andEdge, type EdgeCondition, edgeCondition, notEdge } from './edge-condition.js';
import {
  type NFAStateDefinition,
  type StateTransition,
  StateType,
  TransitionAction,
} from './nfa-state-definition.js';
import { UnsupportedPatternError } from './unsupported-pattern-error.js';

/**
 * A pattern compiled into an NFA description (Flink's `NFAFactory` contents): the states with their
 * TAKE / IGNORE / PROCEED transitions, the start state, and the time windows. Immutable once built;
 * one per pattern, shared by every key.
 *
 * @example
 * ```ts
 * const compiled = compileNFA(Pattern.begin<Event>('a').followedBy('b').within(1000));
 * compiled.windowTime; // 1000
 * ```
 */
export interface CompiledNFA<T> {
  readonly states: readonly NFAStateDefinition<T>[];
  readonly startState: number;
  /** The `FIRST_AND_LAST` window (ms) of the whole pattern, if any. */
  readonly windowTime: number | undefined;
  /** The `PREVIOUS_AND_CURRENT` windows (ms), by stage name. */
  readonly windowTimes: ReadonlyMap<string, number>;
  /** Whether the pattern ends in `notFollowedBy` (matches then complete on `advanceTime`). */
  readonly hasPendingState: boolean;
  /** State index by unique state name (for restoring serialized partial matches). */
  readonly stateIndex: ReadonlyMap<string, number>;
  /** The skip strategy given to `Pattern.begin`. */
  readonly afterMatchSkipStrategy: AfterMatchSkipStrategy;
}

/**
 * Compiles a pattern (given by its last stage) into a {@link CompiledNFA}, the way Flink's
 * `NFACompiler` does: it validates the pattern ({@link validatePattern}), then walks the stages from
 * the last to the first, creating the Final state, one state per single stage, a chain of states
 * per `times(from, to)` (mandatory then optional ones), a looping state (plus an ignore state for
 * relaxed contiguity) for `oneOrMore`/`timesOrMore`, a state with a Stop branch for `notNext`, Stop
 * branches on the following stages for a `notFollowedBy` in the middle, and a Pending state for a
 * trailing `notFollowedBy` (whose matches complete when the window passes, on `advanceTime`).
 *
 * Contiguity becomes IGNORE edges: none for strict, `not(condition)` for skip-till-next, `true` for
 * skip-till-any (inside loops: `consecutive()`, default, `allowCombinations()`). `until` is ANDed,
 * negated, into the loop's take and inner ignore conditions. Greedy is compiled as in current Flink
 * (`updateWithGreedyCondition`): every transition of the state following a greedy loop (or greedy
 * `times(from, to)` with from < to) is ANDed with "the greedy stage does not accept the event", so a
 * run leaves the greedy stage only if no event it accepts comes before the next stage's first event;
 * with `until`, the run may leave without that guard once `until` holds. A greedy last stage has no
 * effect (the Final state has no transitions), nor has a greedy `times(n)`.
 *
 * Known Flink bugs, and what happens here:
 * - Greedy at the head of a pattern (FLINK-8914): greedy decides how far one run's loop extends
 *   (it leaves the loop only when the loop cannot take the event); it does not stop other runs from
 *   starting inside the loop, so under `noSkip` `b+ greedy, c` over `b1 b2 c1` gives `b1 b2 c1` and
 *   `b2 c1`. Use `skipPastLastEvent()` to keep only the longest, the resolution Flink's maintainers
 *   chose for that issue.
 * - Greedy followed by an optional stage (also FLINK-8914, wrong matches in Flink): refused by
 *   {@link validatePattern} with a clear message instead of giving wrong matches.
 * - Group patterns are compiled as in Flink (one copy of the group's states per `times` occurrence,
 *   a dummy state re-entering the head for `oneOrMore`/`timesOrMore`, the group's own contiguity on
 *   the edge into its first copy and its inner one, `consecutive()`/`allowCombinations()`, between
 *   copies), with two fixes: an optional stage at the head of a group keeps its optionality
 *   (FLINK-30864: Flink dropped it), and the head of a group copy that can be skipped or left
 *   (optional group, loop exit) gets a separate ignore state, so that ignoring events does not offer
 *   the skip again (FLINK-30885: duplicate or wrong matches). Between the `times` copies of a stage
 *   at the head of a group, that stage's own inner contiguity applies (Flink used the group's).
 *   Not supported yet, with an {@link UnsupportedPatternError} at compile time: nested groups, a
 *   negation as the last stage inside a group (Flink silently drops it, FLINK-15980), and a negation
 *   right after a group.
 * - Skip strategies on matches completed by time (FLINK-31017) are applied by the {@link NFA}.
 *
 * @example
 * ```ts
 * const compiled = compileNFA(
 *   Pattern.begin<Event>('a').where(isA).followedBy('b').where(isB).oneOrMore().followedBy('c').where(isC),
 * );
 * const nfa = new NFA(compiled);
 * ```
 */
export function compileNFA<T>(pattern: Pattern<T, any>): CompiledNFA<T> {
  validatePattern(pattern);
  return new Compiler<T>(pattern).compile();
}

interface NotCondition<T> {
  readonly condition: EdgeCondition<T>;
  readonly name: string;
}

class Compiler<T> {
  private readonly states: NFAStateDefinition<T>[] = [];
  private readonly usedNames = new Map<string, number>();
  private readonly stopStates = new Map<string, NFAStateDefinition<T>>();
  private current: Pattern<T, any>;
  private following: Pattern<T, any> | null = null;
  private hasPending = false;
  /** Unguarded copies of states updated with a greedy condition (for greedy stages with `until`). */
  private readonly originalStates = new Map<number, NFAStateDefinition<T>>();
  /** The group whose inner stages are being converted, if any. */
  private currentGroup: GroupPattern<T> | null = null;
  /** Per group: whether the copy being converted is the first of its times/loop chain. */
  private readonly firstOfLoop = new Map<GroupPattern<T>, boolean>();
  /** Whether the head state of the group copy being converted gets a PROCEED from the group itself. */
  private groupHeadHasProceed = false;

  constructor(private readonly last: Pattern<T, any>) {
    this.current = last;
  }

  compile(): CompiledNFA<T> {
    checkGroupsSupported(this.last);
    let sink = this.createState(ENDING_STATE_NAME, ENDING_STATE_NAME, StateType.Final, false);
    sink = this.createMiddleStates(sink);
    const start = this.convertPattern(sink);
    start.type = StateType.Start;
    const stateIndex = new Map(this.states.map((s) => [s.name, s.index]));
    return {
      states: this.states,
      startState: start.index,
      windowTime: getPatternWindowTime(this.last),
      windowTimes: getPreviousAndCurrentWindowTimes(this.last),
      hasPendingState: this.hasPending,
      stateIndex,
      afterMatchSkipStrategy: this.last.getAfterMatchSkipStrategy(),
    };
  }

  private createMiddleStates(sinkState: NFAStateDefinition<T>): NFAStateDefinition<T> {
    let sink = sinkState;
    while (this.current.getPrevious() !== null) {
      const strategy = this.current.getQuantifier().getConsumingStrategy();
      if (strategy === ConsumingStrategy.NOT_FOLLOW) {
        if (sink.type === StateType.Final) {
          // Trailing notFollowedBy: wait (Pending) until the window passes, stop on a forbidden event.
          const name = this.current.getName();
          const pending = this.createState(name, name, StateType.Pending, false);
          const notCondition = this.takeCondition(this.current);
          this.addProceed(pending, this.createStopState(notCondition, name), notCondition);
          this.addIgnore(pending, pending, notEdge(notCondition));
          this.hasPending = true;
          sink = pending;
        }
        // Otherwise it becomes Stop branches of the following states (getCurrentNotConditions).
      } else if (strategy === ConsumingStrategy.NOT_NEXT) {
        const name = this.current.getName();
        const notNext = this.createState(name, name, StateType.Normal, false);
        const notCondition = this.takeCondition(this.current);
        const stop = this.createStopState(notCondition, name);
        if (sink.type === StateType.Final) {
          // An IGNORE into Final, so that the match completes on the next (allowed) event.
          this.addIgnore(notNext, sink, notEdge(notCondition));
        } else {
          this.addProceed(notNext, sink, notEdge(notCondition));
        }
        this.addProceed(notNext, stop, notCondition);
        sink = notNext;
      } else {
        sink = this.convertPattern(sink);
      }
      this.following = this.current;
      this.current = this.current.getPrevious()!;
    }
    return sink;
  }

  private convertPattern(sink: NFAStateDefinition<T>): NFAStateDefinition<T> {
    const q = this.current.getQuantifier();
    let result: NFAStateDefinition<T>;
    if (q.hasProperty(QuantifierProperty.LOOPING)) {
      this.setFirstOfLoop(false);
      const looping = this.createLooping(this.copyWithoutTransitiveNots(sink));
      this.setFirstOfLoop(true);
      result = this.createTimesState(
        looping,
        sink,
        this.current.getTimes()!.getFrom(),
        this.current.getTimes()!.getFrom(),
      );
    } else if (q.hasProperty(QuantifierProperty.TIMES)) {
      const times = this.current.getTimes()!;
      result = this.createTimesState(sink, sink, times.getFrom(), times.getTo());
    } else {
      result = this.createSingletonState(
        sink,
        sink,
        this.takeCondition(this.current),
        this.ignoreCondition(this.current),
        q.hasProperty(QuantifierProperty.OPTIONAL),
      );
    }
    this.addStopStates(result);
    return result;
  }

  private createTimesState(
    sink: NFAStateDefinition<T>,
    proceed: NFAStateDefinition<T>,
    from: number,
    to: number,
  ): NFAStateDefinition<T> {
    const until = edgeConditionOrUndefined(this.current.getUntilCondition());
    const innerIgnore = extendWithUntil(this.innerIgnoreCondition(this.current), until, false);
    const take = extendWithUntil(this.takeCondition(this.current), until, true) ?? null;
    let last = sink;
    if (this.current.getQuantifier().hasProperty(QuantifierProperty.GREEDY) && from !== to) {
      if (until !== undefined) this.originalStates.set(sink.index, this.copyState(sink));
      this.updateWithGreedyCondition(sink, take);
    }
    this.setFirstOfLoop(false);
    for (let i = from; i < to; i++) {
      last = this.createSingletonState(last, proceed, take, innerIgnore, true);
      this.addStopStateToLooping(last);
    }
    for (let i = 0; i < from - 1; i++) {
      last = this.createSingletonState(last, null, take, innerIgnore, false);
      this.addStopStateToLooping(last);
    }
    this.setFirstOfLoop(true);
    return this.createSingletonState(
      last,
      proceed,
      take,
      this.ignoreCondition(this.current),
      this.current.getQuantifier().hasProperty(QuantifierProperty.OPTIONAL),
    );
  }

  private createSingletonState(
    sinkState: NFAStateDefinition<T>,
    proceedState: NFAStateDefinition<T> | null,
    take: EdgeCondition<T>,
    ignore: EdgeCondition<T> | undefined,
    isOptional: boolean,
  ): NFAStateDefinition<T> {
    if (isGroupPattern(this.current)) {
      return this.createGroupPatternState(this.current, sinkState, proceedState, isOptional);
    }
    const greedy = this.current.getQuantifier().hasProperty(QuantifierProperty.GREEDY);
    const name = this.current.getName();
    const state = this.createState(name, name, StateType.Normal, greedy);
    // The head of a group copy that the group can skip or leave (optional group, loop exit): its
    // ignored events must not re-offer that PROCEED (Flink re-offered it: FLINK-30885).
    const separateIgnoreState = isOptional || (this.headOfGroup(this.current) && this.groupHeadHasProceed);
    // Taking an event in an optional stage ends the validity of the NOTs before it.
    const sink = this.copyWithoutTransitiveNots(sinkState);
    this.addTake(state, sink, take);
    if (isOptional && proceedState !== null) {
      const until = greedy ? edgeConditionOrUndefined(this.current.getUntilCondition()) : undefined;
      if (until !== undefined) {
        // Greedy with until: once until holds, leave towards the following stage without the greedy guard.
        this.addProceed(state, this.originalStates.get(proceedState.index) ?? proceedState, until);
        this.addProceed(state, proceedState, notEdge(until));
      } else {
        this.addProceed(state, proceedState, null);
      }
    }
    if (ignore !== undefined) {
      let ignoreState: NFAStateDefinition<T>;
      if (separateIgnoreState) {
        // Without the PROCEED, so that the skip branch is created once, not after every ignored event.
        ignoreState = this.createState(name, name, StateType.Normal, greedy);
        this.addTake(ignoreState, sink, take);
        this.addIgnore(ignoreState, ignoreState, ignore);
        this.addStopStates(ignoreState);
      } else {
        ignoreState = state;
      }
      this.addIgnore(state, ignoreState, ignore);
    }
    return state;
  }

  /**
   * The states of one copy of a group (Flink's `createGroupPatternState`): its inner stages converted
   * in front of `sink`; an optional copy's head state also PROCEEDs to `proceed` (skipping the group).
   * Unlike Flink (FLINK-30864), an optional stage at the head of the group keeps its own PROCEED to
   * the next inner stage.
   */
  private createGroupPatternState(
    group: GroupPattern<T>,
    sink: NFAStateDefinition<T>,
    proceed: NFAStateDefinition<T> | null,
    isOptional: boolean,
  ): NFAStateDefinition<T> {
    const skippable = isOptional && proceed !== null;
    const head = this.inGroup(
      group,
      skippable,
      (start) => this.convertPattern(this.createMiddleStates(start)),
      sink,
    );
    if (skippable) this.addProceed(head.state, proceed, null);
    return head.state;
  }

  /** A looping group (Flink's `createLoopingGroupPatternState`): a dummy state re-enters the head. */
  private createLoopingGroupPatternState(
    group: GroupPattern<T>,
    sink: NFAStateDefinition<T>,
  ): NFAStateDefinition<T> {
    const dummy = this.createState(GROUP_LOOP_STATE, GROUP_LOOP_STATE, StateType.Normal, false);
    const head = this.inGroup(
      group,
      true,
      (start) => this.convertPattern(this.createMiddleStates(start)),
      dummy,
    );
    this.addProceed(head.state, sink, null);
    this.addProceed(dummy, head.state, null);
    return head.state;
  }

  private inGroup(
    group: GroupPattern<T>,
    headHasProceed: boolean,
    convert: (sink: NFAStateDefinition<T>) => NFAStateDefinition<T>,
    sink: NFAStateDefinition<T>,
  ): { state: NFAStateDefinition<T> } {
    const saved = [this.current, this.following, this.currentGroup, this.groupHeadHasProceed] as const;
    this.currentGroup = group;
    this.current = group.getRawPattern();
    this.following = null;
    this.groupHeadHasProceed = headHasProceed;
    try {
      const state = convert(sink);
      return { state };
    } finally {
      [this.current, this.following, this.currentGroup, this.groupHeadHasProceed] = saved;
    }
  }

  private headOfGroup(p: Pattern<T, any>): boolean {
    return this.currentGroup !== null && p.getPrevious() === null;
  }

  private setFirstOfLoop(first: boolean): void {
    if (isGroupPattern(this.current)) this.firstOfLoop.set(this.current, first);
  }

  private isCurrentGroupFirstOfLoop(): boolean {
    return this.currentGroup === null || (this.firstOfLoop.get(this.currentGroup) ?? true);
  }

  private createLooping(sink: NFAStateDefinition<T>): NFAStateDefinition<T> {
    if (isGroupPattern(this.current)) return this.createLoopingGroupPatternState(this.current, sink);
    const until = edgeConditionOrUndefined(this.current.getUntilCondition());
    const ignore = extendWithUntil(this.innerIgnoreCondition(this.current), until, false);
    const take = extendWithUntil(this.takeCondition(this.current), until, true) ?? null;
    const greedy = this.current.getQuantifier().hasProperty(QuantifierProperty.GREEDY);
    const name = this.current.getName();
    const looping = this.createState(name, name, StateType.Normal, greedy);
    if (greedy) {
      if (until !== undefined) {
        const original = this.copyState(sink);
        this.originalStates.set(sink.index, original);
        this.addProceed(looping, original, until);
        this.addProceed(looping, sink, notEdge(until));
      } else {
        this.addProceed(looping, sink, null);
      }
      this.updateWithGreedyCondition(sink, this.takeCondition(this.current));
    } else {
      this.addProceed(looping, sink, null);
    }
    this.addTake(looping, looping, take);
    this.addStopStateToLooping(looping);
    if (ignore !== undefined) {
      const ignoreState = this.createState(name, name, StateType.Normal, greedy);
      this.addTake(ignoreState, looping, take);
      this.addIgnore(ignoreState, ignoreState, ignore);
      this.addIgnore(looping, ignoreState, ignore);
      this.addStopStateToLooping(ignoreState);
    }
    return looping;
  }

  /**
   * Greedy (as Flink's `updateWithGreedyCondition`): every transition of the state following a greedy
   * stage is ANDed with "the greedy stage does not accept the event", so a run that left the greedy
   * stage dies when an event the greedy stage accepts comes before the following stage's first event.
   */
  private updateWithGreedyCondition(state: NFAStateDefinition<T>, take: EdgeCondition<T>): void {
    const notTake = notEdge(take);
    for (let i = 0; i < state.transitions.length; i++) {
      const t = state.transitions[i]!;
      state.transitions[i] = { ...t, condition: andEdge(t.condition, notTake) };
    }
  }

  /** A copy of `state` with the same transitions (self-loops to the copy). */
  private copyState(state: NFAStateDefinition<T>): NFAStateDefinition<T> {
    const copy = this.createState(state.stageName, state.stageName, state.type, state.greedy);
    for (const t of state.transitions) {
      copy.transitions.push(t.target === state.index ? { ...t, target: copy.index } : t);
    }
    return copy;
  }

  private copyWithoutTransitiveNots(sinkState: NFAStateDefinition<T>): NFAStateDefinition<T> {
    const nots = this.currentNotConditions();
    if (nots.length === 0 || !this.current.getQuantifier().hasProperty(QuantifierProperty.OPTIONAL)) {
      return sinkState;
    }
    const copy = this.createState(sinkState.stageName, sinkState.stageName, sinkState.type, sinkState.greedy);
    for (const t of sinkState.transitions) {
      if (t.action === TransitionAction.PROCEED) {
        const target = this.states[t.target]!;
        if (target.type === StateType.Stop) {
          if (nots.some((n) => n.name === target.stageName)) continue;
          copy.transitions.push(t);
        } else {
          copy.transitions.push({ ...t, target: this.copyWithoutTransitiveNots(target).index });
        }
      } else {
        copy.transitions.push({ ...t, target: t.target === sinkState.index ? copy.index : t.target });
      }
    }
    return copy;
  }

  /** The NOT conditions that still apply in front of the current stage (through optional stages). */
  private currentNotConditions(): NotCondition<T>[] {
    const nots: NotCondition<T>[] = [];
    let p = this.current;
    for (;;) {
      const prev = p.getPrevious();
      if (prev === null) break;
      const q = prev.getQuantifier();
      if (
        !q.hasProperty(QuantifierProperty.OPTIONAL) &&
        q.getConsumingStrategy() !== ConsumingStrategy.NOT_FOLLOW
      )
        break;
      p = prev;
      if (q.getConsumingStrategy() === ConsumingStrategy.NOT_FOLLOW) {
        nots.push({ condition: this.takeCondition(p), name: p.getName() });
      }
    }
    return nots;
  }

  private addStopStates(state: NFAStateDefinition<T>): void {
    for (const n of this.currentNotConditions()) {
      this.addProceed(state, this.createStopState(n.condition, n.name), n.condition);
    }
  }

  private addStopStateToLooping(state: NFAStateDefinition<T>): void {
    const f = this.following;
    if (f !== null && f.getQuantifier().getConsumingStrategy() === ConsumingStrategy.NOT_FOLLOW) {
      const notCondition = this.takeCondition(f);
      this.addProceed(state, this.createStopState(notCondition, f.getName()), notCondition);
    }
  }

  private createStopState(notCondition: EdgeCondition<T>, name: string): NFAStateDefinition<T> {
    let stop = this.stopStates.get(name);
    if (stop === undefined) {
      stop = this.createState(name, name, StateType.Stop, false);
      this.addTake(stop, stop, notCondition);
      this.stopStates.set(name, stop);
    }
    return stop;
  }

  private takeCondition(p: Pattern<T, any>): EdgeCondition<T> {
    return edgeCondition<T>(p.getCondition());
  }

  /** IGNORE condition on the edge into a stage; `undefined`: no IGNORE edge (strict). */
  private ignoreCondition(p: Pattern<T, any>): EdgeCondition<T> | undefined {
    let strategy = p.getQuantifier().getConsumingStrategy();
    if (this.headOfGroup(p)) {
      // The edge into a group's head is the group's: its own strategy for the first copy, its inner
      // strategy (consecutive, allowCombinations) between copies.
      const q = this.currentGroup!.getQuantifier();
      strategy = this.isCurrentGroupFirstOfLoop() ? q.getConsumingStrategy() : q.getInnerConsumingStrategy();
    }
    return ignoreFor(strategy, this.takeCondition(p));
  }

  /** IGNORE condition between the events of a loop or `times`. */
  private innerIgnoreCondition(p: Pattern<T, any>): EdgeCondition<T> | undefined {
    return ignoreFor(p.getQuantifier().getInnerConsumingStrategy(), this.takeCondition(p));
  }

  private createState(
    baseName: string,
    stageName: string,
    type: StateType,
    greedy: boolean,
  ): NFAStateDefinition<T> {
    const count = this.usedNames.get(baseName);
    const name = count === undefined ? baseName : `${baseName}:${count}`;
    this.usedNames.set(baseName, (count ?? 0) + 1);
    const state: NFAStateDefinition<T> = {
      index: this.states.length,
      name,
      stageName,
      type,
      greedy,
      transitions: [],
    };
    this.states.push(state);
    return state;
  }

  private addTake(from: NFAStateDefinition<T>, to: NFAStateDefinition<T>, c: EdgeCondition<T>): void {
    from.transitions.push(transition(TransitionAction.TAKE, to, c));
  }

  private addIgnore(from: NFAStateDefinition<T>, to: NFAStateDefinition<T>, c: EdgeCondition<T>): void {
    from.transitions.push(transition(TransitionAction.IGNORE, to, c));
  }

  private addProceed(from: NFAStateDefinition<T>, to: NFAStateDefinition<T>, c: EdgeCondition<T>): void {
    from.transitions.push(transition(TransitionAction.PROCEED, to, c));
  }
}

/** Stage name of the dummy state closing a looping group's iteration (no stage can be named so). */
const GROUP_LOOP_STATE = ':group';

/**
 * Throws {@link UnsupportedPatternError} for the group shapes this compiler does not support yet:
 * nested groups, a negation as the last stage inside a group (Flink drops it: FLINK-15980), and a
 * negation right after a group.
 */
function checkGroupsSupported<T>(last: Pattern<T, any>): void {
  let previous: Pattern<T, any> | undefined;
  for (const stage of stagesOf(last)) {
    if (isGroupPattern(stage)) {
      const inner = stagesOf(stage.getRawPattern());
      if (inner.some((s) => isGroupPattern(s))) {
        throw new UnsupportedPatternError(
          `Nested group patterns are not supported yet (${stage.describe()}).`,
        );
      }
      if (inner.at(-1)!.getQuantifier().isNegation()) {
        throw new UnsupportedPatternError(
          `A negation as the last stage inside a group is not supported yet (${stage.describe()}); put it after the group.`,
        );
      }
    } else if (previous !== undefined && isGroupPattern(previous) && stage.getQuantifier().isNegation()) {
      throw new UnsupportedPatternError(
        `A negation right after a group is not supported yet (${previous.describe()} -> ${stage.getName()}).`,
      );
    }
    previous = stage;
  }
}

function transition<T>(
  action: TransitionAction,
  to: NFAStateDefinition<T>,
  condition: EdgeCondition<T>,
): StateTransition<T> {
  return { action, target: to.index, condition };
}

function ignoreFor<T>(strategy: ConsumingStrategy, take: EdgeCondition<T>): EdgeCondition<T> | undefined {
  switch (strategy) {
    case ConsumingStrategy.SKIP_TILL_NEXT:
      return notEdge(take);
    case ConsumingStrategy.SKIP_TILL_ANY:
      return null;
    default:
      return undefined;
  }
}

function edgeConditionOrUndefined<T>(
  c: Parameters<typeof edgeCondition<T>>[0],
): EdgeCondition<T> | undefined {
  return c === undefined ? undefined : edgeCondition<T>(c);
}

/** Flink's `extendWithUntilCondition`: `until` is ANDed, negated, into take and (existing) ignore edges. */
function extendWithUntil<T>(
  condition: EdgeCondition<T> | undefined,
  until: EdgeCondition<T> | undefined,
  isTake: boolean,
): EdgeCondition<T> | undefined {
  if (until !== undefined && condition !== undefined) return andEdge(notEdge(until), condition);
  if (until !== undefined && isTake) return notEdge(until);
  return condition;
}
