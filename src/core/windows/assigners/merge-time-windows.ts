import type { TimeWindow } from '../window.js';
import type { MergeCallback } from '../window-assigner.js';

/**
 * Merges overlapping or touching time windows (Flink's `TimeWindow.mergeWindows`): sorts them by
 * start, folds each run of intersecting windows into their cover, and calls `callback` once per
 * run of more than one window, with the run's windows (in start order) and the cover.
 *
 * Unlike Flink, which collects a run into a `HashSet`, equal windows are not collapsed: a new
 * window equal to one already present is reported as a merge of the two, so the caller keeps the
 * state of the existing one instead of replacing it.
 *
 * @example
 * ```ts
 * mergeTimeWindows([new TimeWindow(0, 10), new TimeWindow(5, 15), new TimeWindow(20, 30)], (merged, into) => {
 *   // merged: [0,10) and [5,15); into: [0,15). [20,30) stays alone: no callback.
 * });
 * ```
 */
export function mergeTimeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
  if (windows.length < 2) return;
  // Array.prototype.sort is stable, as Java's Collections.sort: equal starts keep their order.
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  let cover = sorted[0]!;
  let run: TimeWindow[] = [cover];
  const flush = (): void => {
    if (run.length > 1) callback(run, cover);
  };
  for (let i = 1; i < sorted.length; i++) {
    const candidate = sorted[i]!;
    if (cover.intersects(candidate)) {
      cover = cover.cover(candidate);
      run.push(candidate);
    } else {
      flush();
      cover = candidate;
      run = [candidate];
    }
  }
  flush();
}
