import { closeSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { CommitLog, type CommitRecord } from './commit-log.js';
import { DirLock } from './dir-lock.js';
import { LocalLogCorruptionError } from './local-log-errors.js';
import { encodeFrame, frameSize } from './log-record.js';
import {
  LogTransaction,
  type PartitionBatch,
  type PreparedRange,
  type PreparedTransaction,
} from './log-transaction.js';
import { PartitionLog, type PartitionLogConfig } from './partition-log.js';
import { LogPartitionReader } from './partition-reader.js';
import { readFully } from './segment-file.js';
import { syncDir } from './sync-dir.js';

/** Options of {@link LocalLog.open} and {@link LocalLog.openReadOnly}. */
export interface LocalLogOptions {
  /** A new segment file starts once the current one reaches this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Bytes between two entries of the in-memory sparse offset index (default 4 KiB). */
  readonly indexIntervalBytes?: number;
  /** How often a read-only log re-reads the commit log while someone waits for commits (default 20 ms). */
  readonly pollIntervalMs?: number;
  /** `txn.log` is compacted to one snapshot entry once it grows past this size (default 8 MiB). */
  readonly commitLogCompactBytes?: number;
}

/** Options of the `waitForCommit` methods. */
export interface WaitOptions {
  /** Give up (resolve `false`) after this many milliseconds; default: wait indefinitely. */
  readonly timeoutMs?: number;
  /** Give up (resolve `false`) when aborted. */
  readonly signal?: AbortSignal;
}

/** Options of {@link LocalLog.beginTransaction}. */
export interface BeginTransactionOptions {
  /**
   * Sequence number of the transaction within its transactional id; must exceed the last committed
   * one. Default: one more than the highest committed or begun so far. A 2PC sink may pass its
   * checkpoint id.
   */
  readonly seq?: number;
}

/** Result of {@link LocalLog.commitPrepared}. */
export type CommitPreparedResult = 'committed' | 'already-committed';

interface Waiter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly done: (ok: boolean) => void;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * The embedded mode's durable log: topics of partitions stored as append-only segment files in a
 * data directory, written through transactions that commit records of many partitions together
 * with the caller's metadata (checkpoint id, input positions) in one atomic step. Readers, in this
 * process or another, see committed records only.
 *
 * On-disk layout:
 * ```
 * <dir>/LOCK                                   PID of the single writer process
 * <dir>/txn.log                                commit log: topics and commits (CRC-framed JSON)
 * <dir>/topics/<topic>/<partition>/<base>.log  segments of CRC-framed records, base = first offset
 * ```
 * A record's visibility is decided by the commit log alone: a partition's committed end offset is
 * the end of its last commit; anything after it in the segment files is a prepared (or crashed)
 * transaction's data and invisible.
 *
 * Guarantees: a commit is all or nothing across its partitions and `extra` (one fsynced commit-log
 * append); prepared data is fsynced before `prepare` resolves; on open, torn or corrupt frames after
 * the committed end are cut off, and damage below it fails the open ({@link LocalLogCorruptionError}).
 * One writer process per directory (`LOCK` with its PID; a lock of a dead process is taken over).
 * No retention: data is only removed by {@link deleteTopic}.
 *
 * @example
 * ```ts
 * const log = await LocalLog.open('data/log');
 * await log.createTopic('alerts', 4);
 * const txn = log.beginTransaction('sink-0');
 * txn.appendJson('alerts', 2, { rule: 'r1' });
 * await txn.commit({ checkpointId: 1 });
 * const reader = log.reader('alerts', 2);
 * reader.poll(10); // [{ offset: 0, timestamp, key: null, value: <Buffer ...> }]
 * await log.close();
 * ```
 */
export class LocalLog {
  private readonly partitionLogs = new Map<string, PartitionLog>();
  /** Prepared, not yet committed ranges per partition, in write order (the writer's own transactions). */
  private readonly preparedRanges = new Map<PartitionLog, { txn: LogTransaction; range: PreparedRange }[]>();
  private readonly liveTransactions = new Map<string, LogTransaction>();
  private readonly lastBegunSeq = new Map<string, number>();
  private readonly commitListeners = new Set<(commit: CommitRecord) => void>();
  private readonly waiters = new Set<Waiter>();
  private readonly readers = new Set<LogPartitionReader>();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    /** Absolute path of the log directory. */
    readonly dir: string,
    /** True for {@link openReadOnly}: no writes, commits picked up by re-reading the commit log. */
    readonly readOnly: boolean,
    private readonly commitLog: CommitLog,
    private readonly config: PartitionLogConfig,
    private readonly pollIntervalMs: number,
    private readonly lock: DirLock | undefined,
    private readonly compactBytes = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Opens (creating if needed) the log in `dir` as its single writer and recovers it: replays the
   * commit log, checks every record's CRC, cuts off torn or corrupt data after each committed end
   * and rebuilds the offset indexes. Throws {@link LocalLogLockedError} when another live process
   * holds the directory.
   *
   * Prepared but uncommitted data of a crashed run stays on disk (invisible) until the first new
   * prepare on that partition or {@link abortPending}: call {@link commitPrepared} /
   * {@link abortPrepared} for the handles in your last checkpoint before writing anything new.
   *
   * @example
   * ```ts
   * const log = await LocalLog.open('/var/lib/app/log', { segmentBytes: 16 * 1024 * 1024 });
   * ```
   */
  static async open(dir: string, options: LocalLogOptions = {}): Promise<LocalLog> {
    const root = resolve(dir);
    const topicsDir = join(root, 'topics');
    mkdirSync(topicsDir, { recursive: true });
    const lock = DirLock.acquire(root);
    try {
      const commitLog = CommitLog.load(join(root, 'txn.log'), true);
      syncDir(root);
      const log = new LocalLog(
        root,
        false,
        commitLog,
        configOf(options),
        options.pollIntervalMs ?? 20,
        lock,
        options.commitLogCompactBytes ?? 8 * 1024 * 1024,
      );
      if (commitLog.size > log.compactBytes) commitLog.compact();
      // Directories of topics the commit log does not know are leftovers of a crashed create or delete.
      for (const name of readdirSync(topicsDir)) {
        if (!commitLog.topics.has(name)) rmSync(join(topicsDir, name), { recursive: true, force: true });
      }
      for (const [topic, partitions] of commitLog.topics) {
        for (let p = 0; p < partitions; p++) {
          const partitionLog = PartitionLog.recover(
            join(topicsDir, topic, String(p)),
            commitLog.committedEnd(topic, p),
            log.config,
          );
          log.partitionLogs.set(partitionKey(topic, p), partitionLog);
        }
      }
      return log;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Opens the log in `dir` for reading only, typically from another process than the writer. Takes
   * no lock and changes no file; new commits are picked up by re-reading `txn.log`.
   *
   * @example
   * ```ts
   * const log = await LocalLog.openReadOnly('/var/lib/app/log');
   * const reader = log.reader('alerts', 0);
   * await reader.waitForCommit({ timeoutMs: 5000 });
   * console.log(reader.poll(100));
   * ```
   */
  static async openReadOnly(dir: string, options: LocalLogOptions = {}): Promise<LocalLog> {
    const root = resolve(dir);
    const commitLog = CommitLog.load(join(root, 'txn.log'), false);
    return new LocalLog(root, true, commitLog, configOf(options), options.pollIntervalMs ?? 20, undefined);
  }

  /**
   * Creates a topic with `partitions` partitions (numbered from 0). Creating an existing topic with
   * the same partition count does nothing; with another count it throws.
   *
   * @example
   * ```ts
   * await log.createTopic('alerts', 4);
   * ```
   */
  async createTopic(name: string, partitions: number): Promise<void> {
    this.checkWritable();
    if (!TOPIC_NAME.test(name) || name === '.' || name === '..')
      throw new Error(`invalid topic name '${name}'`);
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
    }
    const existing = this.commitLog.topics.get(name);
    if (existing !== undefined) {
      if (existing === partitions) return;
      throw new Error(`topic '${name}' exists with ${existing} partitions, not ${partitions}`);
    }
    const topicDir = join(this.dir, 'topics', name);
    rmSync(topicDir, { recursive: true, force: true });
    for (let p = 0; p < partitions; p++) mkdirSync(join(topicDir, String(p)), { recursive: true });
    syncDir(topicDir);
    syncDir(join(this.dir, 'topics'));
    this.commitLog.append({ t: 'topic', name, partitions });
    for (let p = 0; p < partitions; p++) {
      this.partitionLogs.set(
        partitionKey(name, p),
        PartitionLog.recover(join(topicDir, String(p)), 0, this.config),
      );
    }
  }

  /**
   * Deletes a topic and its files: the only way data leaves the log (there is no retention). Fails
   * while a live transaction of this process has prepared data in it.
   *
   * @example
   * ```ts
   * await log.deleteTopic('scratch');
   * ```
   */
  async deleteTopic(name: string): Promise<void> {
    this.checkWritable();
    const partitions = this.commitLog.topics.get(name);
    if (partitions === undefined) throw new Error(`unknown topic '${name}'`);
    for (let p = 0; p < partitions; p++) {
      const pl = this.partitionLogs.get(partitionKey(name, p));
      if (pl !== undefined && (this.preparedRanges.get(pl)?.length ?? 0) > 0) {
        throw new Error(`topic '${name}' has prepared transactions; commit or abort them first`);
      }
    }
    // The commit-log entry decides; files left by a crash right after it are removed on open.
    this.commitLog.append({ t: 'delete', name });
    for (let p = 0; p < partitions; p++) {
      const key = partitionKey(name, p);
      this.partitionLogs.get(key)?.close();
      this.partitionLogs.delete(key);
    }
    rmSync(join(this.dir, 'topics', name), { recursive: true, force: true });
    syncDir(join(this.dir, 'topics'));
  }

  /** Names of the existing topics, sorted. */
  topics(): string[] {
    this.refresh();
    return [...this.commitLog.topics.keys()].sort();
  }

  /** Partition count of `topic`; throws for an unknown topic. */
  partitions(topic: string): number {
    this.refresh();
    const n = this.commitLog.topics.get(topic);
    if (n === undefined) throw new Error(`unknown topic '${topic}'`);
    return n;
  }

  /**
   * One past the last committed offset of a partition: the number of records readers can see.
   *
   * @example
   * ```ts
   * log.committedEnd('alerts', 0); // 3 after committing offsets 0, 1, 2
   * ```
   */
  committedEnd(topic: string, partition: number): number {
    this.refresh();
    return this.commitLog.committedEnd(topic, partition);
  }

  /**
   * Begins a transaction. See {@link LogTransaction}.
   *
   * @example
   * ```ts
   * const txn = log.beginTransaction('sink-0', { seq: checkpointId });
   * ```
   */
  beginTransaction(transactionalId: string, options: BeginTransactionOptions = {}): LogTransaction {
    this.checkWritable();
    const committed = this.commitLog.lastById.get(transactionalId)?.seq ?? 0;
    const seq = options.seq ?? Math.max(committed, this.lastBegunSeq.get(transactionalId) ?? 0) + 1;
    if (!Number.isSafeInteger(seq) || seq <= committed) {
      throw new Error(`seq ${seq} of '${transactionalId}' must exceed the last committed seq ${committed}`);
    }
    if (this.liveTransactions.has(txnKey(transactionalId, seq))) {
      throw new Error(`transaction '${transactionalId}' #${seq} is already live`);
    }
    this.lastBegunSeq.set(transactionalId, Math.max(seq, this.lastBegunSeq.get(transactionalId) ?? 0));
    const txn = new LogTransaction(this, transactionalId, seq);
    this.liveTransactions.set(txnKey(transactionalId, seq), txn);
    return txn;
  }

  /**
   * Commits a transaction prepared by this process or by a run that crashed, from its handle,
   * together with `extra`. Idempotent: a handle whose (transactional id, seq) is already committed
   * yields `'already-committed'`. Throws when the prepared bytes are no longer on disk exactly as
   * prepared (aborted, overwritten by a newer prepare, or damaged).
   *
   * @example
   * ```ts
   * const log = await LocalLog.open(dir);
   * for (const handle of checkpoint.pendingTransactions) await log.commitPrepared(handle, { checkpointId });
   * ```
   */
  async commitPrepared(handle: PreparedTransaction, extra?: unknown): Promise<CommitPreparedResult> {
    return this.commitPreparedSync(handle, extra);
  }

  /**
   * {@link commitPrepared} without the promise (its I/O is synchronous anyway).
   *
   * @example
   * ```ts
   * if (log.preparedStatus(handle) !== 'blocked') log.commitPreparedSync(handle);
   * ```
   */
  commitPreparedSync(handle: PreparedTransaction, extra?: unknown): CommitPreparedResult {
    this.checkWritable();
    const live = this.liveTransactions.get(txnKey(handle.transactionalId, handle.seq));
    if (live !== undefined && live.state === 'prepared') {
      live.commitSync(extra);
      return 'committed';
    }
    const last = this.commitLog.lastById.get(handle.transactionalId);
    if (last !== undefined && last.seq >= handle.seq) return 'already-committed';
    for (const range of handle.ranges) {
      const pl = this.partitionOf(range.topic, range.partition);
      const committedEnd = this.commitLog.committedEnd(range.topic, range.partition);
      if ((this.preparedRanges.get(pl)?.length ?? 0) > 0 || committedEnd !== range.startOffset) {
        throw new Error(
          `cannot commit '${handle.transactionalId}' #${handle.seq}: ${range.topic}/${range.partition} is committed up to ${committedEnd}, the handle starts at ${range.startOffset}`,
        );
      }
      if (pl.writtenEnd < range.endOffset || !holdsBytes(pl, range)) {
        throw new Error(
          `cannot commit '${handle.transactionalId}' #${handle.seq}: its data in ${range.topic}/${range.partition} is gone or changed`,
        );
      }
    }
    this.appendCommit(handle.transactionalId, handle.seq, handle.ranges, extra);
    return 'committed';
  }

  /**
   * Aborts a transaction prepared by this process or by a crashed run, from its handle: its data
   * and anything written after it on the same partitions is truncated.
   *
   * @example
   * ```ts
   * for (const handle of staleHandles) await log.abortPrepared(handle);
   * ```
   */
  async abortPrepared(handle: PreparedTransaction): Promise<void> {
    this.abortPreparedSync(handle);
  }

  /**
   * {@link abortPrepared} without the promise (its I/O is synchronous anyway).
   *
   * @example
   * ```ts
   * log.abortPreparedSync(staleHandle);
   * ```
   */
  abortPreparedSync(handle: PreparedTransaction): void {
    this.checkWritable();
    const live = this.liveTransactions.get(txnKey(handle.transactionalId, handle.seq));
    if (live !== undefined && live.state === 'prepared') {
      live.abortSync();
      return;
    }
    const last = this.commitLog.lastById.get(handle.transactionalId);
    if (last !== undefined && last.seq === handle.seq) {
      throw new Error(`transaction '${handle.transactionalId}' #${handle.seq} is already committed`);
    }
    for (const range of handle.ranges) {
      const pl = this.partitionOf(range.topic, range.partition);
      const committedEnd = this.commitLog.committedEnd(range.topic, range.partition);
      if ((this.preparedRanges.get(pl)?.length ?? 0) === 0 && committedEnd <= range.startOffset) {
        pl.truncateTo(range.startOffset);
      }
    }
  }

  /**
   * Drops every uncommitted record left on disk by a crashed run (those not claimed by a live
   * transaction of this process); returns how many. A new prepare on a partition does the same
   * implicitly for that partition.
   *
   * @example
   * ```ts
   * const log = await LocalLog.open(dir);
   * await log.abortPending(); // a sink with no checkpoint to restore
   * ```
   */
  async abortPending(): Promise<number> {
    return this.abortPendingSync();
  }

  /**
   * {@link abortPending} without the promise, optionally limited to some topics (a sink cleans up
   * its own topic only, leaving other writers' prepared data to their own recovery).
   *
   * @example
   * ```ts
   * log.abortPendingSync(['alerts']);
   * ```
   */
  abortPendingSync(topics?: readonly string[]): number {
    this.checkWritable();
    let dropped = 0;
    for (const [key, pl] of this.partitionLogs) {
      if ((this.preparedRanges.get(pl)?.length ?? 0) > 0) continue;
      const [topic, partition] = splitKey(key);
      if (topics !== undefined && !topics.includes(topic)) continue;
      const end = this.commitLog.committedEnd(topic, partition);
      dropped += pl.writtenEnd - end;
      pl.truncateTo(end);
    }
    return dropped;
  }

  /**
   * What {@link commitPrepared} would do with `handle` now: `'committed'` (its seq is committed
   * already: a no-op), `'ready'` (it would commit), `'blocked'` (an earlier transaction on one of its
   * partitions is still prepared, or uncommitted data precedes it: commit that first), or `'lost'`
   * (its data is gone or was replaced: it can never commit). Lets a committer whose transactions
   * share partitions with other writers wait for its turn instead of failing.
   *
   * @example
   * ```ts
   * if (log.preparedStatus(handle) === 'blocked') await log.waitForCommit(topic, partition, start);
   * ```
   */
  preparedStatus(handle: PreparedTransaction): 'committed' | 'ready' | 'blocked' | 'lost' {
    this.checkWritable();
    const last = this.commitLog.lastById.get(handle.transactionalId);
    if (last !== undefined && last.seq >= handle.seq) return 'committed';
    const live = this.liveTransactions.get(txnKey(handle.transactionalId, handle.seq));
    let blocked = false;
    for (const range of handle.ranges) {
      const pl = this.partitionOf(range.topic, range.partition);
      const pending = this.preparedRanges.get(pl) ?? [];
      const committedEnd = this.commitLog.committedEnd(range.topic, range.partition);
      if (committedEnd > range.startOffset) return 'lost';
      if (live !== undefined && live.state === 'prepared') {
        if (pending[0]?.txn !== live) blocked = true;
        continue;
      }
      if (pl.writtenEnd < range.endOffset || !holdsBytes(pl, range)) return 'lost';
      if (pending.length > 0 || committedEnd < range.startOffset) blocked = true;
    }
    return blocked ? 'blocked' : 'ready';
  }

  /**
   * Aborts every live transaction of this process whose transactional id `matches` (open ones are
   * dropped, prepared ones truncated): how a writer restarted inside the same process gets rid of
   * the transactions its failed predecessor left behind (after committing those its checkpoint
   * holds). Throws, changing nothing, if a non-matching transaction was prepared after a matching
   * one on a shared partition. Returns how many transactions were aborted.
   *
   * @example
   * ```ts
   * log.abortLiveTransactionsSync((id) => /^alerts-sink-\d+$/.test(id));
   * ```
   */
  abortLiveTransactionsSync(matches: (transactionalId: string) => boolean): number {
    this.checkWritable();
    const cuts: { pl: PartitionLog; index: number }[] = [];
    for (const [pl, pending] of this.preparedRanges) {
      const index = pending.findIndex((p) => matches(p.txn.transactionalId));
      if (index < 0) continue;
      const other = pending.slice(index).find((p) => !matches(p.txn.transactionalId));
      if (other !== undefined) {
        throw new Error(
          `cannot abort: '${other.txn.transactionalId}' #${other.txn.seq} was prepared after a matching transaction on ${other.range.topic}/${other.range.partition}`,
        );
      }
      cuts.push({ pl, index });
    }
    for (const { pl, index } of cuts) {
      const pending = this.preparedRanges.get(pl)!;
      pl.truncateTo(pending[index]!.range.startOffset);
      pending.length = index;
    }
    let aborted = 0;
    for (const [key, txn] of [...this.liveTransactions]) {
      if (!matches(txn.transactionalId)) continue;
      this.liveTransactions.delete(key);
      txn.markAborted();
      aborted++;
    }
    return aborted;
  }

  /**
   * The latest commit, overall or of one transactional id, with its `extra`: where a restarted
   * writer resumes (in this process's view; a read-only log re-reads the commit log first).
   *
   * @example
   * ```ts
   * const resume = (log.lastCommit('sink-0')?.extra as { checkpointId: number } | undefined)?.checkpointId;
   * ```
   */
  lastCommit(transactionalId?: string): CommitRecord | undefined {
    this.refresh();
    return transactionalId === undefined ? this.commitLog.last : this.commitLog.lastById.get(transactionalId);
  }

  /**
   * A reader of the committed records of a partition, starting at `fromOffset` (default 0).
   *
   * @example
   * ```ts
   * const reader = log.reader('alerts', 1, savedPosition);
   * const batch = reader.poll(1000);
   * ```
   */
  reader(topic: string, partition: number, fromOffset = 0): LogPartitionReader {
    if (this.closed) throw new Error('the log is closed');
    const reader = new LogPartitionReader(
      this,
      this.partitionOf(topic, partition),
      topic,
      partition,
      fromOffset,
    );
    this.readers.add(reader);
    return reader;
  }

  /**
   * Calls `listener` after each commit of this process's writer; returns the unsubscribe function.
   * (Read-only logs learn of commits by polling: use {@link waitForCommit}.)
   *
   * @example
   * ```ts
   * const off = log.onCommit((c) => metrics.commits.inc(c.ranges.length));
   * ```
   */
  onCommit(listener: (commit: CommitRecord) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Resolves `true` once the record at `offset` of the partition is committed (at once if it is),
   * `false` on timeout, abort or {@link close}.
   *
   * @example
   * ```ts
   * if (await log.waitForCommit('alerts', 0, reader.position, { timeoutMs: 500 })) drain(reader);
   * ```
   */
  waitForCommit(
    topic: string,
    partition: number,
    offset: number,
    options: WaitOptions = {},
  ): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.committedEnd(topic, partition) > offset) return Promise.resolve(true);
    if (options.signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolvePromise) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => waiter.done(false);
      const waiter: Waiter = {
        topic,
        partition,
        offset,
        done: (ok) => {
          this.waiters.delete(waiter);
          if (timer !== undefined) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          this.updatePollTimer();
          resolvePromise(ok);
        },
      };
      this.waiters.add(waiter);
      if (options.timeoutMs !== undefined) timer = setTimeout(() => waiter.done(false), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.updatePollTimer();
    });
  }

  /** Closes files, readers and waiters and releases the lock. Live transactions are left as they are on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.done(false);
    for (const reader of this.readers) reader.close();
    this.readers.clear();
    for (const pl of this.partitionLogs.values()) pl.close();
    this.commitLog.close();
    this.lock?.release();
  }

  /** @internal Validates a transaction's target partition. */
  checkPartition(topic: string, partition: number): void {
    this.checkWritable();
    this.partitionOf(topic, partition);
  }

  /** @internal The write half of {@link LogTransaction.prepare}. */
  prepareTransaction(txn: LogTransaction, batches: readonly PartitionBatch[]): PreparedTransaction {
    this.checkWritable();
    const ranges: PreparedRange[] = [];
    const written: { pl: PartitionLog; range: PreparedRange }[] = [];
    try {
      const sorted = [...batches].sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
      for (const batch of sorted) {
        if (batch.records.length === 0) continue;
        const pl = this.partitionOf(batch.topic, batch.partition);
        const pending = this.preparedRanges.get(pl) ?? [];
        // Data after the last range this process prepared is a crashed run's leftover: drop it.
        const claimedEnd =
          pending.length > 0
            ? pending[pending.length - 1]!.range.endOffset
            : this.commitLog.committedEnd(batch.topic, batch.partition);
        pl.truncateTo(claimedEnd);
        const startOffset = pl.writtenEnd;
        let bytes = 0;
        for (const r of batch.records) bytes += frameSize(r.key, r.value);
        const buf = Buffer.allocUnsafe(bytes);
        const frameStarts: number[] = new Array(batch.records.length);
        let pos = 0;
        for (let i = 0; i < batch.records.length; i++) {
          const r = batch.records[i]!;
          frameStarts[i] = pos;
          pos = encodeFrame(buf, pos, startOffset + i, r.timestamp, r.key, r.value);
        }
        const at = pl.write(buf, frameStarts);
        const range: PreparedRange = {
          topic: batch.topic,
          partition: batch.partition,
          startOffset,
          endOffset: startOffset + batch.records.length,
          segmentBase: at.segmentBase,
          position: at.position,
          bytes,
          crc: crc32(buf),
        };
        written.push({ pl, range });
        ranges.push(range);
      }
      for (const { pl } of written) pl.sync();
    } catch (e) {
      for (const { pl, range } of written.reverse()) pl.truncateTo(range.startOffset);
      this.liveTransactions.delete(txnKey(txn.transactionalId, txn.seq));
      txn.markAborted();
      throw e;
    }
    for (const { pl, range } of written) {
      const pending = this.preparedRanges.get(pl);
      if (pending === undefined) this.preparedRanges.set(pl, [{ txn, range }]);
      else pending.push({ txn, range });
    }
    return { format: 'local-log-txn/1', transactionalId: txn.transactionalId, seq: txn.seq, ranges };
  }

  /** @internal The commit of {@link LogTransaction.commit}. */
  commitTransaction(txn: LogTransaction, extra: unknown): CommitRecord {
    this.checkWritable();
    const handle = txn.handle!;
    const last = this.commitLog.lastById.get(txn.transactionalId);
    if (last !== undefined && last.seq >= txn.seq) {
      throw new Error(`'${txn.transactionalId}' #${txn.seq}: seq ${last.seq} is committed already`);
    }
    for (const range of handle.ranges) {
      const first = this.preparedRanges.get(this.partitionOf(range.topic, range.partition))?.[0];
      if (first?.txn !== txn) {
        throw new Error(
          `'${txn.transactionalId}' #${txn.seq}: an earlier prepared transaction on ${range.topic}/${range.partition} must commit or abort first`,
        );
      }
    }
    const record = this.appendCommit(txn.transactionalId, txn.seq, handle.ranges, extra);
    for (const range of handle.ranges)
      this.preparedRanges.get(this.partitionOf(range.topic, range.partition))!.shift();
    this.liveTransactions.delete(txnKey(txn.transactionalId, txn.seq));
    return record;
  }

  /** @internal The truncation of {@link LogTransaction.abort} for a prepared transaction. */
  abortTransaction(txn: LogTransaction): void {
    this.checkWritable();
    const handle = txn.handle!;
    for (const range of handle.ranges) {
      const pending = this.preparedRanges.get(this.partitionOf(range.topic, range.partition));
      if (pending?.[pending.length - 1]?.txn !== txn) {
        throw new Error(
          `'${txn.transactionalId}' #${txn.seq}: a later prepared transaction on ${range.topic}/${range.partition} must abort first`,
        );
      }
    }
    for (const range of handle.ranges) {
      const pl = this.partitionOf(range.topic, range.partition);
      this.preparedRanges.get(pl)!.pop();
      pl.truncateTo(range.startOffset);
    }
    this.liveTransactions.delete(txnKey(txn.transactionalId, txn.seq));
  }

  private appendCommit(
    transactionalId: string,
    seq: number,
    ranges: readonly PreparedRange[],
    extra: unknown,
  ): CommitRecord {
    const record = this.commitLog.append({
      t: 'commit',
      id: transactionalId,
      seq,
      ranges: ranges.map((r) => [r.topic, r.partition, r.startOffset, r.endOffset] as const),
      extra: extra ?? null,
    })!;
    if (this.commitLog.size > this.compactBytes) this.commitLog.compact();
    this.wakeWaiters();
    for (const listener of this.commitListeners) listener(record);
    return record;
  }

  private partitionOf(topic: string, partition: number): PartitionLog {
    const key = partitionKey(topic, partition);
    let pl = this.partitionLogs.get(key);
    if (pl === undefined) {
      this.refresh();
      const n = this.commitLog.topics.get(topic);
      if (n === undefined) throw new Error(`unknown topic '${topic}'`);
      if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
        throw new RangeError(`topic '${topic}' has partitions 0..${n - 1}, not ${partition}`);
      }
      if (!this.readOnly) throw new LocalLogCorruptionError(`partition ${key} was not recovered`);
      pl = PartitionLog.attach(join(this.dir, 'topics', topic, String(partition)), this.config);
      this.partitionLogs.set(key, pl);
    }
    return pl;
  }

  private refresh(): void {
    if (this.readOnly && !this.closed && this.commitLog.refresh()) this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) {
      if (this.commitLog.committedEnd(waiter.topic, waiter.partition) > waiter.offset) waiter.done(true);
    }
  }

  /** Read-only logs have no commit events to wait on, so they poll the commit log while anyone waits. */
  private updatePollTimer(): void {
    if (!this.readOnly) return;
    if (this.waiters.size > 0 && this.pollTimer === undefined) {
      this.pollTimer = setInterval(() => this.refresh(), this.pollIntervalMs);
    } else if (this.waiters.size === 0 && this.pollTimer !== undefined) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  private checkWritable(): void {
    if (this.closed) throw new Error('the log is closed');
    if (this.readOnly) throw new Error('the log is open read-only');
  }
}

function configOf(options: LocalLogOptions): PartitionLogConfig {
  const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
  const indexIntervalBytes = options.indexIntervalBytes ?? 4096;
  if (!(segmentBytes >= 1) || !(indexIntervalBytes >= 1)) {
    throw new RangeError('segmentBytes and indexIntervalBytes must be >= 1');
  }
  return { segmentBytes, indexIntervalBytes };
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

function splitKey(key: string): [string, number] {
  const slash = key.lastIndexOf('/');
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}

function txnKey(transactionalId: string, seq: number): string {
  return `${transactionalId}#${seq}`;
}

/** Whether the partition still holds exactly the bytes a handle's range was prepared with. */
function holdsBytes(pl: PartitionLog, range: PreparedRange): boolean {
  const segment = pl.segmentStartingAt(range.segmentBase);
  if (segment === undefined || segment.size < range.position + range.bytes) return false;
  const buf = Buffer.allocUnsafe(range.bytes);
  const fd = openSync(segment.path, 'r');
  try {
    if (readFully(fd, buf, range.bytes, range.position) !== range.bytes) return false;
  } finally {
    closeSync(fd);
  }
  return crc32(buf) === range.crc;
}
