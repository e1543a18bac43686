import { closeSync, openSync } from 'node:fs';
import type { LocalLog, WaitOptions } from './local-log.js';
import { LocalLogCorruptionError } from './local-log-errors.js';
import {
  checkFrame,
  decodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_INCOMPLETE,
  frameOffset,
  type LogRecord,
} from './log-record.js';
import type { PartitionLog, Segment } from './partition-log.js';
import { readFully } from './segment-file.js';

const READ_CHUNK = 256 * 1024;

/**
 * Reads the committed records of one partition in offset order, from a start offset. Never blocks:
 * {@link poll} returns what is committed now (possibly nothing), {@link waitForCommit} waits for more.
 * Works in the writer's process and, over {@link LocalLog.openReadOnly}, in any other process.
 *
 * @example
 * ```ts
 * const reader = log.reader('alerts', 0, 0);
 * for (;;) {
 *   const records = reader.poll(500);
 *   for (const r of records) handle(jsonValue(r));
 *   if (records.length === 0) await reader.waitForCommit({ timeoutMs: 1000 });
 * }
 * ```
 */
export class LogPartitionReader {
  private next: number;
  private segment: Segment | undefined;
  private fd: number | undefined;
  /** File position and offset of the next frame to read in `segment`. */
  private cursorPosition = 0;
  private cursorOffset = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  private bufEnd = 0;
  /**
   * The committed end when `buf` was read. Frames below it are committed and thus immutable; bytes
   * read beyond it may since have been truncated (an abort) and replaced, so they are re-read.
   */
  private bufValidBelow = 0;
  private closed = false;

  /** @internal Created by {@link LocalLog.reader}. */
  constructor(
    private readonly log: LocalLog,
    private readonly partitionLog: PartitionLog,
    readonly topic: string,
    readonly partition: number,
    fromOffset: number,
  ) {
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) throw new RangeError(`bad offset ${fromOffset}`);
    this.next = fromOffset;
  }

  /** Offset of the next record {@link poll} returns. */
  get position(): number {
    return this.next;
  }

  /** Continues reading at `offset` (e.g. a restored source position). */
  seek(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    this.next = offset;
    this.leaveSegment();
  }

  /** Up to `max` committed records from the current position; an empty array when none are committed yet. */
  poll(max = 500): LogRecord[] {
    if (this.closed) throw new Error('reader is closed');
    const end = this.log.committedEnd(this.topic, this.partition);
    const out: LogRecord[] = [];
    while (out.length < max && this.next < end) out.push(this.readNext(end));
    return out;
  }

  /**
   * Resolves `true` once the record at {@link position} is committed (at once if it is), `false`
   * on timeout, abort or close of the log.
   */
  waitForCommit(options: WaitOptions = {}): Promise<boolean> {
    return this.log.waitForCommit(this.topic, this.partition, this.next, options);
  }

  close(): void {
    this.closed = true;
    this.leaveSegment();
  }

  private readNext(end: number): LogRecord {
    if (this.segment === undefined) this.locate();
    for (;;) {
      let rel = this.cursorPosition - this.bufStart;
      let size =
        this.cursorOffset < this.bufValidBelow && rel >= 0
          ? checkFrame(this.buf, rel, this.bufEnd)
          : FRAME_INCOMPLETE;
      if (size === FRAME_INCOMPLETE) {
        this.fill(end);
        rel = 0;
        if (this.bufEnd === 0) {
          this.enterNextSegment();
          continue;
        }
        size = checkFrame(this.buf, 0, this.bufEnd);
      }
      if (size < 0 || frameOffset(this.buf, rel) !== this.cursorOffset) {
        throw new LocalLogCorruptionError(
          `committed offset ${this.cursorOffset} of ${this.topic}/${this.partition} is unreadable at byte ${this.cursorPosition} of ${this.segment!.path}`,
        );
      }
      const offset = this.cursorOffset;
      this.segment!.index.add(offset, this.cursorPosition);
      this.cursorPosition += size;
      this.cursorOffset++;
      if (offset < this.next) continue; // walking from an index entry up to a seek target
      this.next++;
      return decodeFrame(this.buf, rel);
    }
  }

  private fill(end: number): void {
    this.bufStart = this.cursorPosition;
    this.bufValidBelow = end;
    if (this.buf.length < READ_CHUNK) this.buf = Buffer.allocUnsafe(READ_CHUNK);
    this.bufEnd = readFully(this.fd!, this.buf, this.buf.length, this.cursorPosition);
    if (this.bufEnd >= FRAME_HEADER_BYTES) {
      const need = FRAME_HEADER_BYTES + this.buf.readUInt32LE(0);
      if (need > this.buf.length && need <= 1024 * 1024 * 1024) {
        // One frame larger than the chunk: grow to fit it (decoded records never alias the buffer).
        this.buf = Buffer.allocUnsafe(need);
        this.bufEnd = readFully(this.fd!, this.buf, need, this.cursorPosition);
      }
    }
  }

  private locate(): void {
    if (this.log.readOnly) this.partitionLog.refreshSegments();
    const segment = this.partitionLog.segmentFor(this.next);
    if (segment === undefined) {
      throw new LocalLogCorruptionError(
        `no segment holds committed offset ${this.next} of ${this.topic}/${this.partition}`,
      );
    }
    const start = segment.index.floor(this.next) ?? { offset: segment.base, position: 0 };
    this.enter(segment, start.position, start.offset);
  }

  /** The current segment ended: the frame at `cursorOffset` must open a later one. */
  private enterNextSegment(): void {
    let segment = this.partitionLog.segmentStartingAt(this.cursorOffset);
    if (segment === undefined && this.log.readOnly) {
      this.partitionLog.refreshSegments();
      segment = this.partitionLog.segmentStartingAt(this.cursorOffset);
    }
    if (segment === undefined || segment === this.segment) {
      throw new LocalLogCorruptionError(
        `committed offset ${this.cursorOffset} of ${this.topic}/${this.partition} is past the end of ${this.segment!.path}`,
      );
    }
    this.enter(segment, 0, segment.base);
  }

  private enter(segment: Segment, position: number, offset: number): void {
    this.leaveSegment();
    this.segment = segment;
    this.fd = openSync(segment.path, 'r');
    this.cursorPosition = position;
    this.cursorOffset = offset;
  }

  private leaveSegment(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.segment = undefined;
    this.bufEnd = 0;
    this.bufValidBelow = 0;
  }
}
