import type { CheckpointHandle, CheckpointStorage } from './checkpoint-storage.js';
import type { CompletedCheckpoint } from './completed-checkpoint.js';
import { resolveIncrementalChain } from './incremental-chain.js';

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
  readonly resolvesIncrementalChains = true;
  private readonly checkpoints = new Map<number, CompletedCheckpoint>();
  /** Discarded checkpoints kept because a retained incremental one builds on them. */
  private readonly bases = new Map<number, CompletedCheckpoint>();

  async store(checkpoint: CompletedCheckpoint): Promise<string> {
    const pointer = `memory:chk-${checkpoint.checkpointId}`;
    this.checkpoints.set(checkpoint.checkpointId, { ...checkpoint, externalPointer: pointer });
    return pointer;
  }

  async latest(): Promise<CompletedCheckpoint | undefined> {
    let best: CompletedCheckpoint | undefined;
    for (const c of this.checkpoints.values()) if (!best || c.checkpointId > best.checkpointId) best = c;
    return best === undefined ? undefined : this.load(best.checkpointId);
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
    if (c.base === undefined) return c;
    const chain = [c];
    let base: number | undefined = c.base;
    while (base !== undefined) {
      const b: CompletedCheckpoint | undefined = this.checkpoints.get(base) ?? this.bases.get(base);
      if (b === undefined) throw new Error(`checkpoint ${checkpointId}: its base checkpoint ${base} is gone`);
      chain.unshift(b);
      base = b.base;
    }
    return resolveIncrementalChain(chain);
  }

  async discard(checkpointId: number): Promise<void> {
    const c = this.checkpoints.get(checkpointId);
    this.checkpoints.delete(checkpointId);
    if (c !== undefined) this.bases.set(checkpointId, c);
    // Keep what a retained checkpoint builds on, drop the rest.
    const needed = new Set<number>();
    for (const live of this.checkpoints.values()) {
      for (let base = live.base; base !== undefined && !needed.has(base); ) {
        needed.add(base);
        base = (this.checkpoints.get(base) ?? this.bases.get(base))?.base;
      }
    }
    for (const id of [...this.bases.keys()]) if (!needed.has(id)) this.bases.delete(id);
  }
}
