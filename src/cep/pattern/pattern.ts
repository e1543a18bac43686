import { AfterMatchSkipStrategy } from './after-match-skip-strategy.js';
import { BooleanConditions } from './conditions/boolean-conditions.js';
import { type IterativeCondition, isIterativeCondition } from './conditions/iterative-condition.js';
import { RichAndCondition } from './conditions/rich-and-condition.js';
import { RichOrCondition } from './conditions/rich-or-condition.js';
import { type SubtypeClass, SubtypeCondition, type TypeGuard } from './conditions/subtype-condition.js';
import { MalformedPatternError } from './malformed-pattern-error.js';
import { canEndOptionally, leafStagesOf } from './pattern-stages.js';
import { ConsumingStrategy, Quantifier, QuantifierProperty } from './quantifier.js';
import { checkStageName } from './stage-names.js';
import { Times } from './times.js';
import { WithinType } from './within-type.js';

/** The name Flink gives every group stage; groups are not named stages (their inner stages are). */
const GROUP_PATTERN_NAME = 'GroupPattern';

/**
 * A pattern definition (Flink's `Pattern`): a linked list of stages, each the `Pattern` object
 * returned by `begin`, `next`, `followedBy`, … and pointing to the previous one. A pattern is
 * referred to by its last stage; the NFA compiler walks it backwards with {@link getPrevious}.
 *
 * Each stage has a unique name, a condition (`where` ANDs, `or` ORs, `subtype` narrows), a
 * {@link Quantifier} (`times`, `oneOrMore`, `optional`, `greedy`, …), optionally an `until` condition
 * and `within` windows, and the after-match skip strategy given to `begin`.
 *
 * `T` is the base event type; `F` the type the stage's events are narrowed to by `subtype` (what
 * later `where` conditions receive). `or` and `until` conditions may see any `T` (an `or` branch
 * bypasses the subtype test, and `until` is tested on events the stage rejects), so they take `T` and
 * `or` widens `F` back to `T`: sounder than Flink, whose erased generics allow a cast failure there.
 *
 * Builder methods throw {@link MalformedPatternError} at once for what they can check on their own;
 * {@link validatePattern} (called by the NFA compiler) checks the whole pattern.
 *
 * Groups are defined in this file too: `GroupPattern` extends `Pattern`, and `Pattern` builds groups,
 * which as two ES modules would be an import cycle through `extends`.
 *
 * @example
 * ```ts
 * const pattern = Pattern.begin<Event>('start', AfterMatchSkipStrategy.skipPastLastEvent())
 *   .where((e) => e.type === 'login')
 *   .next('middle').subtype(Payment).where((p) => p.amount > 100)
 *   .followedBy('end').where((e, ctx) => e.type === 'logout').oneOrMore().optional()
 *   .within(Duration.ofMinutes(5));
 * ```
 */
export class Pattern<T, F extends T = T> {
  private readonly name: string;
  private readonly previous: Pattern<T, any> | null;
  private condition: IterativeCondition<any, T> | undefined;
  private readonly windowTimes = new Map<WithinType, number>();
  private quantifier: Quantifier;
  private untilCondition: IterativeCondition<T, T> | undefined;
  private timesBounds: Times | undefined;
  private readonly afterMatchSkipStrategy: AfterMatchSkipStrategy;

  protected constructor(
    name: string,
    previous: Pattern<T, any> | null,
    consumingStrategy: ConsumingStrategy,
    afterMatchSkipStrategy: AfterMatchSkipStrategy,
  ) {
    this.name = name;
    this.previous = previous;
    this.quantifier = Quantifier.one(consumingStrategy);
    this.afterMatchSkipStrategy = afterMatchSkipStrategy;
  }

