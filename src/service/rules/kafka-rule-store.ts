import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { KafkaRecord } from '../../core/connectors/kafka/index.js';
import { bootRetry } from '../kafka/boot-retry.js';
import type { KafkaConnection } from '../kafka/kafka-connection.js';
import { TopicTailer } from '../kafka/topic-tailer.js';
import { RuleHistory } from './rule-history.js';
import type { RuleRecord } from './rule-record.js';
import { type RuleStore, RuleVersionConflictError } from './rule-store.js';

/** Header carrying a writer's id for a rule record, so the writer recognises it when read back. */
const WRITE_ID_HEADER = 'rule.write-id';
/** How long `append` waits to read its own record back. */
const READ_BACK_TIMEOUT_MS = 30_000;

/**
 * Kafka mode's {@link RuleStore}: the compacted rules topic (one partition, key = rule id, the
 * JSON {@link RuleRecord} as value; deletions are records with `deleted: true` so their version
 * survives compaction). Every replica reads the whole topic at boot and then follows it.
 *
 * Optimistic concurrency across replicas uses the topic as the sequencer: a record is applied
 * only if its version is above the id's latest, in topic order, so every reader keeps the same
 * winner. `append` writes the record with a unique write id and resolves once it has read the
 * record back: applied, or {@link RuleVersionConflictError} when a concurrent write of another
 * replica came first (HTTP 409).
 *
 * @example
 * ```ts
 * const store = await KafkaRuleStore.open(kafka);
 * await store.append({ id: 'r', version: 1, at: Date.now(), rule });
 * ```
 */
export class KafkaRuleStore implements RuleStore {
  private readonly logger = new Logger('KafkaRuleStore');
  private readonly latest = new Map<string, RuleRecord>();
  private readonly versions = new RuleHistory();
  private readonly listeners = new Set<(record: RuleRecord) => void>();
  private readonly waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private tail: TopicTailer | undefined;

  private constructor(private readonly kafka: KafkaConnection) {}

  /** Reads the rules topic to its end, then follows it. @example `await KafkaRuleStore.open(kafka)` */
  static async open(kafka: KafkaConnection): Promise<KafkaRuleStore> {
    const store = new KafkaRuleStore(kafka);
    // A booting cluster may still refuse the tail's group join (coordinator loading): retried
    // until the boot deadline. A failed attempt left no tail running and delivered nothing to
    // keep (the tail starts at the topic's beginning again).
    store.tail = await bootRetry(`reading the rules topic ${kafka.topics.rules}`, kafka.boot, () => {
      store.latest.clear();
      return TopicTailer.start({
        port: kafka.port,
        admin: kafka.admin,
        topic: kafka.topics.rules,
        groupPrefix: kafka.settings.appId,
        onRecord: (r) => store.onRecord(r),
      });
    });
    await withTimeout(
      store.tail.caughtUp,
      READ_BACK_TIMEOUT_MS,
      `reading the rules topic ${kafka.topics.rules}`,
    );
    return store;
  }

  snapshot(): ReadonlyMap<string, RuleRecord> {
    return this.latest;
  }

  get(id: string): RuleRecord | undefined {
    return this.latest.get(id);
  }

  async append(record: RuleRecord): Promise<void> {
    const writeId = randomUUID();
    const applied = new Promise<void>((resolve, reject) => this.waiting.set(writeId, { resolve, reject }));
    // The record can be read back (and refused) before `send` returns: handled below, not unhandled.
    applied.catch(() => {});
    try {
      await this.kafka.producer.send(this.kafka.topics.rules, [
        { key: record.id, value: JSON.stringify(record), headers: { [WRITE_ID_HEADER]: writeId } },
      ]);
      await withTimeout(applied, READ_BACK_TIMEOUT_MS, `reading rule ${record.id} v${record.version} back`);
    } finally {
      this.waiting.delete(writeId);
    }
  }

  subscribe(listener: (record: RuleRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Leaves the topic. @example `await store.close()` */
  async close(): Promise<void> {
    await this.tail?.stop();
  }

  /** Nest calls it at shutdown (the store is a factory-made provider). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  history(id: string): readonly RuleRecord[] {
    return this.versions.of(id);
  }

  private onRecord(r: KafkaRecord): void {
    const record = parseRuleRecord(r);
    const writeId = r.headers[WRITE_ID_HEADER]?.toString();
    const waiter = writeId === undefined ? undefined : this.waiting.get(writeId);
    if (record === undefined) {
      this.logger.warn(`skipping malformed record ${r.partition}@${r.offset} of the rules topic`);
      waiter?.reject(new Error('the rule record was read back malformed'));
      return;
    }
    const previous = this.latest.get(record.id);
    if (previous !== undefined && record.version <= previous.version) {
      waiter?.reject(new RuleVersionConflictError(record.id, previous.version));
      return;
    }
    this.latest.set(record.id, record);
    this.versions.remember(record);
    for (const l of this.listeners) l(record);
    waiter?.resolve();
  }
}

function parseRuleRecord(r: KafkaRecord): RuleRecord | undefined {
  if (r.value === null) return undefined;
  try {
    const v = JSON.parse(r.value.toString('utf8')) as Partial<RuleRecord>;
    if (typeof v.id !== 'string' || !Number.isSafeInteger(v.version) || typeof v.at !== 'number')
      return undefined;
    if (v.deleted !== true && (typeof v.rule !== 'object' || v.rule === null)) return undefined;
    return v as RuleRecord;
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
