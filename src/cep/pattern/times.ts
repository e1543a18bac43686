import { MalformedPatternError } from './malformed-pattern-error.js';

/**
 * How many times a `times` or looping stage must occur (Flink's `Quantifier.Times`): at least
 * `from`, at most `to`. For a looping stage (`oneOrMore`, `timesOrMore`) only `from` matters and
 * `to` equals it, as in Flink.
 *
 * @example
 * ```ts
 * Times.of(2, 4); // { from: 2, to: 4 }
 * Times.of(3);    // { from: 3, to: 3 }
 * ```
 */
export class Times {
  private constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  /**
   * Exactly `from` times, or between `from` and `to` times; `from` must be a positive integer and
   * `to` an integer not smaller than `from`.
   *
   * @example
   * ```ts
   * const t = Times.of(1, 3);
   * ```
   */
  static of(from: number, to: number = from): Times {
    if (!Number.isInteger(from) || from <= 0) {
      throw new MalformedPatternError(`The from should be a positive integer greater than 0, got ${from}.`);
    }
    if (!Number.isInteger(to) || to < from) {
      throw new MalformedPatternError(
        `The to should be an integer greater than or equal to from: ${from}, got ${to}.`,
      );
    }
    return new Times(from, to);
  }

  /** The minimum number of occurrences. @example `Times.of(2, 4).getFrom() // 2` */
  getFrom(): number {
    return this.from;
  }

  /** The maximum number of occurrences. @example `Times.of(2, 4).getTo() // 4` */
  getTo(): number {
    return this.to;
  }

  /** Same bounds. @example `Times.of(2).equals(Times.of(2, 2)) // true` */
  equals(other: Times | undefined): boolean {
    return other !== undefined && other.from === this.from && other.to === this.to;
  }

  /** @example `String(Times.of(1, 3)) // 'Times{from=1, to=3}'` */
  toString(): string {
    return `Times{from=${this.from}, to=${this.to}}`;
  }
}
