import { jsonValue, type LocalLog } from '../../core/index.js';
import { RuleHistory } from './rule-history.js';
import type { RuleRecord } from './rule-record.js';
import type { RuleStore } from './rule-store.js';

/**
 * The embedded {@link RuleStore}: the local log's `rules` topic (one partition, key = rule id),
 * read fully on open to rebuild the latest record per id. Each append is its own committed,
 * fsynced transaction, so an acknowledged rule change survives a crash.
 *
 * @example
 * ```ts
 * const store = LocalLogRuleStore.open(log);
 * await store.append({ id: 'r', version: 1, at: Date.now(), rule });
 * ```
 */
export class LocalLogRuleStore implements RuleStore {
  private readonly latest = new Map<string, RuleRecord>();
  private readonly versions = new RuleHistory();
  private readonly listeners = new Set<(record: RuleRecord) => void>();

  private constructor(
    private readonly log: LocalLog,
    private readonly topic: string,
  ) {}

  /** Reads the topic from the start. @example `LocalLogRuleStore.open(log)` */
  static open(log: LocalLog, topic = 'rules'): LocalLogRuleStore {
    const store = new LocalLogRuleStore(log, topic);
    const reader = log.reader(topic, 0, 0);
    try {
      for (;;) {
        const batch = reader.poll(1000);
        if (batch.length === 0) break;
        for (const r of batch) store.remember(jsonValue<RuleRecord>(r));
      }
    } finally {
      reader.close();
    }
    return store;
  }

  snapshot(): ReadonlyMap<string, RuleRecord> {
    return this.latest;
  }

  get(id: string): RuleRecord | undefined {
    return this.latest.get(id);
  }

  history(id: string): readonly RuleRecord[] {
    return this.versions.of(id);
  }

  async append(record: RuleRecord): Promise<void> {
    const txn = this.log.beginTransaction('service-rules');
    txn.appendJson(this.topic, 0, record, { key: record.id, timestamp: record.at });
    txn.commitSync();
    this.remember(record);
    for (const l of this.listeners) l(record);
  }

  subscribe(listener: (record: RuleRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private remember(record: RuleRecord): void {
    this.versions.remember(record);
    const prev = this.latest.get(record.id);
    if (prev === undefined || record.version > prev.version) this.latest.set(record.id, record);
  }
}