  /**
   * Starts a pattern whose first stage is named `name`, or is the group `group`. The skip strategy
   * (default {@link AfterMatchSkipStrategy.noSkip}) applies to the whole pattern.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('start');
   * Pattern.begin<Event>('start', AfterMatchSkipStrategy.skipToNext());
   * Pattern.begin(Pattern.begin<Event>('a').next('b')).times(2); // (a b){2}
   * ```
   */
  static begin<X>(name: string, afterMatchSkipStrategy?: AfterMatchSkipStrategy): Pattern<X, X>;
  static begin<X>(group: Pattern<X, any>, afterMatchSkipStrategy?: AfterMatchSkipStrategy): GroupPattern<X>;
  static begin<X>(
    nameOrGroup: string | Pattern<X, any>,
    afterMatchSkipStrategy: AfterMatchSkipStrategy = AfterMatchSkipStrategy.noSkip(),
  ): Pattern<X, X> | GroupPattern<X> {
    if (!(afterMatchSkipStrategy instanceof AfterMatchSkipStrategy)) {
      throw new MalformedPatternError(
        'The after-match skip strategy must be built with AfterMatchSkipStrategy (noSkip(), skipToNext(), …).',
      );
    }
    if (typeof nameOrGroup === 'string') {
      checkStageName(nameOrGroup);
      return new Pattern<X, X>(nameOrGroup, null, ConsumingStrategy.STRICT, afterMatchSkipStrategy);
    }
    checkGroup(nameOrGroup, []);
    return new GroupPattern<X>(null, nameOrGroup, ConsumingStrategy.STRICT, afterMatchSkipStrategy);
  }

  /** The stage's name (`'GroupPattern'` for a group, as in Flink). @example `Pattern.begin<Event>('a').getName() // 'a'` */
  getName(): string {
    return this.name;
  }

  /** The stage before this one, `null` for the first. @example `p.next('b').getPrevious() === p // true` */
  getPrevious(): Pattern<T, any> | null {
    return this.previous;
  }

  /**
   * The stage's condition: the composition of its `where`/`or`/`subtype` calls, or
   * `BooleanConditions.trueFunction()` when there were none.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').where(isLogin).getCondition() === isLogin; // true
   * ```
   */
  getCondition(): IterativeCondition<F, T> {
    return this.condition ?? BooleanConditions.trueFunction<F, T>();
  }

  /** The `until` condition, if any. @example `Pattern.begin<Event>('a').oneOrMore().until(isEnd).getUntilCondition() === isEnd` */
  getUntilCondition(): IterativeCondition<T, T> | undefined {
    return this.untilCondition;
  }

  /** The stage's quantifier. @example `Pattern.begin<Event>('a').getQuantifier().hasProperty(QuantifierProperty.SINGLE) // true` */
  getQuantifier(): Quantifier {
    return this.quantifier;
  }

  /** The occurrence bounds of a `times` or looping stage; `undefined` for a single one. @example `p.times(2, 4).getTimes() // Times{from=2, to=4}` */
  getTimes(): Times | undefined {
    return this.timesBounds;
  }

  /**
   * The `within` window (milliseconds) set on this stage for `withinType`, if any. The window of the
   * whole pattern is the smallest `FIRST_AND_LAST` window over its stages (see
   * {@link getPatternWindowTime}).
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').within(5000).getWindowSize(); // 5000
   * ```
   */
  getWindowSize(withinType: WithinType = WithinType.FIRST_AND_LAST): number | undefined {
    return this.windowTimes.get(withinType);
  }

  /** Alias of {@link getWindowSize} (Flink's older name). @example `p.getWindowTime(WithinType.PREVIOUS_AND_CURRENT)` */
  getWindowTime(withinType: WithinType = WithinType.FIRST_AND_LAST): number | undefined {
    return this.getWindowSize(withinType);
  }

  /** The skip strategy given to `begin`, carried by every stage. @example `p.getAfterMatchSkipStrategy().kind` */
  getAfterMatchSkipStrategy(): AfterMatchSkipStrategy {
    return this.afterMatchSkipStrategy;
  }

  /**
   * Adds a condition the stage's events must satisfy, ANDed with the conditions already set.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').where((e) => e.type === 'login').where((e) => e.amount > 100);
   * ```
   */
  where(condition: IterativeCondition<F, T>): this {
    checkCondition(condition);
    this.condition =
      this.condition === undefined ? condition : new RichAndCondition(this.condition, condition);
    return this;
  }

  /**
   * Adds an alternative condition, ORed with the conditions already set. The alternative may accept
   * events outside a `subtype`, so it takes (and the stage becomes) the base type `T`.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').where((e) => e.type === 'login').or((e) => e.type === 'sso');
   * ```
   */
  or(condition: IterativeCondition<T, T>): Pattern<T, T> {
    checkCondition(condition);
    this.condition =
      this.condition === undefined ? condition : new RichOrCondition(this.condition, condition);
    return this as unknown as Pattern<T, T>;
  }

