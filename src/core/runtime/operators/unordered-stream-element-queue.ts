import type { Output } from '../output.js';
import type { AsyncRecordEntry, StreamElementQueue } from './stream-element-queue.js';

/**
 * The records between two watermarks, or one watermark. Records of a segment leave in completion
 * order, but only once every earlier segment is gone.
 */
class Segment<IN, OUT> {
  readonly pending = new Set<AsyncRecordEntry<IN, OUT>>();
  readonly completed: AsyncRecordEntry<IN, OUT>[] = [];

  /** `undefined` for a record segment. */
  constructor(public watermark: number | undefined) {}
}

/**
 * Emits records as their requests complete, but never across a watermark (Flink's
 * `UnorderedStreamElementQueue`): watermarks cut the queue into segments, a watermark leaves when
 * every record before it did, and records after it wait for it. So event time downstream stays
 * correct: no record becomes late because of the reordering.
 *
 * @example
 * ```ts
 * const queue = new UnorderedStreamElementQueue<string, number>();
 * queue.addRecord(a);
 * queue.addWatermark(100);
 * queue.addRecord(b);
 * b.results = [2];
 * queue.markCompleted(b); // b waits: a is before the watermark and still pending
 * ```
 */
export class UnorderedStreamElementQueue<IN, OUT> implements StreamElementQueue<IN, OUT> {
  recordCount = 0;
  private segments: Segment<IN, OUT>[] = [];
  private head = 0;

  isEmpty(): boolean {
    return this.head === this.segments.length;
  }

  addRecord(entry: AsyncRecordEntry<IN, OUT>): void {
    let last = this.isEmpty() ? undefined : this.segments[this.segments.length - 1]!;
    if (last === undefined || last.watermark !== undefined) {
      last = new Segment<IN, OUT>(undefined);
      this.segments.push(last);
    }
    entry.segment = last;
    last.pending.add(entry);
    this.recordCount++;
  }

  addWatermark(watermark: number): void {
    const last = this.isEmpty() ? undefined : this.segments[this.segments.length - 1]!;
    if (last !== undefined && last.watermark !== undefined) last.watermark = watermark;
    else this.segments.push(new Segment<IN, OUT>(watermark));
  }

  markCompleted(entry: AsyncRecordEntry<IN, OUT>): void {
    const segment = entry.segment as Segment<IN, OUT>;
    if (segment.pending.delete(entry)) segment.completed.push(entry);
  }

  emitCompleted(output: Output<OUT>): number {
    const segments = this.segments;
    let emitted = 0;
    while (this.head < segments.length) {
      const s = segments[this.head]!;
      if (s.watermark !== undefined) {
        segments[this.head++] = undefined!;
        output.emitWatermark(s.watermark);
        emitted++;
        continue;
      }
      const completed = s.completed;
      for (let i = 0; i < completed.length; i++) {
        const e = completed[i]!;
        this.recordCount--;
        e.segment = undefined;
        const results = e.results!;
        for (let j = 0; j < results.length; j++) output.collect(results[j]!, e.timestamp);
        emitted++;
      }
      completed.length = 0;
      if (s.pending.size > 0) break;
      segments[this.head++] = undefined!;
    }
    if (this.head === segments.length) {
      segments.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= segments.length) {
      this.segments = segments.slice(this.head);
      this.head = 0;
    }
    return emitted;
  }

  records(): AsyncRecordEntry<IN, OUT>[] {
    const out: AsyncRecordEntry<IN, OUT>[] = [];
    for (let i = this.head; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      out.push(...s.completed, ...s.pending);
    }
    return out;
  }
}
