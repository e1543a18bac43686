import { crc32 } from 'node:zlib';

/**
 * One committed record of a local-log partition, as readers see it.
 *
 * @example
 * ```ts
 * for (const r of reader.poll(100)) console.log(r.offset, r.timestamp, r.key?.toString(), jsonValue(r));
 * ```
 */
export interface LogRecord {
  /** Position in the partition: 0, 1, 2, … without gaps. */
  readonly offset: number;
  /** Milliseconds since the epoch, as given at append (default: the append time). */
  readonly timestamp: number;
  /** Optional key; `null` when appended without one. */
  readonly key: Buffer | null;
  /** The payload bytes (a private copy, safe to keep). */
  readonly value: Buffer;
}

/**
 * The value of a record written with `appendJson`, parsed.
 *
 * @example
 * ```ts
 * const alert = jsonValue<Alert>(record);
 * ```
 */
export function jsonValue<T = unknown>(record: LogRecord): T {
  return JSON.parse(record.value.toString('utf8')) as T;
}

/**
 * The frame of one record in a segment file (little endian):
 *
 * ```
 * u32 bodyLength | u32 crc32(body) | body
 * body = u32 offsetHigh | u32 offsetLow | f64 timestamp | i32 keyLength (-1: no key) | key | value
 * ```
 *
 * The offset sits inside the CRC-protected body so that recovery can tell a frame left behind by an
 * aborted or crashed transaction at the right position from one that belongs there.
 */
export const FRAME_HEADER_BYTES = 8;
const BODY_FIXED_BYTES = 20;
/** Guards against reading a garbage length as a gigantic frame. */
export const MAX_FRAME_BODY_BYTES = 256 * 1024 * 1024;

/**
 * Bytes one record takes on disk.
 *
 * @example
 * ```ts
 * frameSize(null, Buffer.from('abc')); // 31
 * ```
 */
export function frameSize(key: Buffer | null, value: Buffer): number {
  return FRAME_HEADER_BYTES + BODY_FIXED_BYTES + (key === null ? 0 : key.length) + value.length;
}

/**
 * Writes one frame at `pos` of `target` (which must have room) and returns the position after it.
 *
 * @example
 * ```ts
 * const buf = Buffer.allocUnsafe(frameSize(key, value));
 * encodeFrame(buf, 0, offset, Date.now(), key, value);
 * ```
 */
export function encodeFrame(
  target: Buffer,
  pos: number,
  offset: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer,
): number {
  const body = pos + FRAME_HEADER_BYTES;
  const keyLength = key === null ? 0 : key.length;
  const bodyLength = BODY_FIXED_BYTES + keyLength + value.length;
  target.writeUInt32LE(Math.floor(offset / 0x1_0000_0000), body);
  target.writeUInt32LE(offset >>> 0, body + 4);
  target.writeDoubleLE(timestamp, body + 8);
  target.writeInt32LE(key === null ? -1 : keyLength, body + 16);
  if (key !== null) key.copy(target, body + BODY_FIXED_BYTES);
  value.copy(target, body + BODY_FIXED_BYTES + keyLength);
  target.writeUInt32LE(bodyLength, pos);
  target.writeUInt32LE(crc32(target.subarray(body, body + bodyLength)), pos + 4);
  return body + bodyLength;
}

/** {@link checkFrame}: the frame is cut off by the end of the available bytes. */
export const FRAME_INCOMPLETE = -1;
/** {@link checkFrame}: the bytes are not a valid frame (bad length or CRC). */
export const FRAME_CORRUPT = -2;

/**
 * Validates the frame at `pos` of `buf[0, end)`: its total size, or {@link FRAME_INCOMPLETE} /
 * {@link FRAME_CORRUPT}.
 *
 * @example
 * ```ts
 * const size = checkFrame(buf, pos, end);
 * if (size > 0) records.push(decodeFrame(buf, pos));
 * ```
 */
export function checkFrame(buf: Buffer, pos: number, end: number): number {
  if (end - pos < FRAME_HEADER_BYTES) return FRAME_INCOMPLETE;
  const bodyLength = buf.readUInt32LE(pos);
  if (bodyLength < BODY_FIXED_BYTES || bodyLength > MAX_FRAME_BODY_BYTES) return FRAME_CORRUPT;
  const body = pos + FRAME_HEADER_BYTES;
  if (end - body < bodyLength) return FRAME_INCOMPLETE;
  if (crc32(buf.subarray(body, body + bodyLength)) !== buf.readUInt32LE(pos + 4)) return FRAME_CORRUPT;
  const keyLength = buf.readInt32LE(body + 16);
  if (keyLength < -1 || BODY_FIXED_BYTES + Math.max(0, keyLength) > bodyLength) return FRAME_CORRUPT;
  return FRAME_HEADER_BYTES + bodyLength;
}

/** The offset stored in the (already checked) frame at `pos`. */
export function frameOffset(buf: Buffer, pos: number): number {
  const body = pos + FRAME_HEADER_BYTES;
  return buf.readUInt32LE(body) * 0x1_0000_0000 + buf.readUInt32LE(body + 4);
}

/** Materialises the (already checked) frame at `pos`, copying key and value out of `buf`. */
export function decodeFrame(buf: Buffer, pos: number): LogRecord {
  const bodyLength = buf.readUInt32LE(pos);
  const body = pos + FRAME_HEADER_BYTES;
  const keyLength = buf.readInt32LE(body + 16);
  const keyStart = body + BODY_FIXED_BYTES;
  const valueStart = keyStart + Math.max(0, keyLength);
  return {
    offset: frameOffset(buf, pos),
    timestamp: buf.readDoubleLE(body + 8),
    key: keyLength < 0 ? null : Buffer.from(buf.subarray(keyStart, valueStart)),
    value: Buffer.from(buf.subarray(valueStart, body + bodyLength)),
  };
}
