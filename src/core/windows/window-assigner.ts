import type { Namespace } from '../state/keyed-state-backend.js';
import type { Trigger } from './trigger.js';
import type { Window } from './window.js';

/** What an assigner may ask of its operator. */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

/**
 * Puts each element into zero or more windows (Flink's `WindowAssigner`).
 */
export abstract class WindowAssigner<T, W extends Window> {
  /** The windows of an element with event timestamp `timestamp` (ignored by processing-time assigners). */
  abstract assignWindows(element: T, timestamp: number, context: WindowAssignerContext): W[];

  /** The trigger used when the user sets none. */
  abstract getDefaultTrigger(): Trigger<T, W>;

  /** Event-time assigners need timestamps and fire by watermark; processing-time ones by clock. */
  abstract isEventTime(): boolean;

  /** Rebuilds a window from the namespace it stored its state under. */
  abstract windowFromNamespace(namespace: Namespace): W;

  /** Merging assigners (sessions) override this. */
  isMerging(): this is MergingWindowAssigner<T, W> {
    return false;
  }
}

/** Receives each merge decided by {@link MergingWindowAssigner.mergeWindows}. */
export type MergeCallback<W> = (toBeMerged: W[], mergeResult: W) => void;

/**
 * An assigner whose windows merge as elements arrive (session windows): after assigning, the
 * operator asks it to merge the windows it holds for the key.
 */
export abstract class MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Calls `callback` once per group of windows that must become one. */
  abstract mergeWindows(windows: readonly W[], callback: MergeCallback<W>): void;

  override isMerging(): this is MergingWindowAssigner<T, W> {
    return true;
  }
}
