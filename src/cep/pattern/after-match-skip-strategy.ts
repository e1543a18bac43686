import { MalformedPatternError } from './malformed-pattern-error.js';

/**
 * The kinds of {@link AfterMatchSkipStrategy} (Flink's `AfterMatchSkipStrategy.SkipStrategy` plus
 * `SKIP_TO_NEXT`).
 *
 * @example
 * ```ts
 * AfterMatchSkipStrategy.skipPastLastEvent().kind; // SkipStrategyKind.SKIP_PAST_LAST_EVENT
 * ```
 */
export enum SkipStrategyKind {
  NO_SKIP = 'NO_SKIP',
  SKIP_TO_NEXT = 'SKIP_TO_NEXT',
  SKIP_PAST_LAST_EVENT = 'SKIP_PAST_LAST_EVENT',
  SKIP_TO_FIRST = 'SKIP_TO_FIRST',
  SKIP_TO_LAST = 'SKIP_TO_LAST',
}

/**
 * The plain data of a skip strategy, as stored in checkpoints and rule definitions.
 *
 * @example
 * ```ts
 * const data: AfterMatchSkipStrategyData = { kind: SkipStrategyKind.SKIP_TO_FIRST, patternName: 'b', throwOnMiss: true };
 * ```
 */
export interface AfterMatchSkipStrategyData {
  readonly kind: SkipStrategyKind;
  readonly patternName?: string | undefined;
  readonly throwOnMiss?: boolean | undefined;
}

/**
 * Which partial matches are discarded after a match is emitted (Flink's `AfterMatchSkipStrategy`).
 * Set with `Pattern.begin(name, strategy)`; the NFA applies it to every completed match, including
 * matches completed by time (a trailing `notFollowedBy` … `within`), unlike Flink (FLINK-31017).
 *
 * Semantics, for a match `m` (Flink's CEP documentation), with `b+ c` over `b1 b2 b3 c`:
 * - `noSkip()`: nothing is discarded; every match is emitted (`b1 b2 b3 c`, `b2 b3 c`, `b3 c`).
 * - `skipToNext()`: discards the partial matches that started with the same event as `m`
 *   (`b1 b2 b3 c`, `b2 b3 c`, `b3 c`: no other match started at `b1`).
 * - `skipPastLastEvent()`: discards every partial match that started after `m` started and
 *   before `m` ended (`b1 b2 b3 c` only).
 * - `skipToFirst(name)`: discards the partial matches that started after `m` started but before
 *   the first event of stage `name` in `m` (`skipToFirst('b')`: all three matches).
 * - `skipToLast(name)`: the same, up to the last event of stage `name` in `m` (`skipToLast('b')`:
 *   `b1 b2 b3 c`, `b3 c`).
 *
 * When the named stage has no event in `m` (an optional stage, say), `skipToFirst`/`skipToLast`
 * fall back to no skip, unless {@link SkipToElementStrategy.throwExceptionOnMiss} was called: then
 * the NFA throws. With `throwExceptionOnMiss`, skipping to the first event of the match itself (which
 * would loop forever in Flink) throws too ("Could not skip to first element of a match."). A named
 * stage must exist in the pattern ({@link validatePattern} checks it).
 *
 * Instances are immutable data objects: `kind`, `patternName`, `throwOnMiss`.
 *
 * @example
 * ```ts
 * const pattern = Pattern.begin<Event>('a', AfterMatchSkipStrategy.skipToLast('b').throwExceptionOnMiss())
 *   .followedBy('b').oneOrMore()
 *   .followedBy('c');
 * ```
 */
export abstract class AfterMatchSkipStrategy implements AfterMatchSkipStrategyData {
  abstract readonly kind: SkipStrategyKind;
  /** The stage `skipToFirst`/`skipToLast` refer to; `undefined` for the others. */
  readonly patternName: string | undefined = undefined;
  /** Whether a named stage without events in the match is an error rather than a fallback to no skip. */
  readonly throwOnMiss: boolean = false;

  /** Emit every match. @example `AfterMatchSkipStrategy.noSkip()` */
  static noSkip(): NoSkipStrategy {
    return NO_SKIP;
  }

  /** Discard partial matches starting with the match's first event. @example `AfterMatchSkipStrategy.skipToNext()` */
  static skipToNext(): SkipToNextStrategy {
    return SKIP_TO_NEXT;
  }

  /** Discard partial matches started inside the match. @example `AfterMatchSkipStrategy.skipPastLastEvent()` */
  static skipPastLastEvent(): SkipPastLastStrategy {
    return SKIP_PAST_LAST;
  }

  /** Discard partial matches started before the first event of `patternName`. @example `AfterMatchSkipStrategy.skipToFirst('b')` */
  static skipToFirst(patternName: string): SkipToFirstStrategy {
    return new SkipToFirstStrategy(patternName, false);
  }

  /** Discard partial matches started before the last event of `patternName`. @example `AfterMatchSkipStrategy.skipToLast('b')` */
  static skipToLast(patternName: string): SkipToLastStrategy {
    return new SkipToLastStrategy(patternName, false);
  }

