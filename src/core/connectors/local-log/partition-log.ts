import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LocalLogCorruptionError } from './local-log-errors.js';
import { listSegmentBases, positionOf, scanSegment, segmentFileName } from './segment-file.js';
import { SparseOffsetIndex } from './sparse-offset-index.js';
import { syncDir } from './sync-dir.js';

/** One segment file of a partition as kept in memory. */
export interface Segment {
  readonly base: number;
  readonly path: string;
  /** Bytes of valid frames (writer side; 0 and unused in read-only mode). */
  size: number;
  readonly index: SparseOffsetIndex;
}

/** Segment and index settings shared by all partitions of a log. */
export interface PartitionLogConfig {
  readonly segmentBytes: number;
  readonly indexIntervalBytes: number;
}

/**
 * The files of one partition, `<dir>/topics/<topic>/<partition>/<baseOffset>.log`. The writer
 * appends prepared batches, truncates aborted ones and rolls segments; readers look segments and
 * positions up here. Visibility (the committed end) is not stored here but in the commit log.
 *
 * @example
 * ```ts
 * const p = PartitionLog.recover('data/topics/alerts/0', committedEnd, { segmentBytes: 1 << 26, indexIntervalBytes: 4096 });
 * p.write(batch, frameStarts);
 * p.sync();
 * ```
 */
export class PartitionLog {
  readonly segments: Segment[] = [];
  /** One past the last valid offset on disk: committed, prepared, or left over from a crash. */
  writtenEnd = 0;
  private fd: number | undefined;

  private constructor(
    readonly dir: string,
    private readonly config: PartitionLogConfig,
  ) {}

  /**
   * Opens a partition for writing after a restart: checks every frame's CRC and offset, keeps the
   * valid prefix (which must reach `committedEnd`) and cuts off torn or corrupt data after it.
   * Valid frames beyond `committedEnd` stay, invisible, so that a transaction prepared before the
   * crash can still be committed from its handle.
   */
  static recover(dir: string, committedEnd: number, config: PartitionLogConfig): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(dir, config);
    const bases = listSegmentBases(dir);
    let next = 0;
    let stopped = false;
    for (const base of bases) {
      const path = join(dir, segmentFileName(base));
      if (stopped || base !== next) {
        stopped = true;
        unlinkSync(path);
        continue;
      }
      const segment: Segment = {
        base,
        path,
        size: 0,
        index: new SparseOffsetIndex(config.indexIntervalBytes),
      };
      const scan = scanSegment(path, 0, base, segment.index);
      if (scan.stop !== 'end') {
        if (scan.nextOffset < committedEnd) {
          throw new LocalLogCorruptionError(
            `${scan.stop} frame at offset ${scan.nextOffset} (byte ${scan.endPosition}) of ${path}, below the committed end ${committedEnd}`,
          );
        }
        truncateFile(path, scan.endPosition);
        stopped = true;
      }
      segment.size = scan.endPosition;
      log.segments.push(segment);
      next = scan.nextOffset;
    }
    if (next < committedEnd) {
      throw new LocalLogCorruptionError(
        `partition ${dir} holds offsets up to ${next} but ${committedEnd} are committed`,
      );
    }
    if (stopped) syncDir(dir);
    log.writtenEnd = next;
    return log;
  }

  /** A read-only view of a partition written by another process; see {@link refreshSegments}. */
  static attach(dir: string, config: PartitionLogConfig): PartitionLog {
    const log = new PartitionLog(dir, config);
    log.refreshSegments();
    return log;
  }

  /** Re-lists the segment files (read-only views), keeping the indexes of known ones. */
  refreshSegments(): void {
    const known = new Map(this.segments.map((s) => [s.base, s]));
    this.segments.length = 0;
    for (const base of listSegmentBases(this.dir)) {
      this.segments.push(
        known.get(base) ?? {
          base,
          path: join(this.dir, segmentFileName(base)),
          size: 0,
          index: new SparseOffsetIndex(this.config.indexIntervalBytes),
        },
      );
    }
  }

  /** The segment that holds `offset` (the last one whose base is at or below it). */
  segmentFor(offset: number): Segment | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      if (this.segments[i]!.base <= offset) return this.segments[i];
    }
    return undefined;
  }

  /** The segment starting exactly at `offset`, if any. */
  segmentStartingAt(offset: number): Segment | undefined {
    return this.segments.find((s) => s.base === offset);
  }

  /**
   * Writes a batch of encoded frames (offsets `writtenEnd` onwards) with one positional write,
   * without fsync: {@link sync} makes a whole prepare durable at once.
   */
  write(batch: Buffer, frameStarts: readonly number[]): { segmentBase: number; position: number } {
    const segment = this.activeSegmentForWrite();
    const position = segment.size;
    let done = 0;
    while (done < batch.length) {
      done += writeSync(this.fd!, batch, done, batch.length - done, position + done);
    }
    for (let i = 0; i < frameStarts.length; i++) {
      segment.index.add(this.writtenEnd + i, position + frameStarts[i]!);
    }
    segment.size += batch.length;
    this.writtenEnd += frameStarts.length;
    return { segmentBase: segment.base, position };
  }

  /** fdatasync of the segment written last. */
  sync(): void {
    if (this.fd !== undefined) fdatasyncSync(this.fd);
  }

  /**
   * Drops every record from `offset` on (an aborted or abandoned tail) and makes that durable, so
   * that a later power loss cannot resurrect stale frames under offsets that get reused.
   */
  truncateTo(offset: number): void {
    if (offset >= this.writtenEnd) return;
    let removedFiles = false;
    while (this.segments.length > 1 && this.segments[this.segments.length - 1]!.base >= offset) {
      const dropped = this.segments.pop()!;
      this.closeFd();
      unlinkSync(dropped.path);
      removedFiles = true;
    }
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined) {
      const position = offset === last.base ? 0 : positionOf(last.path, last.base, offset, last.index);
      this.closeFd();
      truncateFile(last.path, position);
      last.size = position;
      last.index.truncateFrom(offset);
    }
    if (removedFiles) syncDir(this.dir);
    this.writtenEnd = offset;
  }

  /** Deletes the partition's files (topic deletion). */
  destroy(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  close(): void {
    this.closeFd();
  }

  private activeSegmentForWrite(): Segment {
    let last = this.segments[this.segments.length - 1];
    if (last === undefined || (last.size >= this.config.segmentBytes && last.size > 0)) {
      this.closeFd();
      const base = this.writtenEnd;
      last = {
        base,
        path: join(this.dir, segmentFileName(base)),
        size: 0,
        index: new SparseOffsetIndex(this.config.indexIntervalBytes),
      };
      this.fd = openSync(last.path, 'w+');
      // The new file's directory entry must be durable before a commit can point into it.
      syncDir(this.dir);
      this.segments.push(last);
    }
    if (this.fd === undefined) this.fd = openSync(last.path, 'r+');
    return last;
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function truncateFile(path: string, size: number): void {
  if (statSync(path).size === size) return;
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, size);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
