import { deserialize, serialize } from 'node:v8';
import type { KeyGroupRange, NormalizedKey } from '../state/key-groups.js';
import { assignToKeyGroup, normalizeKey } from '../state/key-groups.js';
import type { KeyGroupedSnapshot, Namespace } from '../state/keyed-state-backend.js';
import type { Cancellable, ProcessingTimeService } from './processing-time-service.js';
import type { HeapTimer } from './timer-heap.js';
import { TimerHeap } from './timer-heap.js';

/** A registered timer as handed to {@link Triggerable} (Flink's `InternalTimer`). */
export interface InternalTimer<K> {
  readonly timestamp: number;
  readonly key: K;
  readonly namespace: Namespace;
}

/** The operator whose timers fire; the current key is already set to `timer.key` (Flink's `Triggerable`). */
export interface Triggerable<K> {
  onEventTime(timer: InternalTimer<K>): void;
  onProcessingTime(timer: InternalTimer<K>): void;
}

/** Where the timer service reads the key to register timers for and sets it before firing. */
export interface KeyContext<K> {
  setCurrentKey(key: K): void;
  getCurrentKey(): K;
}

/**
 * Timers of one keyed operator, scoped to the current key and a namespace (Flink's
 * `InternalTimerService`). Window operators use one namespace per window; plain keyed functions use
 * the void namespace through {@link SimpleTimerService}.
 */
export interface InternalTimerService {
  /** The processing-time clock's current time. */
  currentProcessingTime(): number;
  /** The last watermark the operator received (`-Infinity` before the first). */
  currentWatermark(): number;
  /** Registers a timer for the current key; a second registration of the same timer is a no-op. */
  registerEventTimeTimer(namespace: Namespace, time: number): void;
  /** Deletes the current key's timer, if registered. */
  deleteEventTimeTimer(namespace: Namespace, time: number): void;
  /** Registers a processing-time timer for the current key; duplicates are no-ops. */
  registerProcessingTimeTimer(namespace: Namespace, time: number): void;
  /** Deletes the current key's timer, if registered. */
  deleteProcessingTimeTimer(namespace: Namespace, time: number): void;
}

/** What {@link InternalTimerServiceImpl} is built from. */
export interface InternalTimerServiceOptions<K> {
  keyContext: KeyContext<K>;
  triggerable: Triggerable<K>;
  processingTimeService: ProcessingTimeService;
  maxParallelism: number;
  /** The key groups this instance owns; restore keeps only timers of these groups. */
  keyGroupRange: KeyGroupRange;
}

class TimerEntry<K> implements InternalTimer<K>, HeapTimer {
  heapIndex = -1;
  /** Another timer of the same key and timestamp in a different namespace (rare). */
  sibling: TimerEntry<K> | undefined;

  constructor(
    readonly timestamp: number,
    readonly key: K,
    readonly namespace: Namespace,
    readonly seq: number,
    /** The key as the dedup index stores it. */
    readonly normalizedKey: NormalizedKey,
  ) {}
}

/**
 * A timer heap with a dedup index (Flink's `HeapPriorityQueueSet`). The index is key ->
 * timestamp -> entry (a chain of siblings for several namespaces at one timestamp), so checking
 * for a duplicate costs two map lookups and allocates nothing: registrations are per record.
 */
class TimerQueue<K> {
  readonly heap = new TimerHeap<TimerEntry<K>>();
  private readonly byKey = new Map<NormalizedKey, Map<number, TimerEntry<K>>>();

  /** Adds a timer; returns it, or `undefined` if the same timer was already registered. */
  add(key: K, namespace: Namespace, timestamp: number, seq: number): TimerEntry<K> | undefined {
    const nk = normalizeKey(key);
    let byTime = this.byKey.get(nk);
    if (byTime === undefined) {
      byTime = new Map();
      this.byKey.set(nk, byTime);
    }
    const first = byTime.get(timestamp);
    for (let e = first; e !== undefined; e = e.sibling) if (e.namespace === namespace) return undefined;
    const entry = new TimerEntry(timestamp, key, namespace, seq, nk);
    entry.sibling = first;
    byTime.set(timestamp, entry);
    this.heap.add(entry);
    return entry;
  }

