import { decodeOperatorSnapshot, encodeOperatorSnapshot } from '../runtime/operator-snapshot-codec.js';
import type { KeyGroupedSnapshot } from '../state/keyed-state-backend.js';
import type { CompletedCheckpoint, OperatorCheckpointState } from './completed-checkpoint.js';

/**
 * Turns an incremental checkpoint into a full one: `chain` is the checkpoint and its bases, oldest
 * (a full checkpoint) first, each `base` naming the one before. Every subtask whose keyed state is
 * a delta gets the key groups of its snapshot in the base chain followed by its own, in order, so
 * a restore applies them as they were written (later entries and removals win). Everything else
 * (operator state, timers, watermarks, source positions) comes from the last checkpoint, whose
 * snapshots hold all of it.
 *
 * @example
 * ```ts
 * const full = resolveIncrementalChain([chk40, chk41, chk42]); // chk42.base === 41, chk41.base === 40
 * ```
 */
export function resolveIncrementalChain(chain: readonly CompletedCheckpoint[]): CompletedCheckpoint {
  const last = chain[chain.length - 1];
  if (last === undefined) throw new Error('an empty checkpoint chain');
  if (last.base === undefined) return last;
  if (chain[0]!.base !== undefined) {
    throw new Error(
      `checkpoint ${last.checkpointId}: its chain starts at checkpoint ${chain[0]!.checkpointId}, itself a delta to ${chain[0]!.base}`,
    );
  }
  for (let i = 1; i < chain.length; i++) {
    if (chain[i]!.base !== chain[i - 1]!.checkpointId) {
      throw new Error(
        `checkpoint ${chain[i]!.checkpointId} builds on ${chain[i]!.base}, not on ${chain[i - 1]!.checkpointId}`,
      );
    }
  }
  const groups = new Map<string, ReadonlyArray<readonly [number, Uint8Array]>>();
  const lastSnapshots = new Map<string, ReturnType<typeof decodeOperatorSnapshot>>();
  for (const checkpoint of chain) {
    const isLast = checkpoint === last;
    for (const [uid, op] of Object.entries(checkpoint.operators)) {
      op.subtasks.forEach((bytes, subtask) => {
        const snapshot = decodeOperatorSnapshot(bytes);
        const at = `${uid}/${subtask}`;
        if (isLast) lastSnapshots.set(at, snapshot);
        const keyed = snapshot.keyed;
        if (keyed === undefined) return;
        if (keyed.base === undefined) {
          groups.set(at, keyed.groups);
          return;
        }
        const before = groups.get(at);
        if (before === undefined || keyed.base !== checkpoint.base) {
          throw new Error(
            `checkpoint ${checkpoint.checkpointId}: the keyed state of ${at} is a delta to checkpoint ${keyed.base}, which does not hold it`,
          );
        }
        groups.set(at, [...before, ...keyed.groups]);
      });
    }
  }
  const operators: Record<string, OperatorCheckpointState> = {};
  for (const [uid, op] of Object.entries(last.operators)) {
    const subtasks = op.subtasks.map((bytes, subtask) => {
      const at = `${uid}/${subtask}`;
      const snapshot = lastSnapshots.get(at)!;
      if (snapshot.keyed?.base === undefined) return bytes;
      const keyed: KeyGroupedSnapshot = {
        maxParallelism: snapshot.keyed.maxParallelism,
        groups: groups.get(at)!,
      };
      return encodeOperatorSnapshot({ ...snapshot, keyed });
    });
    operators[uid] = { ...op, subtasks };
  }
  const { base: _base, ...rest } = last;
  return { ...rest, operators };
}
