import { describe, expect, it } from 'vitest';
import type { SinkInitContext, SinkWriterContext } from '../../../src/core/connectors/sink.js';
import type { Committer } from '../../../src/core/connectors/two-phase-commit/committer.js';
import type { PrecommittingSinkWriter } from '../../../src/core/connectors/two-phase-commit/precommitting-sink-writer.js';
import {
  isTwoPhaseCommittingSink,
  type TwoPhaseCommittingSink,
} from '../../../src/core/connectors/two-phase-commit/two-phase-committing-sink.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
} from '../../../src/core/runtime/operator-snapshot-codec.js';
import { CommittingSinkOperator } from '../../../src/core/runtime/operators/committing-sink-operator.js';
import type { OperatorSnapshot } from '../../../src/core/runtime/stream-operator.js';
import { OperatorTestHarness } from '../../../src/core/testing/operator-test-harness.js';

/** A committable: the id of a staged batch. */
interface Staged {
  readonly id: string;
}

/**
 * An in-memory "external system" with two-phase commit: prepared batches are staged (durable,
 * invisible), committing makes them visible once per id. Survives operator "crashes".
 */
class StagingStore {
  readonly staged = new Map<string, string[]>();
  readonly committed = new Set<string>();
  readonly visible: string[] = [];
  commitCalls = 0;
  discarded: string[] = [];
  private counter = 0;

  stage(values: string[]): Staged {
    const id = `batch-${this.counter++}`;
    this.staged.set(id, values);
    return { id };
  }

  commit(c: Staged): void {
    this.commitCalls++;
    if (this.committed.has(c.id)) return; // idempotent
    const values = this.staged.get(c.id);
    if (values === undefined) throw new Error(`batch ${c.id} is gone`);
    this.visible.push(...values);
    this.committed.add(c.id);
    this.staged.delete(c.id);
  }

  discardUncommitted(): void {
    for (const id of this.staged.keys()) this.discarded.push(id);
    this.staged.clear();
  }
}

class StagingWriter implements PrecommittingSinkWriter<string, Staged> {
  private buffer: string[] = [];
  constructor(private readonly store: StagingStore) {}
  write(value: string, _context: SinkWriterContext): void {
    this.buffer.push(value);
  }
  flush(): void {}
  prepareCommit(): Staged[] {
    if (this.buffer.length === 0) return [];
    const staged = this.store.stage(this.buffer);
    this.buffer = [];
    return [staged];
  }
  close(): void {}
}

class StagingSink implements TwoPhaseCommittingSink<string, Staged> {
  readonly twoPhaseCommit = true as const;
  lingeringCalls = 0;
  constructor(
    readonly store: StagingStore,
    private readonly asyncCommit = false,
  ) {}
  createWriter(_context: SinkInitContext): StagingWriter {
    return new StagingWriter(this.store);
  }
  createCommitter(): Committer<Staged> {
    const store = this.store;
    return {
      commit: (committables) => {
        if (!this.asyncCommit) {
          for (const c of committables) store.commit(c);
          return;
        }
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            for (const c of committables) store.commit(c);
            resolve();
          }, 5),
        );
      },
    };
  }
  recoverLingering(): void {
    this.lingeringCalls++;
    this.store.discardUncommitted();
  }
}

type Op = CommittingSinkOperator<string, Staged>;

function harness(sink: StagingSink, options: { parallelism?: number; subtaskIndex?: number } = {}) {
  return new OperatorTestHarness<never, string>(
    () => new CommittingSinkOperator<string, Staged>(sink),
    options,
  );
}

/** What a checkpoint store would keep: the snapshot as bytes and back. */
function persist(snapshot: OperatorSnapshot): OperatorSnapshot {
  return decodeOperatorSnapshot(encodeOperatorSnapshot(snapshot));
}

