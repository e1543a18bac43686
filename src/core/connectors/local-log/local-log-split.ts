import type { SourceSplit } from '../source.js';

/**
 * One partition of a topic read by a {@link LocalLogSource}, with its read position: what the
 * source operator stores in a checkpoint. Plain data.
 *
 * @example
 * ```ts
 * const split: LocalLogSplit = { splitId: 'orders/2', topic: 'orders', partition: 2, nextOffset: 120, stopOffset: null };
 * ```
 */
export interface LocalLogSplit extends SourceSplit {
  /** `<topic>/<partition>`. */
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to emit. */
  readonly nextOffset: number;
  /** Bounded mode: the split ends before this offset (the committed end seen at start); `null`: never ends. */
  readonly stopOffset: number | null;
}

/**
 * The split id of a partition.
 *
 * @example
 * ```ts
 * localLogSplitId('orders', 2); // 'orders/2'
 * ```
 */
export function localLogSplitId(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
