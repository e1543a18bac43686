import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { readFully } from './segment-file.js';
import { syncDir } from './sync-dir.js';

/** A committed slice `[startOffset, endOffset)` of one partition. */
export interface CommittedRange {
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly endOffset: number;
}

/**
 * One commit as recorded in the commit log: what {@link LocalLog.lastCommit} returns.
 *
 * @example
 * ```ts
 * const last = log.lastCommit('alerts-sink-0');
 * const resumeAt = (last?.extra as { next: number } | undefined)?.next ?? 0;
 * ```
 */
export interface CommitRecord {
  readonly transactionalId: string;
  readonly seq: number;
  /** The caller's data committed atomically with the records (checkpoint id, source positions, …). */
  readonly extra: unknown;
  readonly ranges: readonly CommittedRange[];
  /** 1 for the first commit of the log, then +1 per commit. */
  readonly commitIndex: number;
}

/** The entries of `txn.log`, one JSON document per CRC frame. */
type CommitLogEntry =
  | { readonly t: 'topic'; readonly name: string; readonly partitions: number }
  | { readonly t: 'delete'; readonly name: string }
  | {
      readonly t: 'commit';
      readonly id: string;
      readonly seq: number;
      readonly ranges: readonly (readonly [string, number, number, number])[];
      readonly extra: unknown;
    }
  | {
      /** The whole state at compaction time; always the first entry of a compacted log. */
      readonly t: 'snapshot';
      readonly topics: readonly (readonly [string, number, readonly number[]])[];
      readonly commits: number;
      readonly byId: readonly CommitRecord[];
      readonly lastId: string | null;
    };

const HEADER = 8;

/**
 * The single source of truth of a log directory: an append-only file `txn.log` of CRC-framed JSON
 * entries (`u32 length | u32 crc32 | json`) that creates and deletes topics and commits
 * transactions. Appending one frame and fsyncing it is the atomic step of a commit: a frame that
 * did not fully reach the disk fails its CRC and is dropped on recovery, so a commit is either
 * entirely there (all its partitions' end offsets and its `extra`) or not at all.
 *
 * The writer process appends; readers in other processes tail the same file by byte position.
 *
 * @example
 * ```ts
 * const commits = CommitLog.load('data/txn.log', true);
 * commits.append({ t: 'commit', id: 'sink-0', seq: 3, ranges: [['alerts', 0, 10, 14]], extra: { checkpointId: 3 } });
 * commits.committedEnd('alerts', 0); // 14
 * ```
 */
export class CommitLog {
  /** Topic name -> partition count. */
  readonly topics = new Map<string, number>();
  /** Topic name -> committed end offset per partition. */
  readonly ends = new Map<string, number[]>();
  readonly lastById = new Map<string, CommitRecord>();
  last: CommitRecord | undefined;
  private commits = 0;
  private readPosition = 0;
  /** Inode of the file read so far: compaction replaces the file, and readers must start over. */
  private ino = -1;
  /** First frame header of the file read so far (its CRC tells one compacted file from the next). */
  private head: Buffer | undefined;
  private fd: number | undefined;

  private constructor(readonly path: string) {}

  /**
   * Replays the log. A writer creates the file when missing, cuts off a torn or corrupt tail and
   * keeps the file open to append; a reader only reads and retries a damaged tail later (it may be
   * the writer's append in progress).
   */
  static load(path: string, writable: boolean): CommitLog {
    const log = new CommitLog(path);
    if (writable) {
      // Positional writes (not O_APPEND): a failed append is overwritten by the next one instead of
      // leaving garbage that would hide every later commit from replay.
      try {
        log.fd = openSync(path, 'r+');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        log.fd = openSync(path, 'w+');
      }
      rmSync(`${path}.compact`, { force: true });
      log.ino = fstatSync(log.fd).ino;
      log.readFrom(log.fd);
      if (fstatSync(log.fd).size > log.readPosition) {
        ftruncateSync(log.fd, log.readPosition);
        fdatasyncSync(log.fd);
      }
    } else {
      log.refresh();
    }
    return log;
  }

