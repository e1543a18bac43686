import type { SourceSplit } from '../source.js';

/**
 * A Kafka topic partition read by a {@link KafkaSource}, with its position: what a checkpoint
 * stores. Plain data.
 *
 * @example
 * ```ts
 * const split: KafkaPartitionSplit = { splitId: 'orders/2', topic: 'orders', partition: 2, nextOffset: 120, stopOffset: null };
 * ```
 */
export interface KafkaPartitionSplit extends SourceSplit {
  /** `<topic>/<partition>`. */
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to emit. */
  readonly nextOffset: number;
  /** Bounded mode: the end offset seen at start; `null` for an unbounded read. */
  readonly stopOffset: number | null;
}

/**
 * The split id of a topic partition.
 *
 * @example
 * ```ts
 * kafkaSplitId('orders', 2); // 'orders/2'
 * ```
 */
export function kafkaSplitId(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
