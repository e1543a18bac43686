import {
  type Collector,
  type DataStream,
  type KeyedProcessContext,
  KeyedProcessFunction,
  StateTtlConfig,
  type ValueState,
  ValueStateDescriptor,
} from '../core/index.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';

/**
 * Options of {@link EventDeduplicator} and of `RulePipeline.route`'s `dedupe`.
 *
 * @example
 * ```ts
 * const options: DedupeOptions = { windowMs: 24 * 3_600_000, onDuplicate: () => counter.inc() };
 * ```
 */
export interface DedupeOptions {
  /**
   * How long an id is remembered, in processing time from the first event that carried it
   * (keyed-state TTL on the job's clock). 0 or less turns deduplication off.
   */
  readonly windowMs: number;
  /** Called for every dropped duplicate (a metric); again for duplicates replayed after a restore. */
  readonly onDuplicate?: (event: RuleEvent) => void;
  /** The event-time field, the key of events without an id (default `'ts'`). */
  readonly timestampField?: string;
}

/** The uid of the dedup operator (its seen-ids state in checkpoints and changelogs). */
export const EVENT_DEDUP_UID = 'event-dedup';

/** An event's id when it has one: a non-empty string `id`, else undefined (not deduplicated). */
export function eventIdOf(event: RuleEvent): string | undefined {
  const id = event.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

const seenDesc = (windowMs: number): ValueStateDescriptor<true> =>
  new ValueStateDescriptor<true>('event-dedup-seen').enableTimeToLive(
    // OnCreateAndWrite (the default): a duplicate does not extend the window, which counts
    // from the first delivery. Expired ids are dropped incrementally and from every snapshot.
    StateTtlConfig.newBuilder(windowMs).build(),
  );

/**
 * Drops events whose `id` was seen within the window (Kafka Streams' / Flink's dedup pattern):
 * keyed by event id, a `ValueState<true>` per id with a processing-time TTL of the window. The
 * seen ids are keyed state, so they are checkpointed together with the input positions and the
 * outputs of the same checkpoint (changelogged per task in Kafka mode): after a crash, the events
 * replayed since the checkpoint are decided again against the ids as they were at it, and an
 * event resent by a client after a lost response is dropped whether its first copy was
 * processed before or after the checkpoint. Events without an id (see {@link eventIdOf}) pass
 * without touching state. Stateless between keys: the first copy wins, order is kept.
 *
 * Processing time, not event time: the window is the client's retry horizon, which a resend does
 * not move in event time (the copy carries the first one's timestamp), and an event-time TTL
 * would need the watermark at this stage and a timer per id.
 *
 * @example
 * ```ts
 * const unique = events
 *   .keyBy(dedupeKeyOf())
 *   .process(new EventDeduplicator({ windowMs: 86_400_000 }))
 *   .uid(EVENT_DEDUP_UID);
 * ```
 */
export class EventDeduplicator extends KeyedProcessFunction<string | number, RuleEvent, RuleEvent> {
  private seen!: ValueState<true>;
  private readonly windowMs: number;
  private readonly onDuplicate: ((event: RuleEvent) => void) | undefined;

  constructor(options: DedupeOptions) {
    super();
    if (!(options.windowMs > 0)) throw new Error(`dedup window must be positive, got ${options.windowMs}`);
    this.windowMs = options.windowMs;
    this.onDuplicate = options.onDuplicate;
  }

  override open(): void {
    this.seen = this.getRuntimeContext().getState(seenDesc(this.windowMs));
  }

  processElement(
    event: RuleEvent,
    _ctx: KeyedProcessContext<string | number>,
    out: Collector<RuleEvent>,
  ): void {
    if (eventIdOf(event) === undefined) {
      out.collect(event);
      return;
    }
    if (this.seen.value() === true) {
      this.onDuplicate?.(event);
      return;
    }
    this.seen.update(true);
    out.collect(event);
  }
}

/**
 * The key of {@link EventDeduplicator}'s input: the event id, or, for events without one, their
 * timestamp (only spreads them over subtasks; they never touch state).
 *
 * @example
 * ```ts
 * events.keyBy(dedupeKeyOf('ts'));
 * ```
 */
export function dedupeKeyOf(timestampField = DEFAULT_TIMESTAMP_FIELD): (e: RuleEvent) => string | number {
  return (e) => eventIdOf(e) ?? (e[timestampField] as number);
}

/**
 * `events` without the duplicates {@link EventDeduplicator} drops, or `events` itself when
 * `windowMs` is 0 or less. The operator's uid is {@link EVENT_DEDUP_UID}.
 *
 * @example
 * ```ts
 * const unique = dedupeEvents(events, { windowMs: 86_400_000 });
 * ```
 */
export function dedupeEvents(events: DataStream<RuleEvent>, options: DedupeOptions): DataStream<RuleEvent> {
  if (!(options.windowMs > 0)) return events;
  return events
    .keyBy(dedupeKeyOf(options.timestampField))
    .process(new EventDeduplicator(options))
    .name('EventDeduplicator')
    .uid(EVENT_DEDUP_UID);
}
