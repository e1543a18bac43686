import { BoundedOutOfOrdernessWatermarks } from './bounded-out-of-orderness-watermarks.js';

/**
 * Periodic generator for timestamps that never go back (Flink's `AscendingTimestampsWatermarks`):
 * bounded out-of-orderness of zero, so the watermark is `maxTimestamp - 1`. An event with the same
 * timestamp as the previous one is still on time.
 */
export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() {
    super(0);
  }
}
