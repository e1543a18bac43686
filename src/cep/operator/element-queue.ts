import type { ValueState } from '../../core/state/state.js';

/**
 * The events of one key waiting for the watermark (Flink's `elementQueueState`), as two parallel
 * arrays in arrival order: plain data, so it snapshots with the default serializer, and appending
 * an event allocates nothing. Kept in a keyed `ValueState`.
 *
 * @example
 * ```ts
 * const queue: ElementQueue<Event> = { timestamps: [5, 7], events: [a, b] };
 * ```
 */
export interface ElementQueue<T> {
  readonly timestamps: number[];
  readonly events: T[];
}

/**
 * Appends an event to the key's queue kept in `state`; returns `true` when it started a new queue
 * (the caller then sets the key's watermark timer: a non-empty queue always has one pending).
 *
 * @example
 * ```ts
 * if (enqueueElement(this.queue, value, timestamp)) timers.registerEventTimeTimer('', watermark + 1);
 * ```
 */
export function enqueueElement<T>(state: ValueState<ElementQueue<T>>, event: T, timestamp: number): boolean {
  const queue = state.value();
  if (queue !== undefined) {
    // The heap backend hands out the stored object: appending needs no write back.
    queue.timestamps.push(timestamp);
    queue.events.push(event);
    return false;
  }
  state.update({ timestamps: [timestamp], events: [event] });
  return true;
}

/**
 * Takes the queued events at or before `watermark` out of `queue` and hands them to `visit` in
 * timestamp order, ties by `comparator` then arrival; `visitTimestamp` is called once before each
 * distinct timestamp (where the CEP operators advance the NFA's time, as Flink does). Returns
 * whether events remain queued.
 *
 * @example
 * ```ts
 * const remaining = drainElementQueue(queue, watermark, undefined, (ts) => advance(ts), (e, ts) => feed(e, ts));
 * ```
 */
export function drainElementQueue<T>(
  queue: ElementQueue<T>,
  watermark: number,
  comparator: ((a: T, b: T) => number) | undefined,
  visitTimestamp: (timestamp: number) => void,
  visit: (event: T, timestamp: number) => void,
): boolean {
  const { timestamps, events } = queue;
  const n = timestamps.length;
  let sorted = comparator === undefined;
  for (let i = 1; sorted && i < n; i++) if (timestamps[i]! < timestamps[i - 1]!) sorted = false;
  if (sorted) {
    // The usual case (in-order input, no comparator): the due events are a prefix.
    let due = 0;
    while (due < n && timestamps[due]! <= watermark) due++;
    let last = Number.NaN;
    for (let i = 0; i < due; i++) {
      const ts = timestamps[i]!;
      if (ts !== last) {
        visitTimestamp(ts);
        last = ts;
      }
      visit(events[i]!, ts);
    }
    if (due > 0) {
      timestamps.splice(0, due);
      events.splice(0, due);
    }
    return timestamps.length > 0;
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (timestamps[i]! <= watermark) order.push(i);
  order.sort((a, b) => {
    const byTime = timestamps[a]! - timestamps[b]!;
    if (byTime !== 0) return byTime;
    const byComparator = comparator === undefined ? 0 : comparator(events[a]!, events[b]!);
    return byComparator !== 0 ? byComparator : a - b;
  });
  let last = Number.NaN;
  for (const i of order) {
    const ts = timestamps[i]!;
    if (ts !== last) {
      visitTimestamp(ts);
      last = ts;
    }
    visit(events[i]!, ts);
  }
  if (order.length > 0) {
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (timestamps[i]! > watermark) {
        timestamps[kept] = timestamps[i]!;
        events[kept] = events[i]!;
        kept++;
      }
    }
    timestamps.length = kept;
    events.length = kept;
  }
  return timestamps.length > 0;
}
