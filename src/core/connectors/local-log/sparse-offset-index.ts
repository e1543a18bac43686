/**
 * A sparse, in-memory map from offset to byte position inside one segment file: one entry every
 * `intervalBytes`, so a seek reads at most about that many bytes before reaching its record. It is
 * rebuilt on open rather than stored, which keeps the on-disk format to segment files and the
 * commit log only.
 *
 * @example
 * ```ts
 * const index = new SparseOffsetIndex(4096);
 * index.add(0, 0);
 * index.add(120, 4100);
 * index.floor(130); // { offset: 120, position: 4100 }
 * ```
 */
export class SparseOffsetIndex {
  private readonly offsets: number[] = [];
  private readonly positions: number[] = [];

  constructor(private readonly intervalBytes: number) {}

  /** Records that the frame of `offset` starts at `position`, if far enough from the last entry. */
  add(offset: number, position: number): void {
    const n = this.offsets.length;
    if (n > 0) {
      if (offset <= this.offsets[n - 1]!) return;
      if (position - this.positions[n - 1]! < this.intervalBytes) return;
    }
    this.offsets.push(offset);
    this.positions.push(position);
  }

  /** The last entry at or before `offset`, or `undefined` when there is none. */
  floor(offset: number): { offset: number; position: number } | undefined {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? undefined : { offset: this.offsets[found]!, position: this.positions[found]! };
  }

  /** Forgets the entries of `offset` and later, after the file was truncated there. */
  truncateFrom(offset: number): void {
    while (this.offsets.length > 0 && this.offsets[this.offsets.length - 1]! >= offset) {
      this.offsets.pop();
      this.positions.pop();
    }
  }

  /** Number of entries (for tests and diagnostics). */
  get size(): number {
    return this.offsets.length;
  }
}
