import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  AbstractStreamOperator,
  AvailabilityNotifier,
  Boundedness,
  InputStatus,
  type ListState,
  ListStateDescriptor,
  type OneInputStreamOperator,
  type OperatorSnapshot,
  type ReaderOutput,
  type Source,
  type SourceReader,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from '../../../src/core/index.js';

/** Resolves once `condition` holds, checking after each event-loop turn (no fixed sleeps). */
export async function waitFor(condition: () => boolean, what: string, maxTurns = 100_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await nextTurn();
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets the job's scheduler react to what the test just did (a clock move, a push). */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** The records a {@link QueueSource} reads; tests push into it while the job runs. */
export class QueueFeed<T> {
  readonly items: T[] = [];
  ended = false;
  /** Highest position any reader emitted up to (for wait conditions). */
  emitted = 0;
  readonly availability = new AvailabilityNotifier();

  push(...items: T[]): this {
    this.items.push(...items);
    this.availability.notify();
    return this;
  }

  end(): this {
    this.ended = true;
    this.availability.notify();
    return this;
  }
}

interface QueueSplit {
  readonly splitId: string;
  readonly position: number;
}

/**
 * A one-split source over a {@link QueueFeed}: position = index of the next item, so a restore
 * resumes exactly there. Unbounded until `feed.end()`.
 */
export class QueueSource<T> implements Source<T, QueueSplit, boolean> {
  constructor(
    readonly feed: QueueFeed<T>,
    private readonly maxPerPoll = 1_000_000,
  ) {}

  getBoundedness(): Boundedness {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  createEnumerator(context: SplitEnumeratorContext<QueueSplit>): SplitEnumerator<QueueSplit, boolean> {
    return this.restoreEnumerator(context, false);
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<QueueSplit>,
    assigned: boolean,
  ): SplitEnumerator<QueueSplit, boolean> {
    let done = assigned;
    return {
      start() {},
      handleSplitRequest() {},
      addSplitsBack() {},
      addReader(subtask) {
        if (done) return;
        done = true;
        context.assignSplit({ splitId: 'queue', position: 0 }, subtask);
      },
      snapshotState: () => done,
      close() {},
    };
  }

  createReader(): SourceReader<T, QueueSplit> {
    const feed = this.feed;
    const maxPerPoll = this.maxPerPoll;
    let split: { splitId: string; position: number } | undefined;
    return {
      start() {},
      pollNext(output: ReaderOutput<T>): InputStatus {
        if (!split) return InputStatus.NOTHING_AVAILABLE;
        let n = 0;
        while (split.position < feed.items.length && n < maxPerPoll) {
          output.collect(feed.items[split.position++]!);
          feed.emitted = Math.max(feed.emitted, split.position);
          n++;
        }
        if (split.position < feed.items.length) return InputStatus.MORE_AVAILABLE;
        return feed.ended ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
      },
      isAvailable: () =>
        split && (split.position < feed.items.length || feed.ended)
          ? Promise.resolve()
          : feed.availability.wait(),
      addSplits(splits) {
        split = { ...splits[0]! };
        feed.availability.notify();
      },
      notifyNoMoreSplits() {},
      snapshotState: () => (split ? [{ splitId: split.splitId, position: split.position }] : []),
      close() {
        feed.availability.notify();
      },
    };
  }
}

/** The committed output of {@link CommittingSinkOperator}s: batches by id, committed once. */
export class CommitStore<T> {
  readonly batches = new Map<string, readonly T[]>();
  commits = 0;

  commit(batchId: string, values: readonly T[]): void {
    if (this.batches.has(batchId)) return; // idempotent: a restore may commit a batch again
    this.batches.set(batchId, values);
    this.commits++;
  }

  values(): T[] {
    return [...this.batches.values()].flat();
  }
}

interface Batch<T> {
  readonly batchId: string;
  readonly checkpointId: number;
  readonly values: T[];
}

/**
 * A two-phase-commit test sink: records are buffered; a checkpoint seals the buffer as a batch
 * (kept in operator state); `notifyCheckpointComplete` commits the sealed batches; a restore
 * commits the batches of the restored (completed) checkpoint. What reaches the store is therefore
 * exactly-once, whatever failures happen.
 */
export class CommittingSinkOperator<T>
  extends AbstractStreamOperator<never>
  implements OneInputStreamOperator<T, never>
{
  private buffer: T[] = [];
  private sealed: Batch<T>[] = [];
  private state!: ListState<Batch<T>>;

  constructor(private readonly store: CommitStore<T>) {
    super();
  }

  override open(): void {
    this.state = this.operatorStateBackend.getListState(new ListStateDescriptor<Batch<T>>('pending-batches'));
    for (const b of this.state.get()) this.store.commit(b.batchId, b.values);
    this.state.clear();
  }

  processElement(value: T): void {
    this.buffer.push(value);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    const subtask = this.params.taskInfo.indexOfThisSubtask;
    this.sealed.push({ batchId: `${subtask}@${checkpointId}`, checkpointId, values: this.buffer });
    this.buffer = [];
    this.state.update(this.sealed);
    return super.snapshotState(checkpointId);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const keep: Batch<T>[] = [];
    for (const b of this.sealed) {
      if (b.checkpointId <= checkpointId) this.store.commit(b.batchId, b.values);
      else keep.push(b);
    }
    this.sealed = keep;
  }
}
