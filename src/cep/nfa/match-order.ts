import { type ComputationState, compareByStartEvent } from './computation-state.js';
import type { BufferNode } from './shared-buffer-entry.js';

/**
 * Stable sort of partial matches by first event, skipped when already sorted (the usual case).
 *
 * @example
 * ```ts
 * sortByStartEvent(state.partialMatches);
 * ```
 */
export function sortByStartEvent<T>(runs: ComputationState<T>[]): void {
  for (let i = 1; i < runs.length; i++) {
    if (compareByStartEvent(runs[i - 1]!, runs[i]!) > 0) {
      runs.sort(compareByStartEvent);
      return;
    }
  }
}

/** Scratch paths for {@link compareMatches} (event ids, newest first). */
const pathA: number[] = [];
const pathB: number[] = [];

/**
 * Orders completed matches by first event, then last event, then their event sequences
 * lexicographically. Flink orders by first event only (ties in unspecified priority-queue order);
 * the full order makes the emission order, and so what a skip strategy prunes, deterministic.
 *
 * @example
 * ```ts
 * sortMatches(completedMatches);
 * ```
 */
export function sortMatches<T>(runs: ComputationState<T>[]): void {
  if (runs.length < 2) return;
  for (let i = 1; i < runs.length; i++) {
    if (compareMatches(runs[i - 1]!, runs[i]!) > 0) {
      runs.sort(compareMatches);
      return;
    }
  }
}

function compareMatches<T>(a: ComputationState<T>, b: ComputationState<T>): number {
  const byStart = compareByStartEvent(a, b);
  if (byStart !== 0) return byStart;
  const x = fillPath(pathA, a.previous);
  const y = fillPath(pathB, b.previous);
  const byEnd = (x > 0 ? pathA[0]! : -1) - (y > 0 ? pathB[0]! : -1);
  if (byEnd !== 0) return byEnd;
  const n = Math.min(x, y);
  for (let k = 1; k <= n; k++) {
    const d = pathA[x - k]! - pathB[y - k]!;
    if (d !== 0) return d;
  }
  return x - y;
}

function fillPath<T>(into: number[], node: BufferNode<T> | null): number {
  let length = 0;
  for (let n = node; n !== null; n = n.previous) into[length++] = n.event.id;
  return length;
}
