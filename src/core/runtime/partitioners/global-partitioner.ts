import { StreamPartitioner } from './stream-partitioner.js';

/** Everything to downstream instance 0 (watermarks still reach all instances). */
export class GlobalPartitioner<T> extends StreamPartitioner<T> {
  readonly pointwise = false;
  readonly name = 'GLOBAL';

  selectChannel(): number {
    return 0;
  }

  copy(): GlobalPartitioner<T> {
    return new GlobalPartitioner<T>();
  }
}
