import type { State } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';
import type { Window } from './window.js';

/** What a trigger decides (Flink's `TriggerResult`). */
export enum TriggerResult {
  CONTINUE = 'CONTINUE',
  FIRE = 'FIRE',
  PURGE = 'PURGE',
  FIRE_AND_PURGE = 'FIRE_AND_PURGE',
}

/** Whether a result fires the window function. */
export function isFire(r: TriggerResult): boolean {
  return r === TriggerResult.FIRE || r === TriggerResult.FIRE_AND_PURGE;
}

/** Whether a result clears the window's contents. */
export function isPurge(r: TriggerResult): boolean {
  return r === TriggerResult.PURGE || r === TriggerResult.FIRE_AND_PURGE;
}

/**
 * What a trigger can do for the current key and window: timers and per-window trigger state.
 */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** Trigger state scoped to the current key and window. */
  getPartitionedState<S extends State>(descriptor: StateDescriptor<S, any>): S;
}

/** The context of `onMerge`: trigger state of the merged windows can be merged into the new one. */
export interface OnMergeContext extends TriggerContext {
  mergePartitionedState<S extends State>(descriptor: StateDescriptor<S, any>): void;
}

/**
 * Decides when a window fires and when it is purged (Flink's `Trigger`). A trigger keeps its own
 * state through the context; `clear` must delete that state and its timers.
 *
 * @example
 * ```ts
 * class EveryTen<T> extends Trigger<T, GlobalWindow> { ... }
 * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(10)).sum('amount');
 * ```
 */
export abstract class Trigger<T, W extends Window> {
  abstract onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;

  /** Whether the trigger supports merging windows (required with session windows). */
  canMerge(): boolean {
    return false;
  }

  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error(`${this.constructor.name} does not support merging windows`);
  }

  abstract clear(window: W, ctx: TriggerContext): void;
}
