import type { Output } from '../output.js';
import { AsyncRecordEntry, type StreamElementQueue } from './stream-element-queue.js';

/** A watermark waiting behind records. Mutable so consecutive watermarks collapse into one. */
interface WatermarkEntry {
  watermark: number;
}

type Entry<IN, OUT> = AsyncRecordEntry<IN, OUT> | WatermarkEntry;

/** Drop the emitted prefix of the array once it is this long and at least half of the array. */
const COMPACT_AT = 1024;

/**
 * Emits in input order (Flink's `OrderedStreamElementQueue`): only the head may leave, so a
 * completed record waits for every earlier one, and a watermark for every record before it.
 *
 * @example
 * ```ts
 * const queue = new OrderedStreamElementQueue<string, number>();
 * queue.addRecord(entry);
 * entry.results = [1];
 * queue.markCompleted(entry);
 * queue.emitCompleted(output);
 * ```
 */
export class OrderedStreamElementQueue<IN, OUT> implements StreamElementQueue<IN, OUT> {
  recordCount = 0;
  private entries: (Entry<IN, OUT> | undefined)[] = [];
  private head = 0;

  isEmpty(): boolean {
    return this.head === this.entries.length;
  }

  addRecord(entry: AsyncRecordEntry<IN, OUT>): void {
    this.entries.push(entry);
    this.recordCount++;
  }

  addWatermark(watermark: number): void {
    const last = this.isEmpty() ? undefined : this.entries[this.entries.length - 1];
    if (last !== undefined && !(last instanceof AsyncRecordEntry)) last.watermark = watermark;
    else this.entries.push({ watermark });
  }

  markCompleted(): void {
    // Completion changes nothing here: emission always checks the head.
  }

  emitCompleted(output: Output<OUT>): number {
    const entries = this.entries;
    let emitted = 0;
    while (this.head < entries.length) {
      const e = entries[this.head]!;
      if (e instanceof AsyncRecordEntry) {
        const results = e.results;
        if (results === undefined) break;
        // Leave the queue before emitting: downstream may throw, and the entry is gone either way.
        entries[this.head++] = undefined;
        this.recordCount--;
        for (let i = 0; i < results.length; i++) output.collect(results[i]!, e.timestamp);
      } else {
        entries[this.head++] = undefined;
        output.emitWatermark(e.watermark);
      }
      emitted++;
    }
    if (this.head === entries.length) {
      entries.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= entries.length) {
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
    return emitted;
  }

  records(): AsyncRecordEntry<IN, OUT>[] {
    const out: AsyncRecordEntry<IN, OUT>[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e instanceof AsyncRecordEntry) out.push(e);
    }
    return out;
  }
}