  /**
   * Restricts the stage to events of a subtype, ANDed with the conditions already set: a type guard,
   * a class (tested with `instanceof`) or a {@link SubtypeCondition}. Later `where` conditions get
   * the subtype.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('pay').subtype(Payment).where((p) => p.amount > 100);
   * Pattern.begin<Event>('pay').subtype((e): e is Payment => e.kind === 'payment');
   * ```
   */
  subtype<S extends F>(guard: TypeGuard<F, S>): Pattern<T, S>;
  subtype<S extends F>(subtypeClass: SubtypeClass<S>): Pattern<T, S>;
  subtype<S extends F>(condition: SubtypeCondition<F, S>): Pattern<T, S>;
  subtype<S extends F>(subtype: TypeGuard<F, S> | SubtypeClass<S> | SubtypeCondition<F, S>): Pattern<T, S> {
    if (!(subtype instanceof SubtypeCondition) && typeof subtype !== 'function') {
      throw new MalformedPatternError(
        'The subtype must be a class, a type guard or a SubtypeCondition.',
        this.name,
      );
    }
    const condition = subtype instanceof SubtypeCondition ? subtype : new SubtypeCondition<F, S>(subtype);
    this.condition =
      this.condition === undefined
        ? (condition as IterativeCondition<any, T>)
        : new RichAndCondition(this.condition, condition as IterativeCondition<any, T>);
    return this as unknown as Pattern<T, S>;
  }

  /**
   * Stops a looping stage: once an event satisfies `condition`, the loop takes no more events (the
   * event itself is not taken). Only one, only on looping stages (`oneOrMore`, `timesOrMore`).
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').where(isA).oneOrMore().until((e) => e.type === 'reset');
   * ```
   */
  until(condition: IterativeCondition<T, T>): this {
    checkCondition(condition);
    if (this.untilCondition !== undefined) {
      throw new MalformedPatternError('Only one until condition can be applied.', this.describe());
    }
    if (!this.quantifier.hasProperty(QuantifierProperty.LOOPING)) {
      throw new MalformedPatternError(
        'The until condition is only applicable to looping states.',
        this.describe(),
      );
    }
    this.untilCondition = condition;
    return this;
  }

  /**
   * Sets a time window (milliseconds, positive). `FIRST_AND_LAST` (default) bounds the time between
   * the first and the last event of the whole match, whichever stage it is set on; with several,
   * the smallest applies. `PREVIOUS_AND_CURRENT` bounds the time between the previous stage's (or
   * loop iteration's) event and this stage's event. Setting the same kind twice keeps the smaller.
   * A trailing `notFollowedBy` needs one of them: the match fires when the window passes with no
   * forbidden event.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').followedBy('b').within(Duration.ofSeconds(10));
   * Pattern.begin<Event>('a').followedBy('b').within(1000, WithinType.PREVIOUS_AND_CURRENT);
   * ```
   */
  within(windowTime: number, withinType: WithinType = WithinType.FIRST_AND_LAST): this {
    if (typeof windowTime !== 'number' || !Number.isFinite(windowTime) || windowTime <= 0) {
      throw new MalformedPatternError(
        `The window time must be a positive number of milliseconds, got ${String(windowTime)}.`,
        this.describe(),
      );
    }
    if (!Object.values(WithinType).includes(withinType)) {
      throw new MalformedPatternError(`Unknown within type: ${String(withinType)}.`, this.describe());
    }
    const current = this.windowTimes.get(withinType);
    this.windowTimes.set(withinType, current === undefined ? windowTime : Math.min(current, windowTime));
    return this;
  }

  /**
   * Appends a stage (or group) with strict contiguity: its event must directly follow the previous
   * stage's event.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').next('b');
   * Pattern.begin<Event>('a').next(Pattern.begin<Event>('b').followedBy('c'));
   * ```
   */
  next(name: string): Pattern<T, T>;
  next(group: Pattern<T, any>): GroupPattern<T>;
  next(nameOrGroup: string | Pattern<T, any>): Pattern<T, T> | GroupPattern<T> {
    return this.append(nameOrGroup, ConsumingStrategy.STRICT);
  }

  /**
   * Appends a stage (or group) with relaxed contiguity (skip till next): non-matching events in
   * between are ignored and the first matching one is taken.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').followedBy('b');
   * ```
   */
  followedBy(name: string): Pattern<T, T>;
  followedBy(group: Pattern<T, any>): GroupPattern<T>;
  followedBy(nameOrGroup: string | Pattern<T, any>): Pattern<T, T> | GroupPattern<T> {
    return this.append(nameOrGroup, ConsumingStrategy.SKIP_TILL_NEXT);
  }

