import {
  InputStatus,
  type ReaderOutput,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from '../../core/index.js';

/**
 * Where a source reports whether its latest poll found nothing to read (its reader is caught up).
 *
 * @example
 * ```ts
 * const progress: SourceProgress = { caughtUp: false };
 * new EagerSplitOutputSource(source, progress);
 * ```
 */
export interface SourceProgress {
  caughtUp: boolean;
}

/**
 * Wraps a source so that each split's output (and with it the split's watermark generator) exists
 * as soon as the split is assigned, not only once the split emitted a record.
 *
 * Why: `LocalLogSourceReader` creates a split's output lazily on its first record, and periodic
 * watermarks are emitted per existing output. A job restored from a checkpoint whose topic has no
 * new record (the rules topic, almost always) would then never emit a watermark on that input, and
 * every downstream operator's event time (the minimum of its inputs) would stay stuck. With this
 * wrapper the rule-update stream's generator emits its +Infinity at once, and the event stream's
 * seeded generator flushes events restored in state. With a `progress`, it also reports after every
 * poll whether the reader found nothing to read (the idle flush waits for that).
 *
 * @example
 * ```ts
 * env.fromSource(new EagerSplitOutputSource(new LocalLogSource({ log, topic: 'rules' })), strategy, 'rules');
 * ```
 */
export class EagerSplitOutputSource<T, SplitT extends SourceSplit, EnumState>
  implements Source<T, SplitT, EnumState>
{
  constructor(
    private readonly inner: Source<T, SplitT, EnumState>,
    /** Told after every poll whether the reader found nothing to read (it is caught up). */
    private readonly progress?: SourceProgress,
  ) {}

  getBoundedness(): ReturnType<Source<T, SplitT, EnumState>['getBoundedness']> {
    return this.inner.getBoundedness();
  }

  createEnumerator(context: SplitEnumeratorContext<SplitT>): SplitEnumerator<SplitT, EnumState> {
    return this.inner.createEnumerator(context);
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<SplitT>,
    state: EnumState,
  ): SplitEnumerator<SplitT, EnumState> {
    return this.inner.restoreEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, SplitT> {
    const reader = this.inner.createReader(context);
    const progress = this.progress;
    const pending: string[] = [];
    const wrapped: SourceReader<T, SplitT> = {
      start: () => reader.start(),
      pollNext: (output: ReaderOutput<T>) => {
        if (pending.length > 0) for (const id of pending.splice(0)) output.createOutputForSplit(id);
        const status = reader.pollNext(output);
        if (progress !== undefined) progress.caughtUp = status === InputStatus.NOTHING_AVAILABLE;
        return status;
      },
      isAvailable: () => (pending.length > 0 ? Promise.resolve() : reader.isAvailable()),
      addSplits: (splits: SplitT[]) => {
        for (const s of splits) pending.push(s.splitId);
        reader.addSplits(splits);
      },
      notifyNoMoreSplits: () => reader.notifyNoMoreSplits(),
      snapshotState: (checkpointId: number) => reader.snapshotState(checkpointId),
      close: () => reader.close(),
    };
    if (reader.notifyCheckpointComplete !== undefined) {
      wrapped.notifyCheckpointComplete = (checkpointId: number) =>
        reader.notifyCheckpointComplete!(checkpointId);
    }
    return wrapped;
  }
}
