import {
  AbstractStreamOperator,
  type DataStream,
  type KeyedStream,
  type OneInputStreamOperator,
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
 * const options: DedupeOptions = { windowMs: 24 * 3_600_000, maxIds: 1_000_000, onDuplicate: () => counter.inc() };
 * ```
 */
export interface DedupeOptions {
  /**
   * How long an id is remembered, in processing time from the first event that carried it
   * (keyed-state TTL on the job's clock). 0 or less turns deduplication off.
   */
  readonly windowMs: number;
  /**
   * At most this many ids remembered per subtask (default {@link DEFAULT_DEDUP_MAX_IDS}): past it
   * the oldest are forgotten before their window ends, so memory and checkpoints stay bounded
   * whatever the rate of new ids.
   */
  readonly maxIds?: number;
  /** Called for every dropped duplicate (a metric); again for duplicates replayed after a restore. */
  readonly onDuplicate?: (event: RuleEvent) => void;
  /** Called for every id forgotten before its window ended because of `maxIds` (a metric). */
  readonly onEvicted?: () => void;
  /** The event-time field, the key of events without an id (default `'ts'`). */
  readonly timestampField?: string;
}

/** The default of {@link DedupeOptions.maxIds}: about 150-200 MB of heap when full. */
export const DEFAULT_DEDUP_MAX_IDS = 1_000_000;

/** The uid of the dedup operator (its seen-ids state in checkpoints and changelogs). */
export const EVENT_DEDUP_UID = 'event-dedup';

/** An event's id when it has one: a non-empty string `id`, else undefined (not deduplicated). */
export function eventIdOf(event: RuleEvent): string | undefined {
  const id = event.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * The processing time an id was first seen (`true` in checkpoints written before `maxIds`: an
 * unknown time, taken as the oldest).
 */
type SeenAt = number | true;

const seenDesc = (windowMs: number): ValueStateDescriptor<SeenAt> =>
  new ValueStateDescriptor<SeenAt>('event-dedup-seen').enableTimeToLive(
    // OnCreateAndWrite (the default): a duplicate does not extend the window, which counts
    // from the first delivery. Expired ids are dropped incrementally and from every snapshot.
    StateTtlConfig.newBuilder(windowMs).build(),
  );

/**
 * Drops events whose `id` was seen within the window (Kafka Streams' / Flink's dedup pattern):
 * keyed by event id, a `ValueState` per id (when it was first seen) with a processing-time TTL of
 * the window. The seen ids are keyed state, so they are checkpointed together with the input
 * positions and the outputs of the same checkpoint (changelogged per task in Kafka mode): after a
 * crash, the events replayed since the checkpoint are decided again against the ids as they were
 * at it, and an event resent by a client after a lost response is dropped whether its first copy
 * was processed before or after the checkpoint. Events without an id (see {@link eventIdOf}) pass
 * without touching state. Stateless between keys: the first copy wins, order is kept.
 *
 * Bounded: at most `maxIds` ids per subtask. The ids in first-seen order are kept in memory
 * (rebuilt from the state on restore); a new id past the bound forgets the oldest one, counted
 * through `onEvicted`. With a window of hours and a high rate of new ids, the effective window is
 * then shorter than configured, which the count shows.
 *
 * Processing time, not event time: the window is the client's retry horizon, which a resend does
 * not move in event time (the copy carries the first one's timestamp), and an event-time TTL
 * would need the watermark at this stage and a timer per id.
 *
 * @example
 * ```ts
 * const unique = dedupeEvents(events, { windowMs: 86_400_000, maxIds: 1_000_000 });
 * ```
 */
export class EventDeduplicator
  extends AbstractStreamOperator<RuleEvent>
  implements OneInputStreamOperator<RuleEvent, RuleEvent>
{
  private seen!: ValueState<SeenAt>;
  private readonly windowMs: number;
  private readonly maxIds: number;
  private readonly onDuplicate: ((event: RuleEvent) => void) | undefined;
  private readonly onEvicted: (() => void) | undefined;
  /** Remembered ids in first-seen order from `head` on, with the time each was remembered at. */
  private orderIds: string[] = [];
  private orderAt: SeenAt[] = [];
  private head = 0;

  constructor(options: DedupeOptions) {
    super();
    if (!(options.windowMs > 0)) throw new Error(`dedup window must be positive, got ${options.windowMs}`);
    const maxIds = options.maxIds ?? DEFAULT_DEDUP_MAX_IDS;
    if (!(maxIds >= 1)) throw new Error(`dedup maxIds must be at least 1, got ${maxIds}`);
    this.windowMs = options.windowMs;
    this.maxIds = maxIds;
    this.onDuplicate = options.onDuplicate;
    this.onEvicted = options.onEvicted;
  }

  override open(): void | Promise<void> {
    const desc = seenDesc(this.windowMs);
    const backend = this.keyedBackend!;
    this.seen = backend.getOrCreateKeyedState(desc);
    // The first-seen order, from the restored state (ids of the same time in the order walked).
    const restored: [string, SeenAt][] = [];
    backend.applyToAllKeys(
      '',
      desc,
      (key, state) => {
        const at = state.value();
        if (at !== undefined && typeof key === 'string') restored.push([key, at]);
      },
      true,
    );
    restored.sort((a, b) => rank(a[1]) - rank(b[1]));
    this.orderIds = restored.map((r) => r[0]);
    this.orderAt = restored.map((r) => r[1]);
    this.head = 0;
    while (this.orderIds.length - this.head > this.maxIds) this.forgetOldest();
    return super.open();
  }

  processElement(event: RuleEvent, timestamp: number): void {
    const id = eventIdOf(event);
    if (id === undefined) {
      this.output.collect(event, timestamp);
      return;
    }
    const backend = this.keyedBackend!;
    backend.setCurrentKey(id);
    if (this.seen.value() !== undefined) {
      this.onDuplicate?.(event);
    } else {
      const now = this.params.processingTimeService.getCurrentProcessingTime();
      this.seen.update(now);
      this.orderIds.push(id);
      this.orderAt.push(now);
      if (this.orderIds.length - this.head > this.maxIds) this.forgetOldest();
      this.output.collect(event, timestamp);
    }
    backend.onRecordProcessed();
  }

  /** Forgets the oldest remembered id (counted when its window had not ended yet). */
  private forgetOldest(): void {
    const id = this.orderIds[this.head]!;
    const at = this.orderAt[this.head]!;
    this.head++;
    this.keyedBackend!.setCurrentKey(id);
    // The same id may have expired and been remembered again since: only this entry goes.
    const current = this.seen.value();
    if (current !== undefined && current === at) {
      this.seen.clear();
      this.onEvicted?.();
    }
    if (this.head > 1024 && this.head * 2 > this.orderIds.length) {
      this.orderIds = this.orderIds.slice(this.head);
      this.orderAt = this.orderAt.slice(this.head);
      this.head = 0;
    }
  }
}

/** Sort rank of a first-seen time: unknown (`true`) first. */
function rank(at: SeenAt): number {
  return at === true ? Number.NEGATIVE_INFINITY : at;
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
  const keyed: KeyedStream<RuleEvent, string | number> = events.keyBy(dedupeKeyOf(options.timestampField));
  return keyed
    .keyedTransform('EventDeduplicator', () => new EventDeduplicator(options))
    .name('EventDeduplicator')
    .uid(EVENT_DEDUP_UID);
}