  /** Applies entries appended since the last read (readers); true when there were any. */
  refresh(): boolean {
    let stat: { ino: number; size: number };
    try {
      stat = statSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    if (stat.ino === this.ino && stat.size === this.readPosition) return false;
    const fd = openSync(this.path, 'r');
    try {
      const before = this.readPosition;
      const ino = fstatSync(fd).ino;
      const head = Buffer.alloc(HEADER);
      readFully(fd, head, HEADER, 0);
      // A compaction replaced the file: a new inode, or (inode numbers get reused) a new first frame.
      const replaced = ino !== this.ino || (this.head !== undefined && !head.equals(this.head));
      if (replaced) {
        // The new file opens with a snapshot of a state at least as new as ours.
        this.ino = ino;
        this.readPosition = 0;
        this.head = undefined;
        this.reset();
      }
      this.readFrom(fd);
      if (this.head === undefined && this.readPosition > 0) this.head = head;
      return replaced || this.readPosition !== before;
    } finally {
      closeSync(fd);
    }
  }

  /** Bytes of valid entries in the file. */
  get size(): number {
    return this.readPosition;
  }

  /**
   * Replaces the log by a single snapshot entry of the current state (temp file, fsync, rename,
   * fsync of the directory), so that replay on open stays short however many commits there were.
   * Readers in other processes notice the new inode and re-read from the start.
   */
  compact(): void {
    if (this.fd === undefined) throw new Error('the commit log is open read-only');
    const frame = encodeEntry({
      t: 'snapshot',
      topics: [...this.topics].map(([name, partitions]) => [name, partitions, this.ends.get(name)!] as const),
      commits: this.commits,
      byId: [...this.lastById.values()],
      lastId: this.last?.transactionalId ?? null,
    });
    const temp = `${this.path}.compact`;
    const fd = openSync(temp, 'w');
    try {
      writeFully(fd, frame, 0);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    syncDir(dirname(this.path));
    closeSync(this.fd);
    this.fd = openSync(this.path, 'r+');
    this.ino = fstatSync(this.fd).ino;
    this.readPosition = frame.length;
  }

  /** Appends and fsyncs one entry, then applies it; returns the commit when it was one. */
  append(entry: CommitLogEntry): CommitRecord | undefined {
    if (this.fd === undefined) throw new Error('the commit log is open read-only');
    const frame = encodeEntry(entry);
    writeFully(this.fd, frame, this.readPosition);
    fdatasyncSync(this.fd);
    this.readPosition += frame.length;
    return this.apply(entry);
  }

  /** Committed end offset of a partition (0 when nothing was committed). */
  committedEnd(topic: string, partition: number): number {
    return this.ends.get(topic)?.[partition] ?? 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readFrom(fd: number): void {
    const size = fstatSync(fd).size;
    if (size <= this.readPosition) return;
    const buf = Buffer.allocUnsafe(size - this.readPosition);
    const n = readFully(fd, buf, buf.length, this.readPosition);
    let pos = 0;
    while (n - pos >= HEADER) {
      const length = buf.readUInt32LE(pos);
      if (n - pos - HEADER < length) break;
      const json = buf.subarray(pos + HEADER, pos + HEADER + length);
      if (crc32(json) !== buf.readUInt32LE(pos + 4)) break;
      let entry: CommitLogEntry;
      try {
        entry = JSON.parse(json.toString('utf8')) as CommitLogEntry;
      } catch {
        break;
      }
      this.apply(entry);
      pos += HEADER + length;
    }
    this.readPosition += pos;
  }

  private reset(): void {
    this.topics.clear();
    this.ends.clear();
    this.lastById.clear();
    this.last = undefined;
    this.commits = 0;
  }

  private apply(entry: CommitLogEntry): CommitRecord | undefined {
    switch (entry.t) {
      case 'snapshot':
        this.reset();
        for (const [name, partitions, ends] of entry.topics) {
          this.topics.set(name, partitions);
          this.ends.set(name, [...ends]);
        }
        for (const record of entry.byId) this.lastById.set(record.transactionalId, record);
        this.last = entry.lastId === null ? undefined : this.lastById.get(entry.lastId);
        this.commits = entry.commits;
        return undefined;
      case 'topic':
        this.topics.set(entry.name, entry.partitions);
        this.ends.set(entry.name, new Array<number>(entry.partitions).fill(0));
        return undefined;
      case 'delete':
        this.topics.delete(entry.name);
        this.ends.delete(entry.name);
        return undefined;
      case 'commit': {
        const ranges: CommittedRange[] = [];
        for (const [topic, partition, startOffset, endOffset] of entry.ranges) {
          const ends = this.ends.get(topic);
          if (ends !== undefined && partition < ends.length) ends[partition] = endOffset;
          ranges.push({ topic, partition, startOffset, endOffset });
        }
        const record: CommitRecord = {
          transactionalId: entry.id,
          seq: entry.seq,
          extra: entry.extra,
          ranges,
          commitIndex: ++this.commits,
        };
        this.lastById.set(entry.id, record);
        this.last = record;
        return record;
      }
    }
  }
}

function encodeEntry(entry: CommitLogEntry): Buffer {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER + json.length);
  frame.writeUInt32LE(json.length, 0);
  frame.writeUInt32LE(crc32(json), 4);
  json.copy(frame, HEADER);
  return frame;
}

function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

export type { CommitLogEntry };
