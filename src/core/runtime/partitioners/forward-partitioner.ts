import { StreamPartitioner } from './stream-partitioner.js';

/** Instance i of the upstream feeds instance i of the downstream; chained when possible. */
export class ForwardPartitioner<T> extends StreamPartitioner<T> {
  readonly pointwise = true;
  readonly name = 'FORWARD';

  selectChannel(): number {
    return 0;
  }

  copy(): ForwardPartitioner<T> {
    return new ForwardPartitioner<T>();
  }
}
