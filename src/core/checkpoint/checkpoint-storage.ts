import type { CompletedCheckpoint, SnapshotKind } from './completed-checkpoint.js';

/**
 * A stored checkpoint as {@link CheckpointStorage.list} reports it (without its state).
 *
 * @example
 * ```ts
 * for (const h of await storage.list()) console.log(h.checkpointId, h.pointer);
 * ```
 */
export interface CheckpointHandle {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly kind: SnapshotKind;
  /** Where it lives; pass it to `load` or to `env.execute({ restoreFrom })` for file storage. */
  readonly pointer: string;
}

/**
 * Where completed checkpoints go (Flink's `CheckpointStorage`). A checkpoint counts as completed
 * only once `store` resolved: a storage must make it durable and atomic (all or nothing) before.
 * Implementations: {@link MemoryCheckpointStorage} (default), {@link FileCheckpointStorage}; a
 * Kafka changelog storage can implement the same contract.
 *
 * @example
 * ```ts
 * const storage = new FileCheckpointStorage('/var/lib/app/checkpoints');
 * const latest = await storage.latest();
 * if (latest) env.execute({ jobName: 'app', restoreFrom: latest });
 * ```
 */
export interface CheckpointStorage {
  /**
   * True when `load`, `latest` and `discard` handle incremental checkpoints (`CompletedCheckpoint.base`):
   * a load returns the chain resolved into full snapshots, and a checkpoint stays stored while a
   * retained one builds on it.
   */
  readonly resolvesIncrementalChains?: boolean;
  /** Stores durably and atomically; resolves with the pointer of the stored checkpoint. */
  store(checkpoint: CompletedCheckpoint): Promise<string>;
  /** The complete checkpoint with the highest id, ignoring torn (incomplete) ones. */
  latest(): Promise<CompletedCheckpoint | undefined>;
  /** The complete checkpoints, by ascending id. */
  list(): Promise<CheckpointHandle[]>;
  load(checkpointId: number): Promise<CompletedCheckpoint>;
  /** Deletes a checkpoint; no error if it is already gone. */
  discard(checkpointId: number): Promise<void>;
}