  remove(key: K, namespace: Namespace, timestamp: number): boolean {
    const nk = normalizeKey(key);
    const byTime = this.byKey.get(nk);
    let e = byTime?.get(timestamp);
    while (e !== undefined && e.namespace !== namespace) e = e.sibling;
    if (e === undefined) return false;
    this.unindex(e);
    this.heap.remove(e);
    return true;
  }

  peek(): TimerEntry<K> | undefined {
    return this.heap.peek();
  }

  poll(): TimerEntry<K> | undefined {
    const entry = this.heap.poll();
    if (entry !== undefined) this.unindex(entry);
    return entry;
  }

  get size(): number {
    return this.heap.size;
  }

  clear(): void {
    this.heap.clear();
    this.byKey.clear();
  }

  private unindex(entry: TimerEntry<K>): void {
    const byTime = this.byKey.get(entry.normalizedKey)!;
    const first = byTime.get(entry.timestamp)!;
    if (first === entry) {
      if (entry.sibling === undefined) byTime.delete(entry.timestamp);
      else byTime.set(entry.timestamp, entry.sibling);
    } else {
      let prev = first;
      while (prev.sibling !== entry) prev = prev.sibling!;
      prev.sibling = entry.sibling;
    }
    entry.sibling = undefined;
    // A key without timers costs nothing.
    if (byTime.size === 0) this.byKey.delete(entry.normalizedKey);
  }
}

/**
 * One timer in a snapshot: `[timestamp, key, namespace, seq]`. The registration sequence number
 * keeps the firing order of timers with equal timestamps identical after a restore.
 */
type SnapshotTimer = [timestamp: number, key: unknown, namespace: Namespace, seq: number];

/** What one key group's bytes hold. */
interface KeyGroupTimers {
  /** Format version, for later changes. */
  v: 1;
  event: SnapshotTimer[];
  processing: SnapshotTimer[];
}

function inFiringOrder(a: HeapTimer, b: HeapTimer): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

function validateTime(time: number): void {
  // NaN would break the heap order; infinities are fine (+Infinity fires on MAX_WATERMARK).
  if (Number.isNaN(time)) throw new Error('timer timestamp must be a number, got NaN');
}

/**
 * Event-time and processing-time timers of a keyed operator instance (Flink's
 * `InternalTimerServiceImpl`). A timer is `(timestamp, key, namespace)`; registering the same timer
 * twice keeps one. Event-time timers fire from {@link advanceWatermark} in timestamp order (ties in
 * registration order); processing-time timers fire when the {@link ProcessingTimeService} reaches
 * them, and only the earliest is registered with the service at any time.
 *
 * Before each timer fires the key context's current key is set to the timer's key. Timers that the
 * triggerable registers while firing fire in the same round if they are already due.
 *
 * @example
 * ```ts
 * const timers = new InternalTimerServiceImpl<string>({
 *   keyContext: backend, triggerable: operator, processingTimeService,
 *   maxParallelism: 128, keyGroupRange: KeyGroupRange.forOperatorIndex(128, 1, 0),
 * });
 * backend.setCurrentKey('user-1');
 * timers.registerEventTimeTimer(VOID_NAMESPACE, 1_000);
 * timers.advanceWatermark(1_000); // operator.onEventTime({ timestamp: 1000, key: 'user-1', namespace: '' })
 * ```
 */
export class InternalTimerServiceImpl<K> implements InternalTimerService {
  private readonly keyContext: KeyContext<K>;
  private readonly triggerable: Triggerable<K>;
  private readonly processingTimeService: ProcessingTimeService;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;

  private readonly eventTimeTimers = new TimerQueue<K>();
  private readonly processingTimeTimers = new TimerQueue<K>();
  private watermark = Number.NEGATIVE_INFINITY;
  /** Registration counter: the tie-breaker for timers with the same timestamp. */
  private seq = 0;

