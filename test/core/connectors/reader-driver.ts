/**
 * A test-only stand-in for the runtime's source operator and coordinator: runs a source's
 * enumerator and N readers in-process, polls them like a task loop would, and collects what they
 * emit. Split assignments travel asynchronously (a microtask, like an RPC) unless `deliverSync`.
 */
import {
  InputStatus,
  type ReaderOutput,
  type Source,
  type SourceOutput,
  type SourceReader,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from '../../../src/core/connectors/source.js';

/** One emitted record. */
export interface EmittedRecord<T> {
  readonly value: T;
  readonly timestamp: number | undefined;
}

/** A ReaderOutput that collects into arrays; per-split outputs forward to it. */
export class CollectingReaderOutput<T> implements ReaderOutput<T> {
  readonly records: EmittedRecord<T>[] = [];
  readonly watermarks: number[] = [];
  idle = false;

  get values(): T[] {
    return this.records.map((r) => r.value);
  }

  collect(value: T, timestamp?: number): void {
    this.records.push({ value, timestamp });
  }

  emitWatermark(watermark: number): void {
    this.watermarks.push(watermark);
  }

  markIdle(): void {
    this.idle = true;
  }

  markActive(): void {
    this.idle = false;
  }

  createOutputForSplit(_splitId: string): SourceOutput<T> {
    return this;
  }

  releaseOutputForSplit(_splitId: string): void {}
}

/** What a checkpoint of the whole source holds. */
export interface SourceSnapshot<SplitT, EnumState> {
  readonly enumerator: EnumState;
  /** Per subtask, its reader's splits. */
  readonly readers: SplitT[][];
}

export interface HarnessOptions<SplitT, EnumState> {
  readonly parallelism: number;
  readonly restored?: SourceSnapshot<SplitT, EnumState>;
  /** Deliver enumerator <-> reader messages synchronously (re-entrant) instead of in a microtask. */
  readonly deliverSync?: boolean;
  /** Register the readers before starting the enumerator (default: after, as in Flink). */
  readonly registerBeforeStart?: boolean;
  /**
   * Reader start-up order. `flink` (default): restored splits, register, start. `runtime`: start,
   * restored splits, register (what this project's SourceOperator does). Readers must handle both.
   */
  readonly readerStartOrder?: 'flink' | 'runtime';
}

/** Runs a source without the runtime. */
export class SourceHarness<T, SplitT extends SourceSplit, EnumState> {
  readonly enumerator: SplitEnumerator<SplitT, EnumState>;
  readonly readers: SourceReader<T, SplitT>[] = [];
  readonly outputs: CollectingReaderOutput<T>[] = [];
  readonly ended: boolean[] = [];
  /** Number of pollNext calls per reader. */
  readonly polls: number[] = [];
  /** Statuses returned per reader, in order. */
  readonly statuses: InputStatus[][] = [];
  private readonly ready: boolean[] = [];
  private readonly waits: Array<Promise<void> | null> = [];
  private readonly registered = new Set<number>();
  private readonly deliveries: Array<() => void> = [];
  private deliveryScheduled = false;

  private constructor(
    readonly source: Source<T, SplitT, EnumState>,
    private readonly options: HarnessOptions<SplitT, EnumState>,
  ) {
    const parallelism = options.parallelism;
    const context: SplitEnumeratorContext<SplitT> = {
      currentParallelism: () => parallelism,
      registeredReaders: () => [...this.registered].sort((a, b) => a - b),
      assignSplit: (split, subtask) => this.deliver(() => this.readers[subtask].addSplits([split])),
      signalNoMoreSplits: (subtask) => this.deliver(() => this.readers[subtask].notifyNoMoreSplits()),
    };
    this.enumerator =
      options.restored === undefined
        ? source.createEnumerator(context)
        : source.restoreEnumerator(context, options.restored.enumerator);
    for (let i = 0; i < parallelism; i++) {
      const reader = source.createReader({
        subtaskIndex: i,
        parallelism,
        sendSplitRequest: () => this.deliver(() => this.enumerator.handleSplitRequest(i)),
      });
      this.readers.push(reader);
      this.outputs.push(new CollectingReaderOutput<T>());
      this.ended.push(false);
      this.polls.push(0);
      this.statuses.push([]);
      this.ready.push(true);
      this.waits.push(null);
    }
  }

  /** Creates the enumerator and readers and starts them in Flink's order. */
  static async create<T, SplitT extends SourceSplit, EnumState>(
    source: Source<T, SplitT, EnumState>,
    options: HarnessOptions<SplitT, EnumState>,
  ): Promise<SourceHarness<T, SplitT, EnumState>> {
    const harness = new SourceHarness(source, options);
    await harness.startAll();
    return harness;
  }

  /** Convenience: runs `source` to the end and returns the values per subtask. */
  static async run<T, SplitT extends SourceSplit, EnumState>(
    source: Source<T, SplitT, EnumState>,
    options: HarnessOptions<SplitT, EnumState>,
  ): Promise<T[][]> {
    const harness = await SourceHarness.create(source, options);
    await harness.runToEnd();
    await harness.close();
    return harness.outputs.map((o) => o.values);
  }

  get totalRecords(): number {
    let n = 0;
    for (const o of this.outputs) n += o.records.length;
    return n;
  }

  get allEnded(): boolean {
    return this.ended.every((e) => e);
  }

  /** Values of all readers, subtask after subtask. */
  allValues(): T[] {
    return this.outputs.flatMap((o) => o.values);
  }

  /** Polls reader `subtask` once (whether or not it said it was available). */
  pollOnce(subtask: number): InputStatus {
    const status = this.readers[subtask].pollNext(this.outputs[subtask]);
    this.polls[subtask]++;
    this.statuses[subtask].push(status);
    if (status === InputStatus.END_OF_INPUT) this.ended[subtask] = true;
    return status;
  }

  /**
   * Polls the readers round-robin, one pollNext each, until at least `minRecords` records were
   * emitted in total (or `maxPolls` polls made, or every reader ended). Waits on `isAvailable()`
   * when every live reader said NOTHING_AVAILABLE.
   */
  async poll(limits: { minRecords?: number; maxPolls?: number }): Promise<void> {
    const minRecords = limits.minRecords ?? Number.POSITIVE_INFINITY;
    const maxPolls = limits.maxPolls ?? Number.POSITIVE_INFINITY;
    let polls = 0;
    let sinceYield = 0;
    while (this.totalRecords < minRecords && polls < maxPolls && !this.allEnded) {
      let progressed = false;
      for (let i = 0; i < this.readers.length; i++) {
        if (this.ended[i] || !this.ready[i]) continue;
        const status = this.pollOnce(i);
        polls++;
        progressed = true;
        if (status === InputStatus.NOTHING_AVAILABLE) {
          this.ready[i] = false;
          const wait = this.readers[i].isAvailable().then(() => {
            this.ready[i] = true;
            this.waits[i] = null;
          });
          this.waits[i] = wait;
        }
        if (this.totalRecords >= minRecords || polls >= maxPolls) return;
      }
      if (!progressed) {
        const waits = this.waits.filter((w, i): w is Promise<void> => w !== null && !this.ended[i]);
        await Promise.race(waits);
        sinceYield = 0;
      } else if (++sinceYield >= 64) {
        // A real task loop yields too; lets file reads, timers and deliveries run.
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Polls until every reader returned END_OF_INPUT. */
  async runToEnd(): Promise<void> {
    await this.poll({});
  }

  /** A checkpoint: every pending message delivered first, then enumerator and reader state. */
  snapshot(checkpointId = 1): SourceSnapshot<SplitT, EnumState> {
    this.flushDeliveries();
    // Round-trip through JSON: proves the state is plain data and decouples it from the readers.
    return JSON.parse(
      JSON.stringify({
        enumerator: this.enumerator.snapshotState(checkpointId),
        readers: this.readers.map((r) => r.snapshotState(checkpointId)),
      }),
    ) as SourceSnapshot<SplitT, EnumState>;
  }

  async close(): Promise<void> {
    for (const reader of this.readers) await reader.close();
    this.enumerator.close();
  }

  private async startAll(): Promise<void> {
    const restored = this.options.restored;
    if (this.options.registerBeforeStart !== true) this.enumerator.start();
    for (let i = 0; i < this.readers.length; i++) {
      const reader = this.readers[i];
      const splits =
        restored === undefined ? [] : restoredSplitsFor(restored.readers, i, this.readers.length);
      if (this.options.readerStartOrder === 'runtime') {
        await reader.start();
        if (splits.length > 0) reader.addSplits(splits);
        this.registered.add(i);
        this.enumerator.addReader(i);
      } else {
        if (splits.length > 0) reader.addSplits(splits);
        this.registered.add(i);
        this.enumerator.addReader(i);
        await reader.start();
      }
    }
    if (this.options.registerBeforeStart === true) this.enumerator.start();
  }

  private deliver(message: () => void): void {
    if (this.options.deliverSync === true) {
      message();
      return;
    }
    this.deliveries.push(message);
    if (!this.deliveryScheduled) {
      this.deliveryScheduled = true;
      queueMicrotask(() => this.flushDeliveries());
    }
  }

  private flushDeliveries(): void {
    this.deliveryScheduled = false;
    while (this.deliveries.length > 0) this.deliveries.shift()!();
  }
}

/** Same parallelism: each subtask gets its own splits back; otherwise they are spread round-robin. */
function restoredSplitsFor<SplitT>(perReader: SplitT[][], subtask: number, parallelism: number): SplitT[] {
  if (perReader.length === parallelism) return perReader[subtask];
  return perReader.flat().filter((_, i) => i % parallelism === subtask);
}

/**
 * Runs `source` to a cut point (`minRecords` records emitted), snapshots it, closes it, restores a
 * fresh copy from the snapshot and runs that to the end. Returns what each run emitted.
 */
export async function runWithRestore<T, SplitT extends SourceSplit, EnumState>(
  source: Source<T, SplitT, EnumState>,
  options: {
    parallelism: number;
    cutAfterRecords?: number;
    cutAfterPolls?: number;
    restoreParallelism?: number;
    readerStartOrder?: 'flink' | 'runtime';
    deliverSync?: boolean;
  },
): Promise<{
  before: T[][];
  after: T[][];
  snapshot: SourceSnapshot<SplitT, EnumState>;
}> {
  const common = { readerStartOrder: options.readerStartOrder, deliverSync: options.deliverSync };
  const first = await SourceHarness.create(source, { ...common, parallelism: options.parallelism });
  await first.poll({ minRecords: options.cutAfterRecords, maxPolls: options.cutAfterPolls });
  const snapshot = first.snapshot(1);
  await first.close();
  const second = await SourceHarness.create(source, {
    ...common,
    parallelism: options.restoreParallelism ?? options.parallelism,
    restored: snapshot,
  });
  await second.runToEnd();
  await second.close();
  return {
    before: first.outputs.map((o) => o.values),
    after: second.outputs.map((o) => o.values),
    snapshot,
  };
}
