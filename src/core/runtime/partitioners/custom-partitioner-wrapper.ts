import type { KeySelector, Partitioner } from '../../api/functions.js';
import { StreamPartitioner } from './stream-partitioner.js';

/** A user partitioner over a key (`partitionCustom`). */
export class CustomPartitionerWrapper<T, K> extends StreamPartitioner<T> {
  readonly pointwise = false;
  readonly name = 'CUSTOM';

  constructor(
    readonly partitioner: Partitioner<K>,
    readonly keySelector: KeySelector<T, K>,
  ) {
    super();
  }

  selectChannel(value: T): number {
    const c = this.partitioner(this.keySelector(value), this.numberOfChannels);
    if (!Number.isInteger(c) || c < 0 || c >= this.numberOfChannels) {
      throw new RangeError(
        `custom partitioner returned ${c}, expected an integer in [0, ${this.numberOfChannels})`,
      );
    }
    return c;
  }

  copy(): CustomPartitionerWrapper<T, K> {
    return new CustomPartitionerWrapper(this.partitioner, this.keySelector);
  }
}