  /**
   * Appends a stage (or group) with non-deterministic relaxed contiguity (skip till any): every
   * later matching event may be taken, each in its own partial match.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').followedByAny('b');
   * ```
   */
  followedByAny(name: string): Pattern<T, T>;
  followedByAny(group: Pattern<T, any>): GroupPattern<T>;
  followedByAny(nameOrGroup: string | Pattern<T, any>): Pattern<T, T> | GroupPattern<T> {
    return this.append(nameOrGroup, ConsumingStrategy.SKIP_TILL_ANY);
  }

  /**
   * Appends a negated stage: the event directly after the previous stage's event must not satisfy
   * its condition. Cannot follow an optional stage, takes no quantifier.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').notNext('b').where((e) => e.type === 'cancel');
   * ```
   */
  notNext(name: string): Pattern<T, T> {
    this.checkNotAfterOptional(name);
    return this.append(name, ConsumingStrategy.NOT_NEXT) as Pattern<T, T>;
  }

  /**
   * Appends a negated stage: no event satisfying its condition may occur between the previous
   * stage's event and the next stage's event. As the last stage it needs a `within` window, and the
   * match fires when the window passes. Cannot follow an optional stage or start a pattern, takes no
   * quantifier.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('order').notFollowedBy('payment').where(isPayment).within(Duration.ofMinutes(5));
   * ```
   */
  notFollowedBy(name: string): Pattern<T, T> {
    this.checkNotAfterOptional(name);
    return this.append(name, ConsumingStrategy.NOT_FOLLOW) as Pattern<T, T>;
  }

  /**
   * Makes the stage optional. Not on negations; not right after a greedy stage (FLINK-8914).
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').next('b').optional().next('c');
   * ```
   */
  optional(): this {
    this.checkIfPreviousPatternGreedy();
    this.quantify(() => this.quantifier.optional());
    return this;
  }

  /**
   * The stage matches one or more events (a loop), by default with relaxed contiguity between them.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').oneOrMore(); // a+
   * ```
   */
  oneOrMore(): this {
    return this.requantify(Quantifier.looping, 1, undefined);
  }

  /**
   * The stage matches `times` or more events (a loop). `timesOrMore(0)` is `oneOrMore().optional()`.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').timesOrMore(3); // a{3,}
   * ```
   */
  timesOrMore(times: number): this {
    checkCount(times, 0, `timesOrMore expects a non-negative integer, got ${times}.`, this.describe());
    return times === 0
      ? this.requantify(Quantifier.looping, 1, undefined, true)
      : this.requantify(Quantifier.looping, times, undefined);
  }

  /**
   * The stage matches exactly `from` events, or between `from` and `to` events. `times(0, n)` makes
   * the stage optional with `times(1, n)`, as in Flink.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').times(3);    // a{3}
   * Pattern.begin<Event>('a').times(2, 4); // a{2,4}
   * ```
   */
  times(from: number, to?: number): this {
    if (to === undefined) {
      checkCount(from, 1, 'You should give a positive number greater than 0.', this.describe());
      return this.requantify(Quantifier.times, from, from);
    }
    checkCount(from, 0, `The from should be a non-negative integer, got ${from}.`, this.describe());
    checkCount(to, 1, `The to should be a positive integer, got ${to}.`, this.describe());
    if (to < from) {
      throw new MalformedPatternError(
        `The to should be a number greater than or equal to from: ${from}, got ${to}.`,
        this.describe(),
      );
    }
    return from === 0
      ? this.requantify(Quantifier.times, 1, to, true)
      : this.requantify(Quantifier.times, from, to);
  }

  /**
   * A looping or `times` stage takes as many events as possible: while the stage can take the
   * current event, the following stage may not. Not on single stages, groups, negations, or with
   * `allowCombinations()`.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').oneOrMore().greedy().next('b');
   * ```
   */
  greedy(): this {
    this.checkIfNoNotPattern();
    this.checkIfNoGroupPattern();
    this.quantify(() => this.quantifier.greedy());
    return this;
  }

  /**
   * Strict contiguity between the events of a looping or `times` stage: a non-matching event ends
   * the loop.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('c').followedBy('a').oneOrMore().consecutive().followedBy('b');
   * // over c d a1 a2 a3 d a4 b: {c a1 b} {c a1 a2 b} {c a1 a2 a3 b}
   * ```
   */
  consecutive(): this {
    this.quantify(() => this.quantifier.consecutive());
    return this;
  }