describe('CommittingSinkOperator', () => {
  it('is what sinkTo picks for a two-phase-committing sink', () => {
    expect(isTwoPhaseCommittingSink(new StagingSink(new StagingStore()))).toBe(true);
    expect(isTwoPhaseCommittingSink({ createWriter: () => new StagingWriter(new StagingStore()) })).toBe(
      false,
    );
  });

  it('pre-commits on snapshot, commits on notify, shows nothing before', async () => {
    const store = new StagingStore();
    const h = harness(new StagingSink(store));
    await h.open();
    h.processElement('a');
    h.processElement('b');
    expect(store.staged.size).toBe(0);
    h.snapshot(); // checkpoint 1
    expect([...store.staged.values()]).toEqual([['a', 'b']]);
    expect(store.visible).toEqual([]);
    expect((h.operator as Op).pendingCommittables().map((p) => p.checkpointId)).toEqual([1]);
    h.processElement('c');
    (h.operator as Op).notifyCheckpointComplete(1);
    await h.drainPending();
    expect(store.visible).toEqual(['a', 'b']);
    expect((h.operator as Op).pendingCommittables()).toEqual([]);
    await h.close();
  });

  it('a later notification commits earlier checkpoints too (lost or aborted notifications)', async () => {
    const store = new StagingStore();
    const h = harness(new StagingSink(store));
    await h.open();
    h.processElement('a');
    h.snapshot(); // 1
    (h.operator as Op).notifyCheckpointAborted(1);
    h.processElement('b');
    h.snapshot(); // 2
    h.processElement('c');
    h.snapshot(); // 3
    (h.operator as Op).notifyCheckpointComplete(2);
    expect(store.visible).toEqual(['a', 'b']);
    expect((h.operator as Op).pendingCommittables().map((p) => p.checkpointId)).toEqual([3]);
    (h.operator as Op).notifyCheckpointComplete(3);
    (h.operator as Op).notifyCheckpointComplete(3);
    expect(store.visible).toEqual(['a', 'b', 'c']);
    await h.close();
  });

  it('restore re-commits the committables of the checkpoint exactly once (crash between prepare and notify)', async () => {
    const store = new StagingStore();
    const sink = new StagingSink(store);
    const h1 = harness(sink);
    await h1.open();
    h1.processElement('a');
    h1.processElement('b');
    h1.snapshot(); // 1
    (h1.operator as Op).notifyCheckpointComplete(1);
    h1.processElement('c');
    h1.processElement('d');
    const snapshot2 = persist(h1.snapshot()); // 2: c, d prepared; the checkpoint completes, but the task dies before notify
    h1.processElement('lost-after-barrier'); // written after the barrier: replayed by the source after restore
    expect(store.visible).toEqual(['a', 'b']);

    const h2 = harness(sink);
    await h2.open([snapshot2]);
    expect(store.visible).toEqual(['a', 'b', 'c', 'd']);
    expect(sink.lingeringCalls).toBe(2);
    h2.processElement('lost-after-barrier'); // the source's replay
    h2.processElement('e');
    await h2.finish();
    expect(store.visible).toEqual(['a', 'b', 'c', 'd', 'lost-after-barrier', 'e']);

    // Restoring the same checkpoint again (another failure) commits nothing twice.
    const h3 = harness(sink);
    await h3.open([snapshot2]);
    expect(store.visible).toEqual(['a', 'b', 'c', 'd', 'lost-after-barrier', 'e']);
    expect(store.commitCalls).toBe(4); // notify 1, restore, finish, restore again (a no-op)
  });

  it('restore from an older checkpoint drops the pre-committed work of the one that did not complete', async () => {
    const store = new StagingStore();
    const sink = new StagingSink(store);
    const h1 = harness(sink);
    await h1.open();
    h1.processElement('a');
    const snapshot1 = persist(h1.snapshot()); // completes, notify lost
    h1.processElement('b');
    h1.snapshot(); // 2 never completes
    expect(store.staged.size).toBe(2);

    const h2 = harness(sink);
    await h2.open([snapshot1]);
    expect(store.visible).toEqual(['a']);
    expect(store.discarded).toHaveLength(1); // checkpoint 2's batch
    h2.processElement('b'); // replayed from checkpoint 1's source position
    await h2.finish();
    expect(store.visible).toEqual(['a', 'b']);
  });

  it('commits what is left at the end of input (and everything, with checkpointing off)', async () => {
    const store = new StagingStore();
    const h = harness(new StagingSink(store));
    await h.open();
    for (const v of ['x', 'y', 'z']) h.processElement(v);
    expect(store.visible).toEqual([]);
    await h.finish();
    expect(store.visible).toEqual(['x', 'y', 'z']);
    await h.close();
  });

  it('an asynchronous commit pauses the task (blockOn) and commits in checkpoint order', async () => {
    const store = new StagingStore();
    const h = harness(new StagingSink(store, true));
    await h.open();
    h.processElement('a');
    h.snapshot();
    h.processElement('b');
    h.snapshot();
    (h.operator as Op).notifyCheckpointComplete(1);
    (h.operator as Op).notifyCheckpointComplete(2);
    expect(store.visible).toEqual([]);
    await h.drainPending();
    expect(store.visible).toEqual(['a', 'b']);
    expect((h.operator as Op).pendingCommittables()).toEqual([]);
  });

  it('every instance re-commits all restored committables, whatever the new parallelism (union state)', async () => {
    const store = new StagingStore();
    const sink = new StagingSink(store);
    const snapshots: OperatorSnapshot[] = [];
    // As in a job: every instance is open before the first record and checkpoint.
    const instances = [0, 1].map((subtaskIndex) => harness(sink, { parallelism: 2, subtaskIndex }));
    for (const h of instances) await h.open();
    for (const [i, h] of instances.entries()) {
      h.processElement(`from-${i}`);
      snapshots.push(persist(h.snapshot()));
    }
    const restored = harness(sink, { parallelism: 1 });
    await restored.open(snapshots);
    expect(store.visible.sort()).toEqual(['from-0', 'from-1']);
    // Restored committables are not carried into later checkpoints once committed.
    restored.snapshot();
    expect((restored.operator as Op).pendingCommittables()).toEqual([]);
  });
});
