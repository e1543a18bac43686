import { StreamPartitioner } from './stream-partitioner.js';

/** Every record to every downstream instance. */
export class BroadcastPartitioner<T> extends StreamPartitioner<T> {
  readonly pointwise = false;
  override readonly broadcast = true;
  readonly name = 'BROADCAST';

  selectChannel(): number {
    throw new Error('a broadcast partitioner does not select channels');
  }

  copy(): BroadcastPartitioner<T> {
    return new BroadcastPartitioner<T>();
  }
}
