import { randomUUID } from 'node:crypto';
import type {
  KafkaAdminPort,
  KafkaConsumerPort,
  KafkaPort,
  KafkaRecord,
} from '../../core/connectors/kafka/index.js';

/**
 * Options of {@link TopicTailer.start}.
 *
 * @example
 * ```ts
 * const o: TopicTailerOptions = { port, admin, topic: 'alerts', groupPrefix: 'cep-rules', onRecord };
 * ```
 */
export interface TopicTailerOptions {
  readonly port: KafkaPort;
  readonly admin: KafkaAdminPort;
  readonly topic: string;
  /** The throwaway consumer group is `<prefix>-tail-<topic>-<uuid>`. */
  readonly groupPrefix: string;
  /**
   * Called for every record in offset order per partition; `preexisting` is true for records
   * that were in the topic when the tail started (below its end offsets then).
   */
  readonly onRecord: (record: KafkaRecord, preexisting: boolean) => void;
  /** Start this many records before each partition's end instead of at its beginning. */
  readonly lastRecordsPerPartition?: number;
}

/**
 * Reads every partition of a topic, read_committed, from its start (or its last records), and
 * then follows it: what a KTable/GlobalKTable reader does. kafkajs has no manual assignment, so
 * the reader is the only member of a throwaway consumer group (never committed: the broker
 * forgets it once empty). `caughtUp` resolves once the records that existed at start were
 * handed over, so a reader can serve a complete view (the rule store does).
 *
 * @example
 * ```ts
 * const tail = await TopicTailer.start({ port, admin, topic: 'cep-rules-rules', groupPrefix: 'cep', onRecord });
 * await tail.caughtUp;
 * await tail.stop();
 * ```
 */
export class TopicTailer {
  private readonly positions = new Map<number, number>();
  private markCaughtUp!: () => void;
  /** Resolves once every record below the end offsets seen at start was delivered. */
  readonly caughtUp: Promise<void>;

  private constructor(
    private readonly consumer: KafkaConsumerPort,
    private readonly ends: ReadonlyMap<number, number>,
  ) {
    this.caughtUp = new Promise((resolve) => {
      this.markCaughtUp = resolve;
    });
  }

  /** Joins the throwaway group and starts reading. @example `await TopicTailer.start(options)` */
  static async start(o: TopicTailerOptions): Promise<TopicTailer> {
    const ends = new Map((await o.admin.fetchEndOffsets(o.topic)).map((e) => [e.partition, e.offset]));
    const consumer = o.port.consumer({
      groupId: `${o.groupPrefix}-tail-${o.topic}-${randomUUID()}`,
      maxWaitTimeMs: 100,
    });
    const tailer = new TopicTailer(consumer, ends);
    tailer.checkCaughtUp();
    const last = o.lastRecordsPerPartition;
    if (last !== undefined) {
      const earliest = new Map(
        (await o.admin.fetchEarliestOffsets(o.topic)).map((e) => [e.partition, e.offset]),
      );
      consumer.onAssignment((assignment) => {
        for (const a of assignment) {
          if (a.topic !== o.topic) continue;
          for (const p of a.partitions) {
            const from = Math.max(earliest.get(p) ?? 0, (ends.get(p) ?? 0) - last);
            if ((tailer.positions.get(p) ?? 0) < from) consumer.seek(o.topic, p, from);
          }
        }
      });
    }
    try {
      await consumer.connect();
      await consumer.subscribe([o.topic], true);
      await consumer.run(async (batch) => {
        let position = tailer.positions.get(batch.partition) ?? 0;
        const end = ends.get(batch.partition) ?? 0;
        for (const r of batch.records) {
          // A rejoin rewinds to the (never committed) start: skip what was delivered.
          if (r.offset < position) continue;
          position = r.offset + 1;
          o.onRecord(r, r.offset < end);
        }
        if (batch.nextOffset !== null && batch.nextOffset > position) position = batch.nextOffset;
        tailer.positions.set(batch.partition, position);
        tailer.checkCaughtUp();
      });
    } catch (e) {
      // Nothing half-started stays behind a failed start (the boot retries it).
      await consumer.disconnect().catch(() => {});
      throw e;
    }
    return tailer;
  }

  /** Leaves the group. @example `await tail.stop()` */
  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => {});
  }

  private checkCaughtUp(): void {
    for (const [partition, end] of this.ends) if ((this.positions.get(partition) ?? 0) < end) return;
    this.markCaughtUp();
  }
}
