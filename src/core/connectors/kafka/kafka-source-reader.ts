import { AVAILABLE, AvailabilityNotifier } from '../availability.js';
import {
  InputStatus,
  type ReaderOutput,
  type SourceOutput,
  type SourceReader,
  type SourceReaderContext,
} from '../source.js';
import { ensureTopics } from './ensure-topics.js';
import { deadLetterHeaders, type KafkaDeserializer } from './kafka-deserializer.js';
import { type KafkaPartitionSplit, kafkaSplitId } from './kafka-partition-split.js';
import type {
  KafkaAdminPort,
  KafkaConsumerPort,
  KafkaFetchedBatch,
  KafkaPort,
  KafkaProducerPort,
  KafkaRecord,
  KafkaTopicPartitions,
} from './kafka-port.js';
import type { KafkaStartingOffsets } from './kafka-source.js';

/** What a {@link KafkaSourceReader} needs, resolved by the source. */
export interface KafkaSourceReaderConfig<T> {
  readonly port: KafkaPort;
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly startingOffsets: KafkaStartingOffsets;
  readonly deserializer: KafkaDeserializer<T>;
  readonly deadLetterTopic: string | undefined;
  readonly bounded: boolean;
  readonly maxRecordsPerPoll: number;
  readonly maxBuffered: number;
  readonly commitOffsetsOnCheckpoint: boolean;
  readonly sessionTimeoutMs: number | undefined;
  /** Shared by the readers of one source in this process. */
  readonly restoredPositions: Map<string, KafkaPartitionSplit>;
}

/** A queued fetch result: a record, or "the fetch covered everything before this offset". */
type Entry = KafkaRecord | { readonly advanceTo: number };

/** An assigned partition. */
interface PartitionState {
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  /** Next offset to emit; `null` until known ('committed' start without a checkpoint). */
  position: number | null;
  stopOffset: number | null;
  queue: Entry[];
  head: number;
  paused: boolean;
  finished: boolean;
  output: SourceOutput<unknown> | null;
  /** A rejected record being written to the dead-letter topic. */
  deadLetter: { offset: number; done: boolean; promise: Promise<void> } | null;
}

const key = (topic: string, partition: number): string => kafkaSplitId(topic, partition);

/**
 * Reads the partitions the consumer group assigns to this reader (see {@link KafkaSource}). The
 * kafkajs fetch loop pushes batches into per-partition queues; `pollNext` drains them without
 * blocking, up to `maxRecordsPerPoll` per call. A partition whose queue exceeds `maxBuffered` is
 * paused until it is half drained. A record the deserializer rejects is written to the
 * dead-letter topic; the partition waits for the write's ack before moving past it, so a
 * checkpoint never covers a poison record that is not in the dead-letter topic.
 *
 * @example
 * ```ts
 * const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, sendSplitRequest() {} });
 * await reader.start();
 * reader.pollNext(output);
 * ```
 */
export class KafkaSourceReader<T> implements SourceReader<T, KafkaPartitionSplit> {
  private readonly partitions = new Map<string, PartitionState>();
  private order: PartitionState[] = [];
  private cursor = 0;
  private readonly availability = new AvailabilityNotifier();
  private consumer: KafkaConsumerPort | undefined;
  private admin: KafkaAdminPort | undefined;
  private deadLetterProducer: KafkaProducerPort | undefined;
  private startOffsets = new Map<string, number>();
  private stopOffsets = new Map<string, number>();
  private running = false;
  private joined = false;
  private noMoreSplits = false;
  private closed = false;
  private failure: Error | undefined;
  private readonly checkpointPositions = new Map<number, KafkaPartitionSplit[]>();
  /** Split outputs of revoked partitions, released at the next poll. */
  private revokedOutputs: string[] = [];

  constructor(
    _context: SourceReaderContext,
    private readonly config: KafkaSourceReaderConfig<T>,
  ) {}

