import { maxRecordsPerPoll, type ReaderOptions } from '../reader-options.js';
import {
  Boundedness,
  type Source,
  type SourceReaderContext,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from '../source.js';
import { StaticSplitEnumerator } from '../static-split-enumerator.js';
import type { LocalLog } from './local-log.js';
import type { DeadLetterHandler, DeadLetterTopic } from './local-log-dead-letter.js';
import { LocalLogSourceReader } from './local-log-source-reader.js';
import { type LocalLogSplit, localLogSplitId } from './local-log-split.js';
import { jsonValue, type LogRecord } from './log-record.js';

/**
 * Where a {@link LocalLogSource} starts reading each partition when the job does not restore a
 * checkpoint (a restored job always resumes at the checkpointed positions):
 * - `'earliest'` (default): offset 0;
 * - `'latest'`: the committed end at job start (only records committed later);
 * - `{ offsets, otherwise }`: the given next offset per partition (e.g. offsets a previous consumer
 *   committed with its output), `otherwise` (default `'earliest'`) for partitions not listed.
 *
 * @example
 * ```ts
 * const resume = log.lastCommit('orders-pipeline')?.extra as { offsets: Record<number, number> };
 * new LocalLogSource({ log, topic: 'orders', startingOffsets: { offsets: resume.offsets } });
 * ```
 */
export type LocalLogStartingOffsets =
  | 'earliest'
  | 'latest'
  | {
      readonly offsets: Readonly<Record<number, number>>;
      readonly otherwise?: 'earliest' | 'latest';
    };

/** Options of {@link LocalLogSource}. */
export interface LocalLogSourceOptions<T> extends ReaderOptions {
  /** The log to read (writable or `LocalLog.openReadOnly`; the source does not close it). */
  readonly log: LocalLog;
  /** The topic to read (all its partitions). */
  readonly topic: string;
  /** Default `'earliest'`. */
  readonly startingOffsets?: LocalLogStartingOffsets;
  /**
   * `'continuous'` (default): read forever, waiting for new commits. `'bounded'`: stop at the
   * committed end each partition had when the job started, then end the job's input.
   */
  readonly mode?: 'bounded' | 'continuous';
  /** Record -> value (default: the value parsed as JSON, see `jsonValue`). Throw to reject a record. */
  readonly deserializer?: (record: LogRecord) => T;
  /** Receives records the deserializer rejected; they are skipped. */
  readonly onDeadLetter?: DeadLetterHandler;
  /** Writes records the deserializer rejected to a topic (at-least-once); they are skipped. */
  readonly deadLetterTopic?: DeadLetterTopic;
}

/**
 * A FLIP-27 source over a topic of a {@link LocalLog} (the embedded mode's Kafka source): one
 * split per partition, assigned round robin (partition `p` to subtask `p % parallelism`), the
 * split's position (next offset) kept in the checkpoint by the source operator, so a restored job
 * resumes exactly after the last record the checkpoint covered. Only committed records are read
 * (read-committed).
 *
 * Bounded mode ends each partition at the committed end seen when the job started; continuous mode
 * waits for new commits without polling in a loop (the log's commit events, or a slow poll of the
 * commit log for a read-only log of another process). Records are parsed as JSON by default and
 * carry the log timestamp as their own timestamp; records that cannot be decoded go to the dead-letter
 * handler or topic with the reason, and reading goes on (without either, they fail the job).
 *
 * @example
 * ```ts
 * const log = await LocalLog.open('data/log');
 * const orders = env.fromSource(
 *   new LocalLogSource<Order>({ log, topic: 'orders', mode: 'bounded', onDeadLetter: (d) => console.warn(d.reason) }),
 *   WatermarkStrategy.noWatermarks(),
 *   'orders',
 * );
 * ```
 */
export class LocalLogSource<T> implements Source<T, LocalLogSplit, LocalLogSplit[]> {
  private readonly maxRecordsPerPoll: number;

  constructor(private readonly options: LocalLogSourceOptions<T>) {
    this.maxRecordsPerPoll = maxRecordsPerPoll(options);
    const start = options.startingOffsets;
    if (typeof start === 'object') {
      for (const [p, offset] of Object.entries(start.offsets)) {
        if (!Number.isSafeInteger(offset) || offset < 0) {
          throw new RangeError(
            `starting offset of partition ${p} must be a non-negative integer, got ${offset}`,
          );
        }
      }
    }
  }

  getBoundedness(): Boundedness {
    return this.options.mode === 'bounded' ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
  }

  /** The splits of a fresh start: every partition at its starting offset (and, bounded, its stop offset). */
  initialSplits(): LocalLogSplit[] {
    const { log, topic } = this.options;
    const bounded = this.options.mode === 'bounded';
    const splits: LocalLogSplit[] = [];
    const partitions = log.partitions(topic);
    for (let p = 0; p < partitions; p++) {
      const end = log.committedEnd(topic, p);
      splits.push({
        splitId: localLogSplitId(topic, p),
        topic,
        partition: p,
        nextOffset: this.startOffset(p, end),
        stopOffset: bounded ? end : null,
      });
    }
    return splits;
  }

  createEnumerator(
    context: SplitEnumeratorContext<LocalLogSplit>,
  ): SplitEnumerator<LocalLogSplit, LocalLogSplit[]> {
    return new StaticSplitEnumerator(context, this.initialSplits(), { assignment: 'round-robin' });
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<LocalLogSplit>,
    state: LocalLogSplit[],
  ): SplitEnumerator<LocalLogSplit, LocalLogSplit[]> {
    return new StaticSplitEnumerator(context, state, { assignment: 'round-robin' });
  }

  createReader(context: SourceReaderContext): LocalLogSourceReader<T> {
    return new LocalLogSourceReader<T>(context, {
      log: this.options.log,
      deserializer: this.options.deserializer ?? ((record: LogRecord) => jsonValue<T>(record)),
      maxRecordsPerPoll: this.maxRecordsPerPoll,
      onDeadLetter: this.options.onDeadLetter,
      deadLetterTopic: this.options.deadLetterTopic,
      sourceTopic: this.options.topic,
    });
  }

  private startOffset(partition: number, committedEnd: number): number {
    const start = this.options.startingOffsets ?? 'earliest';
    if (start === 'earliest') return 0;
    if (start === 'latest') return committedEnd;
    const given = start.offsets[partition];
    if (given !== undefined) return given;
    return (start.otherwise ?? 'earliest') === 'latest' ? committedEnd : 0;
  }
}
