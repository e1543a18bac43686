import type { KeySelector } from '../../api/functions.js';
import { assignKeyToParallelOperator } from '../../state/key-groups.js';
import { StreamPartitioner } from './stream-partitioner.js';

/** Sends each record to the instance that owns its key's key group (`keyBy`). */
export class KeyGroupStreamPartitioner<T, K> extends StreamPartitioner<T> {
  readonly pointwise = false;
  readonly name = 'HASH';

  constructor(
    readonly keySelector: KeySelector<T, K>,
    public maxParallelism: number,
  ) {
    super();
  }

  selectChannel(value: T): number {
    return assignKeyToParallelOperator(this.keySelector(value), this.maxParallelism, this.numberOfChannels);
  }

  copy(): KeyGroupStreamPartitioner<T, K> {
    return new KeyGroupStreamPartitioner(this.keySelector, this.maxParallelism);
  }
}
