import type { OutputTag } from '../api/output-tag.js';

/**
 * Where an operator sends what it produces: the next operator of its chain (a direct call), an
 * exchange (a bounded queue per channel), or several of these. Records travel as a value and a
 * timestamp (`NO_TIMESTAMP` when there is none) so the hot path allocates nothing per record.
 */
export interface Output<T> {
  collect(value: T, timestamp: number): void;
  /** Emits to a side output; records for tags nobody consumes are dropped. */
  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void;
  emitWatermark(watermark: number): void;
  /** Idle inputs are left out of the downstream minimum watermark (Flink's WatermarkStatus). */
  emitWatermarkStatus(idle: boolean): void;
}
