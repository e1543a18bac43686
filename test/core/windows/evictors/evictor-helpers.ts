import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import type { EvictorContext, TimestampedValue } from '../../../../src/core/windows/evictor.js';

/** Elements with the given timestamps, valued by their position. */
export function stamped(...timestamps: number[]): TimestampedValue<number>[] {
  return timestamps.map((timestamp, value) => ({ value, timestamp }));
}

/** Elements without timestamps. */
export function unstamped<T>(...values: T[]): TimestampedValue<T>[] {
  return values.map((value) => ({ value, timestamp: NO_TIMESTAMP }));
}

export const values = <T>(elements: readonly TimestampedValue<T>[]): T[] => elements.map((e) => e.value);

export const evictorCtx: EvictorContext = {
  getCurrentProcessingTime: () => 0,
  getCurrentWatermark: () => Number.NEGATIVE_INFINITY,
};
