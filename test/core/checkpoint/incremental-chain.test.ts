import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveIncrementalChain } from '../../../src/core/checkpoint/incremental-chain.js';
import {
  type CheckpointStorage,
  type CompletedCheckpoint,
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  FileCheckpointStorage,
  MemoryCheckpointStorage,
} from '../../../src/core/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chk-incr-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const group = (kg: number, byte: number): readonly [number, Uint8Array] => [kg, new Uint8Array([byte])];

/** A one-operator checkpoint whose keyed state holds `groups`, a delta to `base` when set. */
function checkpoint(
  id: number,
  groups: (readonly [number, Uint8Array])[],
  base?: number,
): CompletedCheckpoint {
  return {
    jobId: 'job',
    jobName: 'incremental',
    checkpointId: id,
    timestamp: id,
    kind: 'checkpoint',
    finalCheckpoint: false,
    operators: {
      op: {
        parallelism: 1,
        maxParallelism: 8,
        subtasks: [
          encodeOperatorSnapshot({
            keyed: { maxParallelism: 8, groups, ...(base !== undefined ? { base } : {}) },
            watermark: id,
          }),
        ],
      },
    },
    ...(base !== undefined ? { base } : {}),
  };
}

const keyedOf = (c: CompletedCheckpoint) => decodeOperatorSnapshot(c.operators.op!.subtasks[0]!);

describe('incremental checkpoint chains', () => {
  it('resolve into the full snapshot: base groups first, then each delta, the rest from the last', () => {
    const full = resolveIncrementalChain([
      checkpoint(1, [group(0, 1), group(3, 1)]),
      checkpoint(2, [group(3, 2)], 1),
      checkpoint(3, [group(5, 3)], 2),
    ]);
    expect(full.base).toBeUndefined();
    const snapshot = keyedOf(full);
    expect(snapshot.watermark).toBe(3);
    expect(snapshot.keyed?.base).toBeUndefined();
    expect(snapshot.keyed?.groups.map(([kg, b]) => [kg, b[0]])).toEqual([
      [0, 1],
      [3, 1],
      [3, 2],
      [5, 3],
    ]);
  });

  it('refuse a chain with a missing link or without a full checkpoint first', () => {
    expect(() => resolveIncrementalChain([checkpoint(1, []), checkpoint(3, [], 2)])).toThrow(/builds on 2/);
    expect(() => resolveIncrementalChain([checkpoint(2, [], 1)])).toThrow(/itself a delta/);
  });

  const storages: Record<string, () => CheckpointStorage> = {
    file: () => new FileCheckpointStorage(dir),
    memory: () => new MemoryCheckpointStorage(),
  };
  for (const [name, create] of Object.entries(storages)) {
    it(`${name} storage: load resolves the chain; a discarded base stays while a retained checkpoint builds on it`, async () => {
      const storage = create();
      await storage.store(checkpoint(1, [group(0, 1)]));
      await storage.store(checkpoint(2, [group(1, 2)], 1));
      await storage.store(checkpoint(3, [group(2, 3)], 2));
      // Retention of 1: the coordinator discards 1 and 2; 3 still needs them.
      await storage.discard(1);
      await storage.discard(2);
      expect((await storage.list()).map((h) => h.checkpointId)).toEqual([3]);
      const latest = (await storage.latest())!;
      expect(latest.checkpointId).toBe(3);
      expect(keyedOf(latest).keyed?.groups.map(([kg]) => kg)).toEqual([0, 1, 2]);
      // A new chain: once 3 goes, nothing builds on 1 and 2 any more.
      await storage.store(checkpoint(4, [group(7, 4)]));
      await storage.discard(3);
      expect((await storage.list()).map((h) => h.checkpointId)).toEqual([4]);
      expect(keyedOf(await storage.load(4)).keyed?.groups.map(([kg]) => kg)).toEqual([7]);
      if (name === 'file') {
        for (const id of [1, 2, 3]) expect(existsSync(join(dir, `chk-${id}`))).toBe(false);
      } else {
        await expect(storage.load(2)).rejects.toThrow(/no checkpoint 2/);
      }
    });
  }

  it('file storage: a restore pointer to an incremental checkpoint loads its chain, kept bases included', async () => {
    const storage = new FileCheckpointStorage(dir);
    await storage.store(checkpoint(1, [group(0, 1)]));
    await storage.store(checkpoint(2, [group(0, 2)], 1));
    await storage.discard(1);
    expect(existsSync(join(dir, 'chk-1', '_metadata'))).toBe(false);
    expect(existsSync(join(dir, 'chk-1', '_metadata.base'))).toBe(true);
    const loaded = await FileCheckpointStorage.loadFrom(join(dir, 'chk-2'));
    expect(loaded.base).toBeUndefined();
    expect(loaded.externalPointer).toBe(join(dir, 'chk-2'));
    expect(keyedOf(loaded).keyed?.groups.map(([kg, b]) => [kg, b[0]])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    await rm(join(dir, 'chk-1'), { recursive: true });
    await expect(FileCheckpointStorage.loadFrom(join(dir, 'chk-2'))).rejects.toThrow(
      /base checkpoint 1 is gone/,
    );
  });
});
