import { PartitionTransformation, type Transformation } from '../graph/transformation.js';
import { BroadcastPartitioner } from '../runtime/partitioners/broadcast-partitioner.js';
import type { MapStateDescriptor } from '../state/state-descriptor.js';
import type { DataStream } from './data-stream.js';
import type { StreamExecutionEnvironment } from './stream-execution-environment.js';

/**
 * A stream that reaches every parallel instance of the operator it is connected to, together with
 * the broadcast state it may write (Flink's `BroadcastStream`).
 */
export class BroadcastStream<T> {
  readonly transformation: Transformation<T>;

  /** @internal use `stream.broadcast(descriptor)` */
  constructor(
    readonly environment: StreamExecutionEnvironment,
    input: DataStream<T>,
    readonly descriptors: readonly MapStateDescriptor<any, any>[],
  ) {
    const names = new Set<string>();
    for (const d of descriptors) {
      if (names.has(d.name)) throw new Error(`duplicate broadcast state descriptor '${d.name}'`);
      names.add(d.name);
    }
    this.transformation = new PartitionTransformation(
      input.getTransformation(),
      new BroadcastPartitioner<T>(),
    );
  }
}
