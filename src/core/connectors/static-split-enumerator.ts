import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from './source.js';

/**
 * How a {@link StaticSplitEnumerator} hands out its splits.
 *
 * - `round-robin` (push): at `start()` split `i` goes to subtask `i % parallelism`, then every reader
 *   is told there are no more splits. Deterministic: the same reader always gets the same splits,
 *   which keeps the order within a split range stable across runs.
 * - `on-request` (pull): a reader asks (`SourceReaderContext.sendSplitRequest()`) whenever it is
 *   idle and gets the next split, or "no more splits" once the list is used up. Balances uneven
 *   splits (e.g. files of very different sizes) across readers, as Flink's file source does.
 */
export type SplitAssignment = 'round-robin' | 'on-request';

/** Options of {@link StaticSplitEnumerator}. */
export interface StaticSplitEnumeratorOptions {
  /** Default `round-robin`. */
  readonly assignment?: SplitAssignment;
}

/**
 * A split enumerator over a list of splits known up front (Flink's static enumerators for
 * bounded collections, number sequences, a fixed set of files).
 *
 * Its checkpoint state is the list of splits not yet handed to any reader; splits already assigned
 * are checkpointed by their readers, with positions. Restore by passing that list back as `splits`.
 *
 * @example
 * ```ts
 * createEnumerator(context: SplitEnumeratorContext<MySplit>) {
 *   return new StaticSplitEnumerator(context, this.makeSplits(context.currentParallelism()));
 * }
 * restoreEnumerator(context: SplitEnumeratorContext<MySplit>, unassigned: MySplit[]) {
 *   return new StaticSplitEnumerator(context, unassigned);
 * }
 * ```
 */
export class StaticSplitEnumerator<SplitT extends SourceSplit> implements SplitEnumerator<SplitT, SplitT[]> {
  private readonly assignment: SplitAssignment;
  /** `on-request`: the splits nobody has asked for yet, in order. */
  private readonly unassigned: SplitT[];
  /** `round-robin`: per subtask, the splits decided for it but not delivered (reader not registered yet). */
  private readonly pending = new Map<number, SplitT[]>();
  private started = false;

  constructor(
    private readonly context: SplitEnumeratorContext<SplitT>,
    splits: readonly SplitT[],
    options?: StaticSplitEnumeratorOptions,
  ) {
    this.assignment = options?.assignment ?? 'round-robin';
    this.unassigned = [...splits];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.assignment === 'on-request') return;
    const parallelism = this.context.currentParallelism();
    for (let i = 0; i < this.unassigned.length; i++)
      this.pendingFor(i % parallelism).push(this.unassigned[i]);
    this.unassigned.length = 0;
    for (const subtask of this.context.registeredReaders()) this.deliver(subtask);
  }

  /** Pull mode: hands the requesting reader the next split, or tells it there are none left. Ignored in push mode. */
  handleSplitRequest(subtaskIndex: number): void {
    if (this.assignment !== 'on-request') return;
    const split = this.unassigned.shift();
    if (split === undefined) this.context.signalNoMoreSplits(subtaskIndex);
    else this.context.assignSplit(split, subtaskIndex);
  }

  /**
   * Takes back the splits of a failed reader. In push mode they go back to the same subtask (to
   * `subtaskIndex % parallelism` if parallelism shrank), delivered at once if its reader is
   * registered, otherwise when it registers again. In pull mode they are handed out next, in order.
   */
  addSplitsBack(splits: SplitT[], subtaskIndex: number): void {
    if (splits.length === 0) return;
    if (this.assignment === 'on-request') {
      this.unassigned.unshift(...splits);
      return;
    }
    if (!this.started) {
      // Not yet distributed: they join the list and are spread like the others at start().
      this.unassigned.push(...splits);
      return;
    }
    const target = subtaskIndex % this.context.currentParallelism();
    this.pendingFor(target).push(...splits);
    if (this.context.registeredReaders().includes(target)) this.deliver(target);
  }

  /** Push mode: a reader (new, or restarted after a failure) gets what is pending for it and "no more splits". */
  addReader(subtaskIndex: number): void {
    if (this.assignment === 'round-robin' && this.started) this.deliver(subtaskIndex);
  }

  /** The splits no reader has received, to be passed as `splits` when restoring. */
  snapshotState(_checkpointId: number): SplitT[] {
    const splits = [...this.unassigned];
    const subtasks = [...this.pending.keys()].sort((a, b) => a - b);
    for (const subtask of subtasks) splits.push(...this.pending.get(subtask)!);
    return splits;
  }

  close(): void {}

  private pendingFor(subtaskIndex: number): SplitT[] {
    let splits = this.pending.get(subtaskIndex);
    if (splits === undefined) {
      splits = [];
      this.pending.set(subtaskIndex, splits);
    }
    return splits;
  }

  private deliver(subtaskIndex: number): void {
    const splits = this.pending.get(subtaskIndex);
    this.pending.delete(subtaskIndex);
    if (splits !== undefined) for (const split of splits) this.context.assignSplit(split, subtaskIndex);
    this.context.signalNoMoreSplits(subtaskIndex);
  }
}
