import { AvailabilityNotifier } from '../../availability.js';
import type { KafkaRecord } from '../kafka-port.js';
import type { TaskOutputRecord } from './task-output-record.js';

/**
 * What the pieces of one partition task share: the records the runner's consumer fetched for the
 * partition (the source drains them), the input position the source snapshotted per checkpoint,
 * and the records pre-committed per checkpoint: the sink's outputs (and watermark records), the
 * source's dead letters. The task's checkpoint storage takes the last two when it commits a
 * checkpoint as one Kafka transaction.
 */
export class TaskCommitContext {
  private queue: KafkaRecord[] = [];
  private head = 0;
  /** Offset of the next record the task expects from the consumer (dedupe after seeks/rejoins). */
  expected: number;
  private readonly availability = new AvailabilityNotifier();
  private readonly offsets = new Map<number, number>();
  private outputs: { checkpointId: number; records: TaskOutputRecord[] }[] = [];
  /** Input offset of the last committed transaction (or the start offset). */
  committedOffset: number;
  /** Set when the task stops: nothing may be committed for it any more. */
  closed = false;
  /** First offset of a batch dropped for skipping records (see the runner's stale-batch check). */
  skippedBatchAt: number | undefined;
  /** The consumer must stop fetching this partition (buffer full). */
  backpressured = false;
  private endOffset = Number.POSITIVE_INFINITY;
  private endOffsetProbedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Where the source starts: the offset recorded with the restored snapshot. */
    readonly startOffset: number,
    private readonly maxBuffered: number,
    /** Called when the buffer drained below half after backpressure. */
    private readonly onDrained: () => void,
  ) {
    this.expected = startOffset;
    this.committedOffset = startOffset;
  }

  /**
   * Appends fetched records (those before `expected` are duplicates and dropped). `nextOffset`
   * is the offset after everything the fetch covered, filtered records included. Returns true to
   * pause.
   */
  push(records: readonly KafkaRecord[], nextOffset: number | null = null): boolean {
    if (this.closed) return false;
    for (const r of records) {
      if (r.offset < this.expected) continue;
      this.queue.push(r);
      this.expected = r.offset + 1;
    }
    // On a transactional input (a repartition topic) a fetch ends with a commit marker the
    // consumer filtered out. Without this the next fetch, which starts after the marker, would
    // look like a gap: the runner would drop it and seek back once per fetch.
    if (nextOffset !== null && nextOffset > this.expected) this.expected = nextOffset;
    this.availability.notify();
    if (!this.backpressured && this.queue.length - this.head >= this.maxBuffered) {
      this.backpressured = true;
      return true;
    }
    return false;
  }

  /** Takes up to `max` buffered records. */
  take(max: number): KafkaRecord[] {
    const end = Math.min(this.queue.length, this.head + max);
    const out = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.backpressured && this.queue.length - this.head <= this.maxBuffered / 2) {
      this.backpressured = false;
      this.onDrained();
    }
    return out;
  }

  buffered(): number {
    return this.queue.length - this.head;
  }

  /**
   * The partition's end offset as a probe found it, and the processing time the probe was sent
   * (see {@link caughtUpSince}).
   */
  noteEndOffset(endOffset: number, probedAt: number): void {
    this.endOffset = endOffset;
    this.endOffsetProbedAt = probedAt;
  }

  /**
   * Whether a probe sent at or after `since` found the partition's end at or below what was
   * fetched, and nothing fetched waits in the buffer: the task has no backlog.
   */
  caughtUpSince(since: number): boolean {
    return this.endOffsetProbedAt >= since && this.buffered() === 0 && this.expected >= this.endOffset;
  }

  /** Resolves when records arrive (or the task closes). */
  whenAvailable(): Promise<void> {
    if (this.closed || this.buffered() > 0) return Promise.resolve();
    return this.availability.wait();
  }

  /** The source snapshotted its position (next offset) for `checkpointId`. */
  recordOffset(checkpointId: number, nextOffset: number): void {
    this.offsets.set(checkpointId, nextOffset);
  }

  /** The sink (or the source, for dead letters) pre-committed `records` at the barrier of `checkpointId`. */
  addOutputs(checkpointId: number, records: TaskOutputRecord[]): void {
    if (records.length > 0) this.outputs.push({ checkpointId, records });
  }

  /**
   * The input offset and the records a checkpoint covers (those of aborted earlier checkpoints
   * included). The records stay until {@link committed} (a failed transaction restarts the task).
   */
  pendingFor(checkpointId: number): { offset: number | undefined; records: TaskOutputRecord[] } {
    const records: TaskOutputRecord[] = [];
    for (const o of this.outputs) {
      if (o.checkpointId > checkpointId) continue;
      for (const r of o.records) records.push(r);
    }
    return { offset: this.offsets.get(checkpointId), records };
  }

  /** The transaction of `checkpointId` committed. */
  committed(checkpointId: number, offset: number): void {
    this.outputs = this.outputs.filter((o) => o.checkpointId > checkpointId);
    for (const id of [...this.offsets.keys()]) if (id <= checkpointId) this.offsets.delete(id);
    this.committedOffset = offset;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.availability.notify();
  }
}