  /** True while timers fire; the processing-time schedule is then only fixed once firing ends. */
  private firing = false;
  private disposed = false;
  /** The service timer for the earliest processing-time timer, if any. */
  private nextTimer: Cancellable | null = null;
  private scheduledAt = Number.POSITIVE_INFINITY;
  /** Bumped on every schedule and fire, to detect a service that calls back synchronously. */
  private scheduleToken = 0;
  /** Created once: the service callback must not be a fresh closure per registration. */
  private readonly onProcessingTimeCallback = (time: number): void => this.onProcessingTime(time);

  constructor(options: InternalTimerServiceOptions<K>) {
    this.keyContext = options.keyContext;
    this.triggerable = options.triggerable;
    this.processingTimeService = options.processingTimeService;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
  }

  /** The processing-time service's current time. */
  currentProcessingTime(): number {
    return this.processingTimeService.getCurrentProcessingTime();
  }

  /** The last watermark passed to {@link advanceWatermark} (`-Infinity` before the first). */
  currentWatermark(): number {
    return this.watermark;
  }

  /**
   * Registers an event-time timer for the current key. A timer at or below the current watermark
   * fires on the next {@link advanceWatermark}, as in Flink.
   */
  registerEventTimeTimer(namespace: Namespace, time: number): void {
    validateTime(time);
    this.eventTimeTimers.add(this.keyContext.getCurrentKey(), namespace, time, this.seq++);
  }

  /** Deletes the current key's event-time timer at `time` in `namespace`, if registered. */
  deleteEventTimeTimer(namespace: Namespace, time: number): void {
    this.eventTimeTimers.remove(this.keyContext.getCurrentKey(), namespace, time);
  }

  /**
   * Registers a processing-time timer for the current key; the service is asked to call back only
   * when this timer is the new earliest one.
   */
  registerProcessingTimeTimer(namespace: Namespace, time: number): void {
    validateTime(time);
    const added = this.processingTimeTimers.add(this.keyContext.getCurrentKey(), namespace, time, this.seq++);
    if (added !== undefined && added === this.processingTimeTimers.peek()) this.scheduleProcessingTimer();
  }

  /** Deletes a processing-time timer; a service timer left for it finds nothing due and reschedules. */
  deleteProcessingTimeTimer(namespace: Namespace, time: number): void {
    this.processingTimeTimers.remove(this.keyContext.getCurrentKey(), namespace, time);
  }

