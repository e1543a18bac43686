import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import {
  checkFrame,
  FRAME_CORRUPT,
  FRAME_HEADER_BYTES,
  FRAME_INCOMPLETE,
  frameOffset,
} from './log-record.js';
import type { SparseOffsetIndex } from './sparse-offset-index.js';

const SEGMENT_SUFFIX = '.log';
/** Zero padding keeps a directory listing in offset order, as Kafka does. */
const NAME_DIGITS = 20;

/**
 * `<baseOffset>.log`, the base offset zero-padded to 20 digits.
 *
 * @example
 * ```ts
 * segmentFileName(4096); // '00000000000000004096.log'
 * ```
 */
export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(NAME_DIGITS, '0')}${SEGMENT_SUFFIX}`;
}

/**
 * The base offsets of the segment files in a partition directory, ascending.
 *
 * @example
 * ```ts
 * listSegmentBases('data/topics/alerts/0'); // [0, 81234]
 * ```
 */
export function listSegmentBases(partitionDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(partitionDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const bases: number[] = [];
  for (const name of names) {
    if (name.length !== NAME_DIGITS + SEGMENT_SUFFIX.length || !name.endsWith(SEGMENT_SUFFIX)) continue;
    const base = Number(name.slice(0, NAME_DIGITS));
    if (Number.isSafeInteger(base)) bases.push(base);
  }
  return bases.sort((a, b) => a - b);
}

/** Where and why a {@link scanSegment} stopped. */
export interface SegmentScan {
  /** Offset of the first record not read (one past the last valid one). */
  readonly nextOffset: number;
  /** Byte position just after the last valid frame. */
  readonly endPosition: number;
  /** `end`: clean end of file; `torn`: a cut-off frame; `corrupt`: bad length/CRC or an unexpected offset. */
  readonly stop: 'end' | 'torn' | 'corrupt';
}

const SCAN_CHUNK = 1024 * 1024;

/**
 * Reads the frames of a segment from `position` (whose frame must carry `offset`), checking each
 * CRC and that offsets follow on without gaps, up to the end of the file or the first bad frame.
 * Valid frames are added to `index`.
 *
 * @example
 * ```ts
 * const scan = scanSegment(path, 0, baseOffset, index);
 * if (scan.stop !== 'end') truncateAt(scan.endPosition);
 * ```
 */
export function scanSegment(
  path: string,
  position: number,
  offset: number,
  index: SparseOffsetIndex | undefined,
  stopAtOffset = Number.POSITIVE_INFINITY,
): SegmentScan {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(SCAN_CHUNK);
    let bufStart = position;
    let bufEnd = 0;
    let pos = position;
    let next = offset;
    for (;;) {
      if (next >= stopAtOffset) return { nextOffset: next, endPosition: pos, stop: 'end' };
      if (pos >= size) return { nextOffset: next, endPosition: pos, stop: 'end' };
      let rel = pos - bufStart;
      let status = checkFrame(buf, rel, bufEnd);
      if (status === FRAME_INCOMPLETE) {
        bufStart = pos;
        rel = 0;
        bufEnd = readFully(fd, buf, Math.min(buf.length, size - pos), pos);
        status = checkFrame(buf, 0, bufEnd);
        if (status === FRAME_INCOMPLETE && bufEnd >= FRAME_HEADER_BYTES) {
          // A single frame larger than the buffer: grow it once to fit.
          const need = FRAME_HEADER_BYTES + buf.readUInt32LE(0);
          if (need > buf.length && need <= size - pos) {
            buf = Buffer.allocUnsafe(need);
            bufEnd = readFully(fd, buf, need, pos);
            status = checkFrame(buf, 0, bufEnd);
          }
        }
      }
      if (status === FRAME_INCOMPLETE) return { nextOffset: next, endPosition: pos, stop: 'torn' };
      if (status === FRAME_CORRUPT || frameOffset(buf, rel) !== next) {
        return { nextOffset: next, endPosition: pos, stop: 'corrupt' };
      }
      index?.add(next, pos);
      pos += status;
      next++;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Byte position of the frame of `offset` in a segment, using `index` to skip ahead.
 *
 * @example
 * ```ts
 * const position = positionOf(segment.path, segment.base, 1234, segment.index);
 * ```
 */
export function positionOf(
  path: string,
  baseOffset: number,
  offset: number,
  index: SparseOffsetIndex,
): number {
  const start = index.floor(offset) ?? { offset: baseOffset, position: 0 };
  const scan = scanSegment(path, start.position, start.offset, undefined, offset);
  if (scan.nextOffset !== offset) {
    throw new Error(`offset ${offset} not found in segment ${path} (scan stopped at ${scan.nextOffset})`);
  }
  return scan.endPosition;
}

/**
 * `readSync` until `length` bytes or end of file; returns the bytes read.
 *
 * @example
 * ```ts
 * const n = readFully(fd, buf, buf.length, position); // n < buf.length only at end of file
 * ```
 */
export function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
