import { MalformedPatternError } from './malformed-pattern-error.js';

/**
 * Which events a stage may skip before it accepts one (Flink's `Quantifier.ConsumingStrategy`).
 *
 * - `STRICT` (`next`, `consecutive()` inside loops): the accepted event must directly follow.
 * - `SKIP_TILL_NEXT` (`followedBy`, the default inside loops): non-matching events in between are
 *   ignored; the first matching event is taken.
 * - `SKIP_TILL_ANY` (`followedByAny`, `allowCombinations()` inside loops): any later matching event
 *   may be taken, each one starting an alternative partial match.
 * - `NOT_NEXT` (`notNext`): the directly following event must not match.
 * - `NOT_FOLLOW` (`notFollowedBy`): no matching event may occur before the next stage matches (or,
 *   at the end of a pattern, before its `within` window elapses).
 *
 * @example
 * ```ts
 * Pattern.begin<Event>('a').followedByAny('b').getQuantifier().getConsumingStrategy();
 * // ConsumingStrategy.SKIP_TILL_ANY
 * ```
 */
export enum ConsumingStrategy {
  STRICT = 'STRICT',
  SKIP_TILL_NEXT = 'SKIP_TILL_NEXT',
  SKIP_TILL_ANY = 'SKIP_TILL_ANY',
  NOT_FOLLOW = 'NOT_FOLLOW',
  NOT_NEXT = 'NOT_NEXT',
}

/**
 * Properties a {@link Quantifier} can have (Flink's `Quantifier.QuantifierProperty`). Exactly one of
 * `SINGLE`, `LOOPING` (`oneOrMore`, `timesOrMore`) and `TIMES` (`times`); plus optionally `OPTIONAL`
 * and `GREEDY`.
 *
 * @example
 * ```ts
 * Pattern.begin<Event>('a').oneOrMore().getQuantifier().hasProperty(QuantifierProperty.LOOPING); // true
 * ```
 */
export enum QuantifierProperty {
  SINGLE = 'SINGLE',
  LOOPING = 'LOOPING',
  TIMES = 'TIMES',
  OPTIONAL = 'OPTIONAL',
  GREEDY = 'GREEDY',
}

const PROPERTY_ORDER = Object.values(QuantifierProperty);

/**
 * How often and how contiguously a stage matches (Flink's `Quantifier`). A quantifier has a kind
 * (`SINGLE`, `LOOPING` or `TIMES`), may be `OPTIONAL` and `GREEDY`, has the consuming strategy of
 * the edge into the stage, and, for loops and `times`, an inner consuming strategy used between the
 * stage's own events (`SKIP_TILL_NEXT` by default, `STRICT` after `consecutive()`, `SKIP_TILL_ANY`
 * after `allowCombinations()`).
 *
 * Like Flink's, it is mutable: `optional()`, `greedy()`, `consecutive()` and `combinations()` change
 * it in place and throw {@link MalformedPatternError} when they do not apply.
 *
 * @example
 * ```ts
 * const q = Quantifier.looping(ConsumingStrategy.SKIP_TILL_NEXT);
 * q.consecutive();
 * q.getInnerConsumingStrategy(); // ConsumingStrategy.STRICT
 * ```
 */
export class Quantifier {
  private readonly properties: Set<QuantifierProperty>;
  private innerConsumingStrategy: ConsumingStrategy = ConsumingStrategy.SKIP_TILL_NEXT;

  private constructor(
    private readonly consumingStrategy: ConsumingStrategy,
    kind: QuantifierProperty,
  ) {
    this.properties = new Set([kind]);
  }

  /** A stage matching one event. @example `Quantifier.one(ConsumingStrategy.STRICT)` */
  static one(consumingStrategy: ConsumingStrategy): Quantifier {
    return new Quantifier(consumingStrategy, QuantifierProperty.SINGLE);
  }

  /** A stage matching `from` or more events. @example `Quantifier.looping(ConsumingStrategy.STRICT)` */
  static looping(consumingStrategy: ConsumingStrategy): Quantifier {
    return new Quantifier(consumingStrategy, QuantifierProperty.LOOPING);
  }

  /** A stage matching between `from` and `to` events. @example `Quantifier.times(ConsumingStrategy.STRICT)` */
  static times(consumingStrategy: ConsumingStrategy): Quantifier {
    return new Quantifier(consumingStrategy, QuantifierProperty.TIMES);
  }

  /** @example `Quantifier.one(ConsumingStrategy.STRICT).hasProperty(QuantifierProperty.SINGLE) // true` */
  hasProperty(property: QuantifierProperty): boolean {
    return this.properties.has(property);
  }

