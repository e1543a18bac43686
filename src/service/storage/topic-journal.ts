import type { LocalLog } from '../../core/index.js';
import type { RecordJournal } from './record-journal.js';

interface Pending {
  readonly value: unknown;
  readonly key: string | undefined;
}

/**
 * A {@link RecordJournal} over one partition of a local-log topic, with group commit: records
 * appended within `lingerMs` go into one transaction (one write, one fsync, one commit-log
 * append), and every caller's promise resolves when that transaction committed.
 *
 * @example
 * ```ts
 * const alerts = new TopicJournal(log, 'alerts');
 * await alerts.append([alert], (a) => a.key);
 * ```
 */
export class TopicJournal<T = unknown> implements RecordJournal<T> {
  private pending: Pending[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private committed = 0;

  constructor(
    private readonly log: LocalLog,
    readonly topic: string,
    private readonly lingerMs = 5,
  ) {}

  get committedCount(): number {
    return this.committed;
  }

  append(values: readonly T[], keyOf?: (value: T) => string | undefined): Promise<void> {
    if (values.length === 0) return Promise.resolve();
    for (const value of values) this.pending.push({ value, key: keyOf?.(value) });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.timer ??= setTimeout(() => this.commitNow(), this.lingerMs);
    return done;
  }

  flush(): Promise<void> {
    this.commitNow();
    return Promise.resolve();
  }

  private commitNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    if (batch.length === 0) return;
    try {
      const txn = this.log.beginTransaction(`service-${this.topic}`);
      for (const r of batch) txn.appendJson(this.topic, 0, r.value, { key: r.key ?? null });
      txn.commitSync();
      this.committed += batch.length;
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e);
    }
  }
}
