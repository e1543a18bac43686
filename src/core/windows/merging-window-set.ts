import type { Namespace } from '../state/keyed-state-backend.js';
import type { Window } from './window.js';
import type { MergingWindowAssigner } from './window-assigner.js';

/**
 * Called for each merge: `mergeResult` replaces `mergedWindows`; the state of `mergedStateWindows`
 * must be merged into `stateWindowResult` (Flink's `MergingWindowSet.MergeFunction`).
 */
export type MergeFunction<W> = (
  mergeResult: W,
  mergedWindows: W[],
  stateWindowResult: W,
  mergedStateWindows: W[],
) => void;

/**
 * The session windows of one key and, for each, the window its state is stored under (Flink's
 * `MergingWindowSet`). Merging only re-labels: the state of a merged session stays under the
 * namespace of one of its former windows, so merges move state once, not on every element.
 * The mapping is persisted as `[window, stateWindow]` namespace pairs.
 */
export class MergingWindowSet<W extends Window> {
  /** window namespace -> [window, state window] */
  private readonly mapping = new Map<Namespace, [W, W]>();
  private dirty = false;

  constructor(
    private readonly assigner: MergingWindowAssigner<unknown, W>,
    persisted: ReadonlyArray<readonly [Namespace, Namespace]> | undefined,
  ) {
    for (const [w, s] of persisted ?? []) {
      this.mapping.set(w, [assigner.windowFromNamespace(w), assigner.windowFromNamespace(s)]);
    }
  }

  /** The window whose namespace holds the state of `window`, if `window` is in the set. */
  getStateWindow(window: W): W | undefined {
    return this.mapping.get(window.namespace())?.[1];
  }

  /** Removes a window that is done (fired and cleaned up). */
  retireWindow(window: W): void {
    this.dirty = true;
    if (!this.mapping.delete(window.namespace())) {
      throw new Error(`window ${String(window)} is not in the merging window set`);
    }
  }

  /** The persisted form, or `undefined` when nothing changed since loading. */
  changedState(): Array<[Namespace, Namespace]> | undefined {
    if (!this.dirty) return undefined;
    return [...this.mapping.values()].map(([w, s]) => [w.namespace(), s.namespace()]);
  }

  isEmpty(): boolean {
    return this.mapping.size === 0;
  }

  /**
   * Adds a new window and merges it with the set; returns the window it ended up in (itself, or
   * the merged session containing it).
   */
  addWindow(newWindow: W, mergeFunction: MergeFunction<W>): W {
    this.dirty = true;
    const windows = [...this.mapping.values()].map(([w]) => w);
    windows.push(newWindow);
    const mergeResults: Array<[W, W[]]> = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => {
      mergeResults.push([mergeResult, [...toBeMerged]]);
    });
    const newNs = newWindow.namespace();
    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, merged] of mergeResults) {
      // The new window never had state: leave it (one occurrence; an equal old window stays) out.
      const mergedWindows = merged;
      const at = mergedWindows.indexOf(newWindow);
      if (at >= 0) {
        mergedWindows.splice(at, 1);
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // Any merged window's state window becomes the state window of the result.
      const mergedStateWindow = this.mapping.get(mergedWindows[0]!.namespace())![1];
      const mergedStateWindows: W[] = [];
      for (const w of mergedWindows) {
        const entry = this.mapping.get(w.namespace());
        if (entry) {
          this.mapping.delete(w.namespace());
          mergedStateWindows.push(entry[1]);
        }
      }
      this.mapping.set(mergeResult.namespace(), [mergeResult, mergedStateWindow]);
      const others = mergedStateWindows.filter((s) => s.namespace() !== mergedStateWindow.namespace());
      const onlyItself =
        mergedWindows.length === 1 && mergedWindows[0]!.namespace() === mergeResult.namespace();
      if (!onlyItself) mergeFunction(mergeResult, mergedWindows, mergedStateWindow, others);
    }
    if (mergeResults.length === 0 || (resultWindow === newWindow && !mergedNewWindow)) {
      this.mapping.set(newNs, [resultWindow, resultWindow]);
    }
    return resultWindow;
  }
}