  /**
   * Rebuilds a strategy from its data (a checkpoint, a rule definition).
   *
   * @example
   * ```ts
   * AfterMatchSkipStrategy.fromData(JSON.parse(JSON.stringify(AfterMatchSkipStrategy.skipToFirst('b'))));
   * ```
   */
  static fromData(data: AfterMatchSkipStrategyData): AfterMatchSkipStrategy {
    switch (data.kind) {
      case SkipStrategyKind.NO_SKIP:
        return NO_SKIP;
      case SkipStrategyKind.SKIP_TO_NEXT:
        return SKIP_TO_NEXT;
      case SkipStrategyKind.SKIP_PAST_LAST_EVENT:
        return SKIP_PAST_LAST;
      case SkipStrategyKind.SKIP_TO_FIRST:
        return new SkipToFirstStrategy(data.patternName as string, data.throwOnMiss === true);
      case SkipStrategyKind.SKIP_TO_LAST:
        return new SkipToLastStrategy(data.patternName as string, data.throwOnMiss === true);
      default:
        throw new MalformedPatternError(`Unknown after-match skip strategy: ${String(data.kind)}`);
    }
  }

  /** Whether it discards anything (all but `noSkip`). @example `AfterMatchSkipStrategy.noSkip().isSkipStrategy() // false` */
  isSkipStrategy(): boolean {
    return this.kind !== SkipStrategyKind.NO_SKIP;
  }

  /** The named stage, if any. @example `AfterMatchSkipStrategy.skipToFirst('b').getPatternName() // 'b'` */
  getPatternName(): string | undefined {
    return this.patternName;
  }

  /** Same kind, stage and miss handling. @example `AfterMatchSkipStrategy.skipToLast('b').equals(AfterMatchSkipStrategy.skipToLast('b')) // true` */
  equals(other: AfterMatchSkipStrategyData): boolean {
    return (
      this.kind === other.kind &&
      this.patternName === other.patternName &&
      this.throwOnMiss === (other.throwOnMiss === true)
    );
  }

  /** The data, for JSON. @example `JSON.stringify(AfterMatchSkipStrategy.noSkip()) // '{"kind":"NO_SKIP"}'` */
  toJSON(): AfterMatchSkipStrategyData {
    return this.patternName === undefined
      ? { kind: this.kind }
      : { kind: this.kind, patternName: this.patternName, throwOnMiss: this.throwOnMiss };
  }

  /** @example `String(AfterMatchSkipStrategy.skipToFirst('b')) // 'SKIP_TO_FIRST(b)'` */
  toString(): string {
    if (this.patternName === undefined) return this.kind;
    return `${this.kind}(${this.patternName}${this.throwOnMiss ? ', throwOnMiss' : ''})`;
  }
}

/** {@link AfterMatchSkipStrategy.noSkip}. @example `AfterMatchSkipStrategy.noSkip() instanceof NoSkipStrategy // true` */
export class NoSkipStrategy extends AfterMatchSkipStrategy {
  readonly kind = SkipStrategyKind.NO_SKIP;
}

/** {@link AfterMatchSkipStrategy.skipToNext}. @example `AfterMatchSkipStrategy.skipToNext()` */
export class SkipToNextStrategy extends AfterMatchSkipStrategy {
  readonly kind = SkipStrategyKind.SKIP_TO_NEXT;
}

/** {@link AfterMatchSkipStrategy.skipPastLastEvent}. @example `AfterMatchSkipStrategy.skipPastLastEvent()` */
export class SkipPastLastStrategy extends AfterMatchSkipStrategy {
  readonly kind = SkipStrategyKind.SKIP_PAST_LAST_EVENT;
}

/**
 * Base of the strategies naming a stage (Flink's `SkipToElementStrategy`).
 *
 * @example
 * ```ts
 * const s: SkipToElementStrategy = AfterMatchSkipStrategy.skipToFirst('b');
 * ```
 */
export abstract class SkipToElementStrategy extends AfterMatchSkipStrategy {
  override readonly patternName: string;
  override readonly throwOnMiss: boolean;

  protected constructor(patternName: string, throwOnMiss: boolean) {
    super();
    if (typeof patternName !== 'string' || patternName.trim() === '') {
      throw new MalformedPatternError('The pattern name of a skip-to strategy must be a non-empty string.');
    }
    this.patternName = patternName;
    this.throwOnMiss = throwOnMiss;
  }

  /**
   * The same strategy, but a match without events for the named stage makes the NFA throw instead
   * of falling back to no skip.
   *
   * @example
   * ```ts
   * AfterMatchSkipStrategy.skipToFirst('b').throwExceptionOnMiss();
   * ```
   */
  abstract throwExceptionOnMiss(): SkipToElementStrategy;
}

/** {@link AfterMatchSkipStrategy.skipToFirst}. @example `AfterMatchSkipStrategy.skipToFirst('b')` */
export class SkipToFirstStrategy extends SkipToElementStrategy {
  readonly kind = SkipStrategyKind.SKIP_TO_FIRST;

  constructor(patternName: string, throwOnMiss = false) {
    super(patternName, throwOnMiss);
    Object.freeze(this);
  }

  throwExceptionOnMiss(): SkipToFirstStrategy {
    return new SkipToFirstStrategy(this.patternName, true);
  }
}

/** {@link AfterMatchSkipStrategy.skipToLast}. @example `AfterMatchSkipStrategy.skipToLast('b')` */
export class SkipToLastStrategy extends SkipToElementStrategy {
  readonly kind = SkipStrategyKind.SKIP_TO_LAST;

  constructor(patternName: string, throwOnMiss = false) {
    super(patternName, throwOnMiss);
    Object.freeze(this);
  }

  throwExceptionOnMiss(): SkipToLastStrategy {
    return new SkipToLastStrategy(this.patternName, true);
  }
}

const NO_SKIP = Object.freeze(new NoSkipStrategy());
const SKIP_TO_NEXT = Object.freeze(new SkipToNextStrategy());
const SKIP_PAST_LAST = Object.freeze(new SkipPastLastStrategy());
