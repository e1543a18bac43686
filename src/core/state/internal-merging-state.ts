import type { Namespace } from './keyed-state-backend.js';

/**
 * Keyed state whose namespaces can be merged, as merging (session) windows need: list, reducing
 * and aggregating state handles of the heap backend implement it (Flink's `InternalMergingState`).
 *
 * @example
 * ```ts
 * const sum = backend.getOrCreateKeyedState(sumDescriptor) as InternalKvState<ReducingState<number>> &
 *   InternalMergingState;
 * sum.mergeNamespaces(mergedWindow, [windowA, windowB]);
 * ```
 */
export interface InternalMergingState {
  /**
   * For the current key, folds the value of each source namespace into `target` (in order) and
   * removes the sources. Sources without a value are skipped.
   */
  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void;
}

/** Whether a state handle supports {@link InternalMergingState.mergeNamespaces}. */
export function isMergingState(state: unknown): state is InternalMergingState {
  return typeof (state as Partial<InternalMergingState> | null)?.mergeNamespaces === 'function';
}