  /**
   * Non-deterministic relaxed contiguity (skip till any) between the events of a looping or `times`
   * stage.
   *
   * @example
   * ```ts
   * Pattern.begin<Event>('a').oneOrMore().allowCombinations().followedBy('b');
   * // over a1 a2 b: {a1 b} {a2 b} {a1 a2 b}
   * ```
   */
  allowCombinations(): this {
    this.quantify(() => this.quantifier.combinations());
    return this;
  }

  /** A readable form for messages: the name, or the group's stages. @example `p.describe() // 'b'` */
  describe(): string {
    return this.name;
  }

  /** @example `String(Pattern.begin<Event>('a'))` */
  toString(): string {
    const windows = [...this.windowTimes].map(([type, ms]) => `${type}=${ms}`).join(', ');
    return (
      `Pattern{name='${this.describe()}', previous=${this.previous === null ? 'null' : this.previous.describe()}, ` +
      `quantifier=${this.quantifier}, times=${this.timesBounds ?? 'null'}, windowTimes={${windows}}, ` +
      `afterMatchSkipStrategy=${this.afterMatchSkipStrategy}}`
    );
  }

  private append(
    nameOrGroup: string | Pattern<T, any>,
    strategy: ConsumingStrategy,
  ): Pattern<T, T> | GroupPattern<T> {
    const used = leafStagesOf<T>(this).map((s) => s.getName());
    if (typeof nameOrGroup === 'string') {
      checkStageName(nameOrGroup);
      checkUnique(nameOrGroup, used);
      return new Pattern<T, T>(nameOrGroup, this, strategy, this.afterMatchSkipStrategy);
    }
    checkGroup(nameOrGroup, used);
    return new GroupPattern<T>(this, nameOrGroup, strategy, this.afterMatchSkipStrategy);
  }

  private requantify(
    kind: (strategy: ConsumingStrategy) => Quantifier,
    from: number,
    to: number | undefined,
    makeOptional = false,
  ): this {
    this.checkIfNoNotPattern();
    this.checkIfQuantifierApplied();
    const wasOptional = this.quantifier.hasProperty(QuantifierProperty.OPTIONAL);
    if (makeOptional && !wasOptional) this.checkIfPreviousPatternGreedy();
    const quantifier = kind(this.quantifier.getConsumingStrategy());
    // Unlike Flink, an earlier optional() survives the change of quantifier.
    if (wasOptional || makeOptional) quantifier.optional();
    this.quantifier = quantifier;
    this.timesBounds = Times.of(from, to ?? from);
    return this;
  }

  private quantify(change: () => void): void {
    try {
      change();
    } catch (e) {
      throw e instanceof MalformedPatternError ? e.atStage(this.describe()) : e;
    }
  }

  private checkIfNoNotPattern(): void {
    if (this.quantifier.isNegation()) {
      throw new MalformedPatternError('Option not applicable to NOT pattern', this.describe());
    }
  }

  private checkIfQuantifierApplied(): void {
    if (!this.quantifier.hasProperty(QuantifierProperty.SINGLE)) {
      throw new MalformedPatternError(
        `Already applied quantifier to this Pattern. Current quantifier is: ${this.quantifier}`,
        this.describe(),
      );
    }
  }

  private checkIfNoGroupPattern(): void {
    if (this instanceof GroupPattern) {
      throw new MalformedPatternError('Option not applicable to group pattern', this.describe());
    }
  }

  private checkIfPreviousPatternGreedy(): void {
    if (this.previous?.getQuantifier().hasProperty(QuantifierProperty.GREEDY)) {
      throw new MalformedPatternError(
        'Optional pattern cannot be preceded by greedy pattern',
        this.describe(),
      );
    }
  }

  private checkNotAfterOptional(name: string): void {
    if (canEndOptionally(this)) {
      throw new MalformedPatternError(notAfterOptionalMessage(this.describe()), name);
    }
  }
}

/**
 * A stage made of a sub-pattern (Flink's `GroupPattern`), built by `Pattern.begin(group)`,
 * `next(group)`, `followedBy(group)` or `followedByAny(group)`. The group as a whole takes the
 * quantifiers Flink allows on groups (`times`, `timesOrMore`, `oneOrMore`, `optional`, `consecutive`,
 * `allowCombinations`, and a `FIRST_AND_LAST` `within`); conditions go on the stages inside it, and
 * `greedy` is not supported. Its name is `'GroupPattern'`; its inner stages' names must be unique
 * across the whole pattern.
 *
 * Construct it through the builder methods, not with `new`.
 *
 * @example
 * ```ts
 * // a (b c){2,3} d
 * const p = Pattern.begin<Event>('a')
 *   .next(Pattern.begin<Event>('b').where(isB).followedBy('c').where(isC))
 *   .times(2, 3)
 *   .followedBy('d');
 * ```
 */
