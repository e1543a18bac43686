import { murmurHashBytes } from '../../state/key-groups.js';

/**
 * How a {@link LocalLogSink} picks the partition of a record:
 * - `'key-hash'` (default): murmur3 of the key bytes modulo the partition count, as Kafka's default
 *   partitioner does, so equal keys land in one partition in order; records without a key go round
 *   robin;
 * - `'round-robin'`: partitions in turn, each writer starting at its own subtask index;
 * - a function of the record, its key bytes (or `null`) and the partition count.
 *
 * @example
 * ```ts
 * new LocalLogSink({ log, topic: 'alerts', key: (a) => a.account, partitioner: 'key-hash' });
 * new LocalLogSink({ log, topic: 'alerts', partitioner: (a, _key, n) => a.priority % n });
 * ```
 */
export type LocalLogPartitioner<T> =
  | 'key-hash'
  | 'round-robin'
  | ((value: T, key: Buffer | null, partitions: number) => number);

/**
 * The per-writer partition chooser for a {@link LocalLogPartitioner}.
 *
 * @example
 * ```ts
 * const choose = partitionChooser<Alert>('key-hash', 4, subtaskIndex);
 * choose(alert, Buffer.from('acct-7')); // always the same partition for 'acct-7'
 * ```
 */
export function partitionChooser<T>(
  partitioner: LocalLogPartitioner<T>,
  partitions: number,
  subtaskIndex: number,
): (value: T, key: Buffer | null) => number {
  let next = subtaskIndex % partitions;
  const roundRobin = (): number => {
    const p = next;
    next = (next + 1) % partitions;
    return p;
  };
  if (partitioner === 'round-robin') return roundRobin;
  if (partitioner === 'key-hash') {
    return (_value, key) => (key === null ? roundRobin() : murmurHashBytes(key) % partitions);
  }
  return (value, key) => {
    const p = partitioner(value, key, partitions);
    if (!Number.isInteger(p) || p < 0 || p >= partitions) {
      throw new RangeError(`partitioner returned ${p}, not a partition in 0..${partitions - 1}`);
    }
    return p;
  };
}
