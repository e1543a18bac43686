import { NO_TIMESTAMP } from '../../api/timestamps.js';

// Argument and input checks shared by the time-window assigners (not exported from the barrel).

/**
 * Throws unless every value is a safe integer: window arithmetic is modular, and fractional
 * milliseconds would make window boundaries depend on floating-point rounding.
 *
 * @internal
 */
export function requireIntegers(assigner: string, args: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(args)) {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${assigner}: ${name} must be an integer number of milliseconds, got ${value}`);
    }
  }
}

/**
 * The element's timestamp, or a throw when it has none: an event-time window for a record without
 * timestamp would silently hold everything at the start of time.
 *
 * @internal
 */
export function requireTimestamp(timestamp: number): number {
  if (timestamp === NO_TIMESTAMP) {
    throw new Error(
      "Record has no timestamp. Is the time characteristic set to 'ProcessingTime', or did you forget to call 'assignTimestampsAndWatermarks(...)'?",
    );
  }
  return timestamp;
}

/**
 * Validates a gap returned by a dynamic gap extractor (Flink checks it per element, too).
 *
 * @internal
 */
export function requireDynamicGap(gap: number): number {
  // `!(gap > 0)` also rejects NaN.
  if (!(gap > 0) || !Number.isFinite(gap)) {
    throw new RangeError(`Dynamic gap can not be less than or equal to 0 (nor infinite or NaN), got ${gap}`);
  }
  return gap;
}