  /**
   * Sets the watermark and fires every event-time timer at or below it, in timestamp order,
   * including timers registered meanwhile that are already due.
   */
  advanceWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
    const bound = this.watermark;
    const queue = this.eventTimeTimers;
    const wasFiring = this.firing;
    this.firing = true;
    try {
      let timer = queue.peek();
      while (timer !== undefined && timer.timestamp <= bound && !this.disposed) {
        queue.poll();
        this.keyContext.setCurrentKey(timer.key);
        this.triggerable.onEventTime(timer);
        timer = queue.peek();
      }
    } finally {
      this.firing = wasFiring;
      if (!wasFiring) this.scheduleProcessingTimer();
    }
  }

  /**
   * Sets the watermark without firing anything: used on restore, where the restored clock was
   * already reached before the snapshot, so timers still pending fire on the next advance.
   */
  initializeWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
  }

  /** Number of registered event-time timers (all keys and namespaces). */
  numEventTimeTimers(): number {
    return this.eventTimeTimers.size;
  }

  /** Number of registered processing-time timers (all keys and namespaces). */
  numProcessingTimeTimers(): number {
    return this.processingTimeTimers.size;
  }

  /**
   * All timers, grouped by the key group of their key, so a restore at another parallelism can pick
   * its groups. Within a group timers are stored in firing order, which restore preserves.
   */
  snapshot(): KeyGroupedSnapshot {
    const groups = new Map<number, KeyGroupTimers>();
    const group = (key: unknown): KeyGroupTimers => {
      const keyGroup = assignToKeyGroup(key, this.maxParallelism);
      let g = groups.get(keyGroup);
      if (g === undefined) {
        g = { v: 1, event: [], processing: [] };
        groups.set(keyGroup, g);
      }
      return g;
    };
    for (const t of [...this.eventTimeTimers.heap.elements()].sort(inFiringOrder)) {
      group(t.key).event.push([t.timestamp, t.key, t.namespace, t.seq]);
    }
    for (const t of [...this.processingTimeTimers.heap.elements()].sort(inFiringOrder)) {
      group(t.key).processing.push([t.timestamp, t.key, t.namespace, t.seq]);
    }
    return {
      maxParallelism: this.maxParallelism,
      groups: [...groups.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([keyGroup, timers]) => [keyGroup, new Uint8Array(serialize(timers))] as const),
    };
  }

  /**
   * Adds the timers of the key groups in this instance's range from snapshots of any number of
   * former instances, and schedules the earliest processing-time timer. Call before processing.
   */
  restore(snapshots: readonly KeyGroupedSnapshot[]): void {
    const event: SnapshotTimer[] = [];
    const processing: SnapshotTimer[] = [];
    for (const snapshot of snapshots) {
      if (snapshot.maxParallelism !== this.maxParallelism) {
        throw new Error(
          `Cannot restore timers written with maxParallelism ${snapshot.maxParallelism} into maxParallelism ${this.maxParallelism}`,
        );
      }
      for (const [keyGroup, bytes] of snapshot.groups) {
        if (!this.keyGroupRange.contains(keyGroup)) continue;
        const timers = deserialize(bytes) as KeyGroupTimers;
        if (timers.v !== 1) throw new Error(`Unknown timer snapshot format version ${String(timers.v)}`);
        event.push(...timers.event);
        processing.push(...timers.processing);
      }
    }
    // Re-register in the original firing order, keeping the original sequence numbers.
    const byFiringOrder = (a: SnapshotTimer, b: SnapshotTimer) => a[0] - b[0] || a[3] - b[3];
    for (const [timestamp, key, namespace, seq] of event.sort(byFiringOrder)) {
      this.eventTimeTimers.add(key as K, namespace, timestamp, seq);
      if (seq >= this.seq) this.seq = seq + 1;
    }
    for (const [timestamp, key, namespace, seq] of processing.sort(byFiringOrder)) {
      this.processingTimeTimers.add(key as K, namespace, timestamp, seq);
      if (seq >= this.seq) this.seq = seq + 1;
    }
    this.scheduleProcessingTimer();
  }

  /** Cancels the pending service timer and drops all timers; nothing fires afterwards. */
  dispose(): void {
    this.disposed = true;
    this.nextTimer?.cancel();
    this.nextTimer = null;
    this.eventTimeTimers.clear();
    this.processingTimeTimers.clear();
  }

  /** Makes sure the service will call back by the earliest processing-time timer. */
  private scheduleProcessingTimer(): void {
    if (this.firing || this.disposed) return;
    const head = this.processingTimeTimers.peek();
    if (head === undefined) return;
    if (this.nextTimer !== null && this.scheduledAt <= head.timestamp) return;
    this.nextTimer?.cancel();
    this.nextTimer = null;
    const token = ++this.scheduleToken;
    this.scheduledAt = head.timestamp;
    const cancellable = this.processingTimeService.registerTimer(
      head.timestamp,
      this.onProcessingTimeCallback,
    );
    // If the service already called back (time already reached), that call handled the schedule.
    if (token === this.scheduleToken) this.nextTimer = cancellable;
  }

  private onProcessingTime(time: number): void {
    this.nextTimer = null;
    this.scheduledAt = Number.POSITIVE_INFINITY;
    this.scheduleToken++;
    if (this.disposed) return;
    // Called back while event-time timers fire (a synchronous service): the due timers fire when
    // that round ends, through the reschedule in its `finally`, so keys are never interleaved.
    if (this.firing) return;
    const queue = this.processingTimeTimers;
    // Everything due by now fires in this round, not only what was due at `time`.
    const bound = Math.max(time, this.processingTimeService.getCurrentProcessingTime());
    this.firing = true;
    try {
      let timer = queue.peek();
      while (timer !== undefined && timer.timestamp <= bound && !this.disposed) {
        queue.poll();
        this.keyContext.setCurrentKey(timer.key);
        this.triggerable.onProcessingTime(timer);
        timer = queue.peek();
      }
    } finally {
      this.firing = false;
      this.scheduleProcessingTimer();
    }
  }
}
