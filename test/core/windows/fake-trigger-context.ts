import { HeapKeyedStateBackend } from '../../../src/core/state/heap-keyed-state-backend.js';
import { isMergingState } from '../../../src/core/state/internal-merging-state.js';
import { KeyGroupRange } from '../../../src/core/state/key-groups.js';
import type { Namespace } from '../../../src/core/state/keyed-state-backend.js';
import type { State } from '../../../src/core/state/state.js';
import type { StateDescriptor } from '../../../src/core/state/state-descriptor.js';
import type { OnMergeContext, Trigger, TriggerResult } from '../../../src/core/windows/trigger.js';
import type { Window } from '../../../src/core/windows/window.js';

/** A timer that fired while time advanced, with what the trigger answered. */
export interface FiredTimer<W extends Window> {
  readonly time: number;
  readonly window: W;
  readonly result: TriggerResult;
}

interface PendingTimer<W extends Window> {
  readonly window: W;
  readonly time: number;
  readonly seq: number;
}

/**
 * A trigger context for one key, as the window operator provides it: timers per (window, time)
 * (registering twice keeps one), per-window trigger state in a real heap backend, merging through
 * `mergeNamespaces`. `advanceWatermark` / `advanceProcessingTime` fire due timers in time order
 * (ties in registration order), as the timer service does.
 */
export class FakeTriggerContext<W extends Window> implements OnMergeContext {
  readonly backend = new HeapKeyedStateBackend<string>({
    maxParallelism: 128,
    keyGroupRange: KeyGroupRange.forOperatorIndex(128, 1, 0),
    clock: { now: () => this.processingTime },
  });
  watermark = Number.NEGATIVE_INFINITY;
  processingTime = 0;
  /** The window the context points at, as the operator sets it before each trigger call. */
  window: W;
  /** The windows being merged during `onMerge`. */
  mergedWindows: W[] = [];
  private readonly eventTimers = new Map<string, PendingTimer<W>>();
  private readonly processingTimers = new Map<string, PendingTimer<W>>();
  private seq = 0;

  constructor(window: W, key = 'the-key') {
    this.window = window;
    this.backend.setCurrentKey(key);
  }

  // TriggerContext / OnMergeContext

  getCurrentProcessingTime(): number {
    return this.processingTime;
  }

  getCurrentWatermark(): number {
    return this.watermark;
  }

  registerEventTimeTimer(time: number): void {
    register(this.eventTimers, this.window, time, this.seq++);
  }

  registerProcessingTimeTimer(time: number): void {
    register(this.processingTimers, this.window, time, this.seq++);
  }

  deleteEventTimeTimer(time: number): void {
    this.eventTimers.delete(timerKey(this.window.namespace(), time));
  }

  deleteProcessingTimeTimer(time: number): void {
    this.processingTimers.delete(timerKey(this.window.namespace(), time));
  }

  getPartitionedState<S extends State>(descriptor: StateDescriptor<S, any>): S {
    const state = this.backend.getOrCreateKeyedState(descriptor);
    state.setCurrentNamespace(this.window.namespace());
    return state;
  }

  mergePartitionedState<S extends State>(descriptor: StateDescriptor<S, any>): void {
    if (this.mergedWindows.length === 0) return;
    const state = this.backend.getOrCreateKeyedState(descriptor);
    if (!isMergingState(state)) throw new Error(`state '${descriptor.name}' cannot be merged`);
    state.mergeNamespaces(
      this.window.namespace(),
      this.mergedWindows.map((w) => w.namespace()),
    );
  }

  // Driving a trigger

  /** `trigger.onElement` for `window` (default: the current window). */
  element<T>(trigger: Trigger<T, W>, element: T, timestamp: number, window: W = this.window): TriggerResult {
    this.window = window;
    return trigger.onElement(element, timestamp, window, this);
  }

  /** `trigger.clear` for `window` (default: the current window). */
  clear(trigger: Trigger<any, W>, window: W = this.window): void {
    this.window = window;
    trigger.clear(window, this);
  }

  /**
   * Merges `merged` into `result` as the window operator does: `onMerge` on the result, then
   * `clear` on each merged window.
   */
  merge(trigger: Trigger<any, W>, result: W, merged: W[]): void {
    this.window = result;
    this.mergedWindows = merged;
    try {
      trigger.onMerge(result, this);
    } finally {
      this.mergedWindows = [];
    }
    for (const m of merged) this.clear(trigger, m);
    this.window = result;
  }

  /** Moves the watermark to `watermark`, firing every due event-time timer (also new ones). */
  advanceWatermark(trigger: Trigger<any, W>, watermark: number): FiredTimer<W>[] {
    this.watermark = watermark;
    return fireDue(this.eventTimers, watermark, (t) => {
      this.window = t.window;
      return trigger.onEventTime(t.time, t.window, this);
    });
  }

  /** Moves the clock to `time`, firing every due processing-time timer (also new ones). */
  advanceProcessingTime(trigger: Trigger<any, W>, time: number): FiredTimer<W>[] {
    const fired = fireDue(this.processingTimers, time, (t) => {
      // The clock reads the timer's time while it fires, as with a real timer service.
      this.processingTime = Math.max(this.processingTime, t.time);
      this.window = t.window;
      return trigger.onProcessingTime(t.time, t.window, this);
    });
    this.processingTime = Math.max(this.processingTime, time);
    return fired;
  }

  // Inspection

  /** Pending event-time timers of `window` (default: the current one), sorted. */
  eventTimersOf(window: W = this.window): number[] {
    return timesOf(this.eventTimers, window.namespace());
  }

  /** Pending processing-time timers of `window` (default: the current one), sorted. */
  processingTimersOf(window: W = this.window): number[] {
    return timesOf(this.processingTimers, window.namespace());
  }

  /** Number of pending timers of both kinds in all windows. */
  numTimers(): number {
    return this.eventTimers.size + this.processingTimers.size;
  }

  /** Number of state entries held (all states, namespaces and keys). */
  numStateEntries(): number {
    return this.backend.numEntries();
  }
}

function timerKey(ns: Namespace, time: number): string {
  return `${String(ns)}@${time}`;
}

function register<W extends Window>(
  timers: Map<string, PendingTimer<W>>,
  window: W,
  time: number,
  seq: number,
): void {
  const key = timerKey(window.namespace(), time);
  if (!timers.has(key)) timers.set(key, { window, time, seq });
}

function timesOf<W extends Window>(timers: Map<string, PendingTimer<W>>, ns: Namespace): number[] {
  return [...timers.values()]
    .filter((t) => t.window.namespace() === ns)
    .map((t) => t.time)
    .sort((a, b) => a - b);
}

function fireDue<W extends Window>(
  timers: Map<string, PendingTimer<W>>,
  upTo: number,
  fire: (t: PendingTimer<W>) => TriggerResult,
): FiredTimer<W>[] {
  const fired: FiredTimer<W>[] = [];
  for (;;) {
    let next: [string, PendingTimer<W>] | undefined;
    for (const entry of timers) {
      const t = entry[1];
      if (t.time > upTo) continue;
      if (!next || t.time < next[1].time || (t.time === next[1].time && t.seq < next[1].seq)) next = entry;
    }
    if (!next) return fired;
    timers.delete(next[0]);
    const t = next[1];
    fired.push({ time: t.time, window: t.window, result: fire(t) });
  }
}