export class GroupPattern<T> extends Pattern<T, T> {
  private readonly groupPattern: Pattern<T, any>;

  /** @internal use `Pattern.begin(group)`, `next(group)`, `followedBy(group)` or `followedByAny(group)`. */
  constructor(
    previous: Pattern<T, any> | null,
    groupPattern: Pattern<T, any>,
    consumingStrategy: ConsumingStrategy,
    afterMatchSkipStrategy: AfterMatchSkipStrategy,
  ) {
    super(GROUP_PATTERN_NAME, previous, consumingStrategy, afterMatchSkipStrategy);
    this.groupPattern = groupPattern;
  }

  /** The last stage of the group's sub-pattern. @example `Pattern.begin(sub).getRawPattern() === sub // true` */
  getRawPattern(): Pattern<T, any> {
    return this.groupPattern;
  }

  /** Always throws: conditions go on the stages inside the group. */
  override where(_condition: IterativeCondition<T, T>): never {
    throw noCondition('where', this.describe());
  }

  /** Always throws: conditions go on the stages inside the group. */
  override or(_condition: IterativeCondition<T, T>): never {
    throw noCondition('or', this.describe());
  }

  /** Always throws: conditions go on the stages inside the group. */
  override subtype(_subtype: unknown): never {
    throw noCondition('subtype', this.describe());
  }

  /** Always throws: `until` goes on a looping stage inside the group. */
  override until(_condition: IterativeCondition<T, T>): never {
    throw noCondition('until', this.describe());
  }

  /**
   * A `FIRST_AND_LAST` window, as on any stage. `PREVIOUS_AND_CURRENT` is refused: set it on a stage
   * inside the group.
   *
   * @example
   * ```ts
   * Pattern.begin(Pattern.begin<Event>('a').next('b')).within(1000);
   * ```
   */
  override within(windowTime: number, withinType: WithinType = WithinType.FIRST_AND_LAST): this {
    if (withinType === WithinType.PREVIOUS_AND_CURRENT) {
      throw new MalformedPatternError(
        'A PREVIOUS_AND_CURRENT window is not applicable to a group pattern; set it on a stage inside the group.',
        this.describe(),
      );
    }
    return super.within(windowTime, withinType);
  }

  /** @example `group.describe() // 'GroupPattern(b -> c)'` */
  override describe(): string {
    return `${GROUP_PATTERN_NAME}(${leafStagesOf(this.groupPattern)
      .map((s) => s.getName())
      .join(' -> ')})`;
  }
}

function noCondition(clause: string, stage: string): MalformedPatternError {
  return new MalformedPatternError(
    `Cannot add a condition to a group pattern: GroupPattern does not support ${clause} clause. ` +
      'Put it on a stage inside the group.',
    stage,
  );
}

/**
 * @internal the message for a negation right after a stage that can be skipped (shared with
 * {@link validatePattern}).
 *
 * @example
 * ```ts
 * throw new MalformedPatternError(notAfterOptionalMessage('a'), 'b');
 * ```
 */
export function notAfterOptionalMessage(optionalStage: string): string {
  return (
    `A NOT pattern cannot follow the optional stage "${optionalStage}": specifying a pattern with an ` +
    'optional path to NOT condition is not supported yet. You can simulate such pattern with two ' +
    'independent patterns, one with and the other without the optional part.'
  );
}

function checkCondition(condition: unknown): void {
  if (!isIterativeCondition(condition)) {
    throw new MalformedPatternError(
      `The condition must be a function (event, ctx) => boolean or an object with filter(), got ${
        condition === null ? 'null' : typeof condition
      }.`,
    );
  }
}

function checkCount(n: number, min: number, message: string, stage: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new MalformedPatternError(message, stage);
  }
}

function checkUnique(name: string, used: readonly string[]): void {
  if (used.includes(name)) {
    throw new MalformedPatternError(`Duplicate pattern name: ${name}. Names must be unique.`);
  }
}

function checkGroup<T>(group: Pattern<T, any>, used: readonly string[]): void {
  if (!(group instanceof Pattern)) {
    throw new MalformedPatternError('A group must be a Pattern built with Pattern.begin(...).');
  }
  for (const stage of leafStagesOf(group)) checkUnique(stage.getName(), used);
}
