import type { Output } from '../output.js';

/**
 * One record inside an async operator's queue: its input (kept for snapshots and replay) and,
 * once the request completed, its results. The async operator's per-request handler extends it,
 * so a request costs one object.
 */
export class AsyncRecordEntry<IN, OUT> {
  /** Set when the request completed; the entry may still wait for its turn to be emitted. */
  results: readonly OUT[] | undefined = undefined;
  /** @internal the unordered queue's segment holding this entry. */
  segment: unknown = undefined;

  constructor(
    readonly input: IN,
    readonly timestamp: number,
  ) {}
}

/**
 * The buffer of an async I/O operator (Flink's `StreamElementQueue`): the records whose requests
 * are in flight or completed but not yet emitted, and the watermarks between them. It decides what
 * may be emitted when; the operator decides when to add (capacity) and drives emission.
 */
export interface StreamElementQueue<IN, OUT> {
  /** Records in the queue, pending or completed; what the capacity bounds. */
  readonly recordCount: number;
  /** No records and no watermarks are waiting. */
  isEmpty(): boolean;
  addRecord(entry: AsyncRecordEntry<IN, OUT>): void;
  addWatermark(watermark: number): void;
  /** Tells the queue that `entry.results` was just set. */
  markCompleted(entry: AsyncRecordEntry<IN, OUT>): void;
  /** Emits every record and watermark that may go out now; returns how many elements it emitted. */
  emitCompleted(output: Output<OUT>): number;
  /** The records still in the queue, in an order that is valid to replay them in. */
  records(): AsyncRecordEntry<IN, OUT>[];
}