  async start(): Promise<void> {
    const c = this.config;
    this.admin = c.port.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, {
      required: c.topics,
      internal: c.deadLetterTopic === undefined ? [] : [{ name: c.deadLetterTopic, partitions: 1 }],
    });
    for (const topic of c.topics) {
      const start = c.startingOffsets;
      if (start !== 'committed') {
        const offsets =
          start === 'earliest'
            ? await this.admin.fetchEarliestOffsets(topic)
            : start === 'latest'
              ? await this.admin.fetchEndOffsets(topic)
              : await this.admin.fetchOffsetsForTimestamp(topic, start.timestamp);
        for (const o of offsets) this.startOffsets.set(key(topic, o.partition), o.offset);
      }
      if (c.bounded) {
        for (const o of await this.admin.fetchEndOffsets(topic))
          this.stopOffsets.set(key(topic, o.partition), o.offset);
      }
    }
    if (c.deadLetterTopic !== undefined) {
      this.deadLetterProducer = c.port.producer();
      await this.deadLetterProducer.connect();
    }
    const consumer = c.port.consumer({
      groupId: c.groupId,
      readUncommitted: false,
      ...(c.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: c.sessionTimeoutMs } : {}),
    });
    this.consumer = consumer;
    consumer.onAssignment((assignment) => this.onAssignment(assignment));
    consumer.onCrash((error) => {
      this.failure = error;
      this.availability.notify();
    });
    await consumer.connect();
    await consumer.subscribe(c.topics, c.startingOffsets !== 'latest');
  }

  /** Restored splits: their positions win over the starting offsets when the group assigns them. */
  addSplits(splits: KafkaPartitionSplit[]): void {
    for (const s of splits) this.config.restoredPositions.set(s.splitId, s);
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.failure !== undefined) throw this.failure;
    this.ensureRunning();
    for (const id of this.revokedOutputs.splice(0)) output.releaseOutputForSplit(id);
    const max = this.config.maxRecordsPerPoll;
    let emitted = 0;
    let visited = 0;
    while (emitted < max && visited < this.order.length) {
      if (this.cursor >= this.order.length) this.cursor = 0;
      const p = this.order[this.cursor]!;
      emitted += this.drain(p, output, max - emitted);
      this.cursor++;
      visited++;
    }
    this.order = this.order.filter((p) => !p.finished && this.partitions.get(p.splitId) === p);
    if (emitted >= max) return InputStatus.MORE_AVAILABLE;
    if (this.ended()) return InputStatus.END_OF_INPUT;
    return this.hasReady() ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    this.ensureRunning();
    if (this.closed || this.failure !== undefined || this.hasReady() || this.ended()) return AVAILABLE;
    const wait = this.availability.wait();
    for (const p of this.partitions.values()) {
      if (p.deadLetter !== null && !p.deadLetter.done) {
        return Promise.race([wait, p.deadLetter.promise.then(() => undefined)]);
      }
    }
    return wait;
  }

  snapshotState(checkpointId: number): KafkaPartitionSplit[] {
    const splits: KafkaPartitionSplit[] = [];
    for (const p of this.partitions.values()) {
      if (p.position === null || p.finished) continue;
      splits.push({
        splitId: p.splitId,
        topic: p.topic,
        partition: p.partition,
        nextOffset: p.position,
        stopOffset: p.stopOffset,
      });
    }
    const commitable = [...splits];
    // Restored positions no reader has been assigned yet must survive this checkpoint.
    for (const s of this.config.restoredPositions.values()) {
      if (!this.partitions.has(s.splitId)) splits.push(s);
    }
    if (this.config.commitOffsetsOnCheckpoint) this.checkpointPositions.set(checkpointId, commitable);
    return splits;
  }

  /** Commits the positions of the completed checkpoint to the group (monitoring, lag, failover). */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const positions = this.checkpointPositions.get(checkpointId);
    for (const id of [...this.checkpointPositions.keys()])
      if (id <= checkpointId) this.checkpointPositions.delete(id);
    if (positions === undefined || this.consumer === undefined || this.closed) return;
    const byTopic = new Map<string, { partition: number; offset: number }[]>();
    for (const s of positions) {
      if (!this.partitions.has(s.splitId)) continue; // revoked since: not ours to commit
      let list = byTopic.get(s.topic);
      if (list === undefined) {
        list = [];
        byTopic.set(s.topic, list);
      }
      list.push({ partition: s.partition, offset: s.nextOffset });
    }
    for (const [topic, offsets] of byTopic) {
      // Best effort: correctness comes from the checkpoint; a rebalance can reject the commit.
      await this.consumer.commitOffsets(topic, offsets).catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.availability.notify();
    const steps = [
      this.consumer?.disconnect(),
      this.deadLetterProducer?.disconnect(),
      this.admin?.disconnect(),
    ];
    await Promise.allSettled(steps);
  }

  /** The partitions currently assigned to this reader (for tests and metrics). */
  assignedSplits(): string[] {
    return [...this.partitions.keys()];
  }

  private ensureRunning(): void {
    if (this.running || this.consumer === undefined || this.closed) return;
    this.running = true;
    this.consumer
      .run((batch) => this.onBatch(batch))
      .catch((error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.availability.notify();
      });
  }

  private ended(): boolean {
    if (!this.config.bounded || !this.noMoreSplits || !this.joined) return false;
    for (const p of this.partitions.values()) if (!p.finished) return false;
    return true;
  }

  private hasReady(): boolean {
    for (const p of this.partitions.values()) {
      if (p.finished) continue;
      if (p.deadLetter !== null) {
        if (p.deadLetter.done) return true;
        continue;
      }
      if (p.head < p.queue.length) return true;
      if (p.stopOffset !== null && p.position !== null && p.position >= p.stopOffset) return true;
    }
    return false;
  }

  private onAssignment(assignment: readonly KafkaTopicPartitions[]): void {
    const now = new Set<string>();
    for (const tp of assignment) for (const partition of tp.partitions) now.add(key(tp.topic, partition));
    // Revoked partitions: another member reads them now, from the group's committed offset.
    for (const [id, p] of this.partitions) {
      if (!now.has(id)) {
        this.partitions.delete(id);
        if (p.output !== null) this.revokedOutputs.push(id);
        p.output = null;
        p.finished = true;
        p.queue = [];
      }
    }
    for (const tp of assignment) {
      for (const partition of tp.partitions) {
        const id = key(tp.topic, partition);
        if (this.partitions.has(id)) continue;
        const restored = this.config.restoredPositions.get(id);
        this.config.restoredPositions.delete(id);
        const position = restored?.nextOffset ?? this.startOffsets.get(id) ?? null;
        const stopOffset = this.config.bounded ? (this.stopOffsets.get(id) ?? 0) : null;
        const state: PartitionState = {
          splitId: id,
          topic: tp.topic,
          partition,
          position,
          stopOffset,
          queue: [],
          head: 0,
          paused: false,
          finished: stopOffset !== null && position !== null && position >= stopOffset,
          output: null,
          deadLetter: null,
        };
        this.partitions.set(id, state);
        this.order.push(state);
        if (position !== null) this.consumer!.seek(tp.topic, partition, position);
      }
    }
    this.joined = true;
    this.availability.notify();
  }

  private async onBatch(batch: KafkaFetchedBatch): Promise<void> {
    const p = this.partitions.get(key(batch.topic, batch.partition));
    if (p === undefined || p.finished || this.closed) return;
    let records = batch.records;
    if (p.position !== null) {
      const from = p.position;
      if (records.length > 0 && records[0]!.offset < from) records = records.filter((r) => r.offset >= from);
    }
    for (const r of records) p.queue.push(r);
    if (batch.nextOffset !== null) p.queue.push({ advanceTo: batch.nextOffset });
    if (!p.paused && p.queue.length - p.head >= this.config.maxBuffered) {
      p.paused = true;
      this.consumer?.pause([{ topic: p.topic, partitions: [p.partition] }]);
    }
    this.availability.notify();
  }

  /** Emits up to `budget` records of one partition; returns how many it emitted. */
  private drain(p: PartitionState, output: ReaderOutput<T>, budget: number): number {
    if (p.finished) return 0;
    let emitted = 0;
    if (p.deadLetter !== null) {
      if (!p.deadLetter.done) return 0;
      p.position = p.deadLetter.offset + 1;
      p.deadLetter = null;
      p.head++;
    }
    while (emitted < budget && p.head < p.queue.length) {
      if (p.stopOffset !== null && p.position !== null && p.position >= p.stopOffset) break;
      const entry = p.queue[p.head]!;
      if ('advanceTo' in entry) {
        if (p.position === null || entry.advanceTo > p.position) p.position = entry.advanceTo;
        p.head++;
        continue;
      }
      if (p.stopOffset !== null && entry.offset >= p.stopOffset) {
        p.position = p.stopOffset;
        break;
      }
      let value: T;
      try {
        value = this.config.deserializer(entry);
      } catch (error) {
        this.sendToDeadLetter(p, entry, error);
        break;
      }
      if (p.output === null) p.output = output.createOutputForSplit(p.splitId) as SourceOutput<unknown>;
      (p.output as SourceOutput<T>).collect(value, entry.timestamp);
      p.position = entry.offset + 1;
      p.head++;
      emitted++;
    }
    if (p.head > 1024 && p.head * 2 > p.queue.length) {
      p.queue = p.queue.slice(p.head);
      p.head = 0;
    }
    if (p.paused && p.queue.length - p.head <= this.config.maxBuffered / 2) {
      p.paused = false;
      this.consumer?.resume([{ topic: p.topic, partitions: [p.partition] }]);
    }
    if (p.stopOffset !== null && p.position !== null && p.position >= p.stopOffset) {
      p.finished = true;
      p.queue = [];
      p.head = 0;
      if (p.output !== null) output.releaseOutputForSplit(p.splitId);
      p.output = null;
    }
    return emitted;
  }

  private sendToDeadLetter(p: PartitionState, record: KafkaRecord, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    const producer = this.deadLetterProducer;
    if (producer === undefined) {
      throw new Error(
        `cannot decode record ${record.topic}/${record.partition}@${record.offset}: ${reason} (configure deadLetterTopic to skip such records)`,
        { cause: error },
      );
    }
    const headers = deadLetterHeaders(record, reason);
    const pending = { offset: record.offset, done: false, promise: Promise.resolve() };
    pending.promise = producer
      .send(this.config.deadLetterTopic!, [
        { key: record.key, value: record.value, timestamp: record.timestamp, headers },
      ])
      .then(
        () => {
          pending.done = true;
          this.availability.notify();
        },
        (sendError: unknown) => {
          this.failure = new Error(`cannot write to dead-letter topic ${this.config.deadLetterTopic}`, {
            cause: sendError,
          });
          this.availability.notify();
        },
      );
    p.deadLetter = pending;
  }
}
