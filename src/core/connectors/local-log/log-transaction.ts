import type { CommitRecord } from './commit-log.js';
import type { LocalLog } from './local-log.js';

/** Options of {@link LogTransaction.append}. */
export interface AppendOptions {
  /** Optional key (strings are stored as UTF-8). */
  readonly key?: Buffer | string | null;
  /** Milliseconds since the epoch; default `Date.now()` at append. */
  readonly timestamp?: number;
}

/** One partition's slice of a prepared transaction, as written to disk. */
export interface PreparedRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset of the slice. */
  readonly startOffset: number;
  /** One past its last offset. */
  readonly endOffset: number;
  /** Segment file (base offset) and byte position the slice was written to, and its length. */
  readonly segmentBase: number;
  readonly position: number;
  readonly bytes: number;
  /** CRC32 of those bytes: recovery commits the slice only if the disk still holds exactly them. */
  readonly crc: number;
}

/**
 * What {@link LogTransaction.prepare} returns: a plain, JSON-serializable description of the
 * pending appends. A two-phase-commit sink stores it in its checkpoint; after a crash it passes it to
 * {@link LocalLog.commitPrepared} (or {@link LocalLog.abortPrepared}).
 *
 * @example
 * ```ts
 * const handle = await txn.prepare();
 * snapshot.pending = JSON.stringify(handle);
 * // after a restart:
 * await log.commitPrepared(JSON.parse(snapshot.pending), { checkpointId: 42 });
 * ```
 */
export interface PreparedTransaction {
  readonly format: 'local-log-txn/1';
  readonly transactionalId: string;
  readonly seq: number;
  readonly ranges: readonly PreparedRange[];
}

/** Life cycle of a {@link LogTransaction}. */
export type TransactionState = 'open' | 'prepared' | 'committed' | 'aborted';

/** A record buffered by an open transaction. */
export interface BufferedRecord {
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer;
}

/** The buffered records of one partition of a transaction. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: BufferedRecord[];
}

/**
 * A write transaction over any partitions of any topics of a {@link LocalLog}. Appends are buffered
 * in memory; {@link prepare} writes them (one write per partition) and fsyncs; {@link commit} makes
 * them visible to readers together with the caller's `extra`, in one atomic step. Offsets are
 * assigned at prepare.
 *
 * Several transactions may be live at once (a prepared one waiting for its checkpoint while the next
 * one fills), but on a shared partition they commit in prepare order and abort newest first.
 *
 * @example
 * ```ts
 * const txn = log.beginTransaction('alerts-sink-0');
 * txn.appendJson('alerts', 0, { rule: 'r1', key: 'acct-7' }, { key: 'acct-7' });
 * txn.append('audit', 3, Buffer.from('raw'));
 * const handle = await txn.prepare();       // durable, still invisible
 * await txn.commit({ checkpointId: 12 });   // visible, atomically with the checkpoint id
 * ```
 */
export class LogTransaction {
  private stateValue: TransactionState = 'open';
  private readonly batches = new Map<string, PartitionBatch>();
  private count = 0;
  /** Set by {@link prepare}. */
  handle: PreparedTransaction | undefined;

  /** @internal Created by {@link LocalLog.beginTransaction}. */
  constructor(
    private readonly log: LocalLog,
    readonly transactionalId: string,
    readonly seq: number,
  ) {}

  get state(): TransactionState {
    return this.stateValue;
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.count;
  }

  /** Buffers one record for `topic`/`partition` (which must exist). */
  append(
    topic: string,
    partition: number,
    value: Buffer | Uint8Array | string,
    options: AppendOptions = {},
  ): void {
    if (this.stateValue !== 'open') throw new Error(`cannot append to a ${this.stateValue} transaction`);
    const id = `${topic}\u0000${partition}`;
    let batch = this.batches.get(id);
    if (batch === undefined) {
      this.log.checkPartition(topic, partition);
      batch = { topic, partition, records: [] };
      this.batches.set(id, batch);
    }
    const key = options.key;
    batch.records.push({
      timestamp: options.timestamp ?? Date.now(),
      key:
        key === undefined || key === null ? null : typeof key === 'string' ? Buffer.from(key, 'utf8') : key,
      value:
        typeof value === 'string'
          ? Buffer.from(value, 'utf8')
          : Buffer.isBuffer(value)
            ? value
            : Buffer.from(value),
    });
    this.count++;
  }

  /** Buffers `JSON.stringify(value)`; read it back with `jsonValue`. */
  appendJson(topic: string, partition: number, value: unknown, options: AppendOptions = {}): void {
    this.append(topic, partition, JSON.stringify(value), options);
  }

  /**
   * Writes the buffered records (one write per partition, then one fsync per partition) and returns
   * the handle. After it resolves the records survive a crash but stay invisible until committed.
   */
  async prepare(): Promise<PreparedTransaction> {
    return this.prepareSync();
  }

  /**
   * {@link prepare} without the promise (its I/O is synchronous anyway): for callers on a
   * synchronous path such as a sink's pre-commit inside a checkpoint snapshot.
   *
   * @example
   * ```ts
   * const handle = txn.prepareSync(); // written + fsynced, invisible
   * ```
   */
  prepareSync(): PreparedTransaction {
    if (this.stateValue !== 'open') throw new Error(`cannot prepare a ${this.stateValue} transaction`);
    this.handle = this.log.prepareTransaction(this, [...this.batches.values()]);
    this.batches.clear();
    this.stateValue = 'prepared';
    return this.handle;
  }

  /**
   * Makes the records visible and records `extra` (any JSON value: checkpoint id, source positions,
   * a state snapshot's path) in the same atomic commit-log append. Prepares first if still open.
   */
  async commit(extra?: unknown): Promise<CommitRecord> {
    return this.commitSync(extra);
  }

  /**
   * {@link commit} without the promise (its I/O is synchronous anyway).
   *
   * @example
   * ```ts
   * txn.appendJson('dead-letters', 0, envelope);
   * txn.commitSync(); // prepared and committed in one call
   * ```
   */
  commitSync(extra?: unknown): CommitRecord {
    if (this.stateValue === 'open') this.prepareSync();
    if (this.stateValue !== 'prepared') throw new Error(`cannot commit a ${this.stateValue} transaction`);
    const record = this.log.commitTransaction(this, extra);
    this.stateValue = 'committed';
    return record;
  }

  /** Drops the transaction; prepared data is truncated from the partitions. */
  async abort(): Promise<void> {
    this.abortSync();
  }

  /**
   * {@link abort} without the promise (its I/O is synchronous anyway).
   *
   * @example
   * ```ts
   * txn.abortSync();
   * ```
   */
  abortSync(): void {
    if (this.stateValue === 'committed') throw new Error('cannot abort a committed transaction');
    if (this.stateValue === 'aborted') return;
    if (this.stateValue === 'prepared') this.log.abortTransaction(this);
    this.batches.clear();
    this.stateValue = 'aborted';
  }

  /** @internal Marks a transaction that failed half-way through prepare. */
  markAborted(): void {
    this.stateValue = 'aborted';
  }
}
