import type {
  Source,
  SourceReader,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../connectors/source.js';

/**
 * Runs a source's split enumerator for a job (Flink's `SourceCoordinator`) and delivers its
 * assignments to the readers of the parallel source instances, all in this process.
 */
export class SourceCoordinator<T, SplitT extends SourceSplit, EnumState>
  implements SplitEnumeratorContext<SplitT>
{
  private enumerator: SplitEnumerator<SplitT, EnumState> | undefined;
  private readonly readers = new Map<number, SourceReader<T, SplitT>>();
  /** Assignments made before a reader registered, delivered on registration. */
  private readonly pending = new Map<number, { splits: SplitT[]; noMore: boolean }>();

  constructor(
    private readonly source: Source<T, SplitT, EnumState>,
    private readonly parallelism: number,
    private readonly restoredState?: EnumState,
  ) {}

  start(): void {
    this.enumerator =
      this.restoredState === undefined
        ? this.source.createEnumerator(this)
        : this.source.restoreEnumerator(this, this.restoredState);
    this.enumerator.start();
  }

  /** Called by a source instance once its reader has started. */
  registerReader(subtaskIndex: number, reader: SourceReader<T, SplitT>): void {
    this.readers.set(subtaskIndex, reader);
    const p = this.pending.get(subtaskIndex);
    if (p) {
      this.pending.delete(subtaskIndex);
      if (p.splits.length > 0) reader.addSplits(p.splits);
      if (p.noMore) reader.notifyNoMoreSplits();
    }
    this.enumerator!.addReader(subtaskIndex);
  }

  handleSplitRequest(subtaskIndex: number): void {
    this.enumerator!.handleSplitRequest(subtaskIndex);
  }

  snapshotState(checkpointId: number): EnumState {
    return this.enumerator!.snapshotState(checkpointId);
  }

  close(): void {
    this.enumerator?.close();
  }

  currentParallelism(): number {
    return this.parallelism;
  }

  registeredReaders(): number[] {
    return [...this.readers.keys()];
  }

  assignSplit(split: SplitT, subtaskIndex: number): void {
    const reader = this.readers.get(subtaskIndex);
    if (reader) reader.addSplits([split]);
    else this.pendingFor(subtaskIndex).splits.push(split);
  }

  signalNoMoreSplits(subtaskIndex: number): void {
    const reader = this.readers.get(subtaskIndex);
    if (reader) reader.notifyNoMoreSplits();
    else this.pendingFor(subtaskIndex).noMore = true;
  }

  private pendingFor(subtaskIndex: number): { splits: SplitT[]; noMore: boolean } {
    let p = this.pending.get(subtaskIndex);
    if (!p) {
      p = { splits: [], noMore: false };
      this.pending.set(subtaskIndex, p);
    }
    return p;
  }
}
