import type {
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkOutput,
} from '../../../time/watermark-generator.js';
import { WatermarkStrategy } from '../../../time/watermark-strategy.js';

/**
 * What a partition task knows about its input partition's backlog.
 *
 * @example
 * ```ts
 * const backlog: PartitionBacklog = { caughtUpSince: (t) => context.caughtUpSince(t) };
 * ```
 */
export interface PartitionBacklog {
  /**
   * Whether an end-offset probe of the partition sent at or after processing time `since` found
   * every record below that end fetched, and none of them is still waiting to be processed.
   */
  caughtUpSince(since: number): boolean;
}

/** Options of {@link backlogAwareIdleness}. */
export interface BacklogAwareIdlenessOptions {
  /** Quiet (no event) for this long, and caught up with the partition's end: idle. */
  readonly idleTimeoutMs: number;
  /**
   * After waking from idleness, the watermark stays where it was for this long (default 0): the
   * other partitions' tasks that the same write woke up get the time to say they are active
   * again before this one moves event time on without them.
   */
  readonly wakeHoldMs?: number;
}

/**
 * Idleness of a Kafka partition task that cannot make data late: the task's output counts as
 * idle (left out of downstream event time, as Flink's `withIdleness`) only when no event arrived
 * for `idleTimeoutMs` of processing time AND the task has read its partition to the end: an
 * end-offset probe sent after the quiet began found nothing unread, nothing buffered. A partition
 * with a backlog (a slow task, a paused fetch, a task that is catching up after a restart) is
 * never idle, however long its task has not seen an event, so its events are not overtaken by the
 * other partitions' event time. An idle output becomes active at its next event, or when a probe
 * finds records to read.
 *
 * Events that arrive at an idle partition with event times behind the other partitions' are late
 * (nothing can wait for data that does not exist yet); `wakeHoldMs` narrows that for writers that
 * wake several partitions at once.
 *
 * @example
 * ```ts
 * backlogAwareIdleness(strategy, { caughtUpSince: (t) => ctx.caughtUpSince(t) }, { idleTimeoutMs: 5000 });
 * ```
 */
export function backlogAwareIdleness<T>(
  strategy: WatermarkStrategy<T>,
  backlog: PartitionBacklog,
  options: BacklogAwareIdlenessOptions,
): WatermarkStrategy<T> {
  if (!(options.idleTimeoutMs > 0)) {
    throw new Error(`idleTimeoutMs must be > 0, got ${options.idleTimeoutMs}`);
  }
  const wrapped = WatermarkStrategy.forGenerator<T>(
    (ctx) =>
      new BacklogAwareIdlenessGenerator<T>(
        strategy.createWatermarkGenerator(ctx),
        backlog,
        ctx,
        options.idleTimeoutMs,
        options.wakeHoldMs ?? 0,
      ),
  );
  return strategy.hasTimestampAssigner()
    ? wrapped.withTimestampAssigner(strategy.createTimestampAssigner())
    : wrapped;
}

/** The generator of {@link backlogAwareIdleness}. @internal */
export class BacklogAwareIdlenessGenerator<T> implements WatermarkGenerator<T> {
  private activity = false;
  /** Processing time of the first periodic emit that found no event; NaN while events come. */
  private quietSince = Number.NaN;
  private idle = false;
  /** After a wake-up: processing time until which the watermark is held. */
  private holdUntil = Number.NEGATIVE_INFINITY;
  private woke = false;

  constructor(
    private readonly inner: WatermarkGenerator<T>,
    private readonly backlog: PartitionBacklog,
    private readonly clock: WatermarkGeneratorContext,
    private readonly idleTimeoutMs: number,
    private readonly wakeHoldMs: number,
  ) {}

  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void {
    this.activity = true;
    if (this.idle) this.wake(output);
    this.inner.onEvent(event, eventTimestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    const now = this.clock.currentProcessingTime();
    if (this.activity) {
      this.activity = false;
      this.quietSince = Number.NaN;
    } else if (Number.isNaN(this.quietSince)) {
      this.quietSince = now;
    }
    const quiet = !Number.isNaN(this.quietSince) && now - this.quietSince >= this.idleTimeoutMs;
    const idleNow = quiet && this.backlog.caughtUpSince(this.quietSince);
    if (idleNow) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
      return; // the wrapped generator would emit a watermark, which reactivates the output
    }
    if (this.idle) this.wake(output); // records to read, though no event yet
    if (this.woke) {
      if (now < this.holdUntil) return;
      this.woke = false;
    }
    this.inner.onPeriodicEmit(output);
  }

  /** Whether the output is marked idle now (tests, status). */
  isIdle(): boolean {
    return this.idle;
  }

  private wake(output: WatermarkOutput): void {
    this.idle = false;
    this.quietSince = Number.NaN;
    output.markActive();
    if (this.wakeHoldMs > 0) {
      this.woke = true;
      this.holdUntil = this.clock.currentProcessingTime() + this.wakeHoldMs;
    }
  }
}
