import type { CheckpointHandle, CheckpointStorage } from './checkpoint-storage.js';
import type { CompletedCheckpoint } from './completed-checkpoint.js';

/**
 * Keeps checkpoints in this process's memory (Flink's `JobManagerCheckpointStorage`): restarts
 * inside the process work, a process crash loses them. The default storage. Operator states are
 * kept encoded, so a restore from memory goes through the same decoding as one from files.
 *
 * @example
 * ```ts
 * env.getCheckpointConfig().setCheckpointStorage(new MemoryCheckpointStorage());
 * ```
 */
export class MemoryCheckpointStorage implements CheckpointStorage {
  private readonly checkpoints = new Map<number, CompletedCheckpoint>();

  async store(checkpoint: CompletedCheckpoint): Promise<string> {
    const pointer = `memory:chk-${checkpoint.checkpointId}`;
    this.checkpoints.set(checkpoint.checkpointId, { ...checkpoint, externalPointer: pointer });
    return pointer;
  }

  async latest(): Promise<CompletedCheckpoint | undefined> {
    let best: CompletedCheckpoint | undefined;
    for (const c of this.checkpoints.values()) if (!best || c.checkpointId > best.checkpointId) best = c;
    return best;
  }

  async list(): Promise<CheckpointHandle[]> {
    return [...this.checkpoints.values()]
      .sort((a, b) => a.checkpointId - b.checkpointId)
      .map((c) => ({
        checkpointId: c.checkpointId,
        timestamp: c.timestamp,
        kind: c.kind,
        pointer: c.externalPointer!,
      }));
  }

  async load(checkpointId: number): Promise<CompletedCheckpoint> {
    const c = this.checkpoints.get(checkpointId);
    if (!c) throw new Error(`no checkpoint ${checkpointId} in memory storage`);
    return c;
  }

  async discard(checkpointId: number): Promise<void> {
    this.checkpoints.delete(checkpointId);
  }
}
