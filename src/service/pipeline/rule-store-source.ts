import {
  AvailabilityNotifier,
  Boundedness,
  InputStatus,
  type ReaderOutput,
  type Source,
  type SourceReader,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
  StaticSplitEnumerator,
} from '../../core/index.js';
import type { RuleRecord } from '../rules/rule-record.js';
import type { RuleStore } from '../rules/rule-store.js';

/**
 * The rule-update stream of a Kafka-mode task, read from the process's {@link RuleStore} (which
 * follows the compacted rules topic): first the latest record of every rule id, then every
 * record the store applies. Many tasks share one reader of the topic instead of one consumer
 * each. Nothing to checkpoint: a restored task gets the whole table again, and the engine's rule
 * table ignores versions it already has, so replays are harmless (a GlobalKTable's semantics).
 * Parallelism 1 (a partition task).
 *
 * @example
 * ```ts
 * env.fromSource(new RuleStoreSource(store), ruleUpdateWatermarks(), 'rules').map(toRuleUpdate);
 * ```
 */
export class RuleStoreSource implements Source<RuleRecord, SourceSplit, SourceSplit[]> {
  constructor(private readonly store: RuleStore) {}

  getBoundedness(): Boundedness {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  createEnumerator(
    context: SplitEnumeratorContext<SourceSplit>,
  ): SplitEnumerator<SourceSplit, SourceSplit[]> {
    return new StaticSplitEnumerator(context, []);
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<SourceSplit>,
  ): SplitEnumerator<SourceSplit, SourceSplit[]> {
    return new StaticSplitEnumerator(context, []);
  }

  createReader(): SourceReader<RuleRecord, SourceSplit> {
    return new RuleStoreReader(this.store);
  }
}

class RuleStoreReader implements SourceReader<RuleRecord, SourceSplit> {
  private queue: RuleRecord[] = [];
  private readonly availability = new AvailabilityNotifier();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly store: RuleStore) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((record) => {
      this.queue.push(record);
      this.availability.notify();
    });
    // Subscribed first, so nothing falls between the snapshot and the updates (a duplicate is ignored).
    this.queue.unshift(...this.store.snapshot().values());
  }

  pollNext(output: ReaderOutput<RuleRecord>): InputStatus {
    const records = this.queue;
    this.queue = [];
    for (const r of records) output.collect(r);
    return InputStatus.NOTHING_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    return this.queue.length > 0 ? Promise.resolve() : this.availability.wait();
  }

  addSplits(): void {}

  notifyNoMoreSplits(): void {}

  snapshotState(): SourceSplit[] {
    return [];
  }

  close(): void {
    this.unsubscribe?.();
    this.queue = [];
    this.availability.notify();
  }
}