  /** All properties, in declaration order. @example `q.getProperties() // [LOOPING, OPTIONAL]` */
  getProperties(): QuantifierProperty[] {
    return PROPERTY_ORDER.filter((p) => this.properties.has(p));
  }

  /** Strategy of the edge into the stage. @example `q.getConsumingStrategy() // SKIP_TILL_NEXT` */
  getConsumingStrategy(): ConsumingStrategy {
    return this.consumingStrategy;
  }

  /** Strategy between the events of a loop or `times`. @example `q.getInnerConsumingStrategy()` */
  getInnerConsumingStrategy(): ConsumingStrategy {
    return this.innerConsumingStrategy;
  }

  /** Whether this is a negation (`notNext` / `notFollowedBy`). @example `q.isNegation()` */
  isNegation(): boolean {
    return (
      this.consumingStrategy === ConsumingStrategy.NOT_NEXT ||
      this.consumingStrategy === ConsumingStrategy.NOT_FOLLOW
    );
  }

  /**
   * Skip-till-any between the loop's events (`allowCombinations()`); only for loops and `times`.
   *
   * @example
   * ```ts
   * Quantifier.times(ConsumingStrategy.STRICT).combinations();
   * ```
   */
  combinations(): void {
    check(!this.hasProperty(QuantifierProperty.SINGLE), `Combinations not applicable to ${this}!`);
    check(
      this.innerConsumingStrategy !== ConsumingStrategy.STRICT,
      'You can apply either combinations or consecutive, not both!',
    );
    check(this.innerConsumingStrategy !== ConsumingStrategy.SKIP_TILL_ANY, 'Combinations already applied!');
    check(!this.hasProperty(QuantifierProperty.GREEDY), 'Combinations not applicable to a greedy pattern!');
    this.innerConsumingStrategy = ConsumingStrategy.SKIP_TILL_ANY;
  }

  /**
   * Strict contiguity between the loop's events (`consecutive()`); only for loops and `times`.
   *
   * @example
   * ```ts
   * Quantifier.looping(ConsumingStrategy.STRICT).consecutive();
   * ```
   */
  consecutive(): void {
    check(
      this.hasProperty(QuantifierProperty.LOOPING) || this.hasProperty(QuantifierProperty.TIMES),
      `Consecutive not applicable to ${this}!`,
    );
    check(
      this.innerConsumingStrategy !== ConsumingStrategy.SKIP_TILL_ANY,
      'You can apply either combinations or consecutive, not both!',
    );
    check(this.innerConsumingStrategy !== ConsumingStrategy.STRICT, 'Consecutive already applied!');
    this.innerConsumingStrategy = ConsumingStrategy.STRICT;
  }

  /**
   * Marks the stage optional; not for negations.
   *
   * @example
   * ```ts
   * Quantifier.one(ConsumingStrategy.STRICT).optional();
   * ```
   */
  optional(): void {
    check(!this.hasProperty(QuantifierProperty.OPTIONAL), 'Optional already applied!');
    check(!this.isNegation(), 'NOT pattern cannot be optional');
    this.properties.add(QuantifierProperty.OPTIONAL);
  }

  /**
   * Marks a loop or `times` greedy; not with `allowCombinations()`. Applying it twice is harmless.
   *
   * @example
   * ```ts
   * Quantifier.looping(ConsumingStrategy.STRICT).greedy();
   * ```
   */
  greedy(): void {
    check(!this.hasProperty(QuantifierProperty.SINGLE), 'Option not applicable to singleton quantifier');
    check(
      this.innerConsumingStrategy !== ConsumingStrategy.SKIP_TILL_ANY,
      'Option not applicable to a pattern with allowCombinations() (skip-till-any inside the loop)',
    );
    this.properties.add(QuantifierProperty.GREEDY);
  }

  /** Same properties and strategies. @example `Quantifier.one(S).equals(Quantifier.one(S)) // true` */
  equals(other: Quantifier): boolean {
    return (
      this.consumingStrategy === other.consumingStrategy &&
      this.innerConsumingStrategy === other.innerConsumingStrategy &&
      this.properties.size === other.properties.size &&
      [...this.properties].every((p) => other.properties.has(p))
    );
  }

  /** @example `String(q) // 'Quantifier{properties=[SINGLE], consumingStrategy=STRICT, ...}'` */
  toString(): string {
    return `Quantifier{properties=[${this.getProperties().join(', ')}], consumingStrategy=${
      this.consumingStrategy
    }, innerConsumingStrategy=${this.innerConsumingStrategy}}`;
  }
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new MalformedPatternError(message);
}
