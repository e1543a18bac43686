/**
 * A Dewey decimal number (Flink's `DeweyNumber`): the version of a partial match. Every branch of the
 * NFA (a TAKE next to an IGNORE, several TAKEs) increases the last digit; entering a new stage
 * appends a digit. `a.isCompatibleWith(b)` says that `a` descends from `b`: a run with version `a`
 * may use a shared-buffer edge written with version `b`.
 *
 * Immutable; the digits are plain numbers so a version serializes as an array.
 *
 * @example
 * ```ts
 * const v = DeweyNumber.of(1).addStage().increase(); // 1.1
 * v.isCompatibleWith(DeweyNumber.of(1));              // true
 * String(v);                                          // '1.1'
 * ```
 */
export class DeweyNumber {
  private constructor(private readonly digits: readonly number[]) {}

  /** A one-digit version. @example `DeweyNumber.of(3) // 3` */
  static of(start: number): DeweyNumber {
    return new DeweyNumber([start]);
  }

  /** From its digits (as stored by {@link toArray}). @example `DeweyNumber.fromArray([1, 0, 2]) // 1.0.2` */
  static fromArray(digits: readonly number[]): DeweyNumber {
    if (digits.length === 0 || digits.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`Invalid Dewey number digits: [${digits.join(', ')}]`);
    }
    return new DeweyNumber([...digits]);
  }

  /** Parses `'1.0.2'`. @example `DeweyNumber.fromString('1.2').length() // 2` */
  static fromString(text: string): DeweyNumber {
    return DeweyNumber.fromArray(text.split('.').map(Number));
  }

  /** The same version with the last digit increased by `times`. @example `DeweyNumber.of(1).increase(2) // 3` */
  increase(times = 1): DeweyNumber {
    if (times === 0) return this;
    const next = [...this.digits];
    next[next.length - 1]! += times;
    return new DeweyNumber(next);
  }

  /** The same version with a new stage digit `0` appended. @example `DeweyNumber.of(1).addStage() // 1.0` */
  addStage(): DeweyNumber {
    return new DeweyNumber([...this.digits, 0]);
  }

  /**
   * Whether this version descends from `other`: `other` is a proper prefix of it, or both have the
   * same length, the same digits but the last, and this last digit is not smaller.
   *
   * @example
   * ```ts
   * DeweyNumber.fromString('1.1.2').isCompatibleWith(DeweyNumber.fromString('1.1')); // true
   * DeweyNumber.fromString('1.2').isCompatibleWith(DeweyNumber.fromString('1.3'));   // false
   * ```
   */
  isCompatibleWith(other: DeweyNumber): boolean {
    const a = this.digits;
    const b = other.digits;
    if (a.length > b.length) {
      for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
      return true;
    }
    if (a.length === b.length) {
      const last = a.length - 1;
      for (let i = 0; i < last; i++) if (a[i] !== b[i]) return false;
      return a[last]! >= b[last]!;
    }
    return false;
  }

  /** The number of digits. @example `DeweyNumber.fromString('1.0').length() // 2` */
  length(): number {
    return this.digits.length;
  }

  /** The digit at `index`. @example `DeweyNumber.fromString('1.4').getRun(1) // 4` */
  getRun(index: number): number {
    return this.digits[index]!;
  }

  /** The digits, for serialization. @example `DeweyNumber.fromString('1.4').toArray() // [1, 4]` */
  toArray(): number[] {
    return [...this.digits];
  }

  /** Same digits. @example `DeweyNumber.of(1).equals(DeweyNumber.fromArray([1])) // true` */
  equals(other: DeweyNumber): boolean {
    return this.digits.length === other.digits.length && this.digits.every((d, i) => d === other.digits[i]);
  }

  /** @example `String(DeweyNumber.fromArray([1, 0])) // '1.0'` */
  toString(): string {
    return this.digits.join('.');
  }
}
