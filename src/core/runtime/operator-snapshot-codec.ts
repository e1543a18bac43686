import { deserialize, serialize } from 'node:v8';
import type { OperatorSnapshot } from './stream-operator.js';

/** Bumped when the layout of {@link OperatorSnapshot} changes incompatibly. */
const FORMAT_VERSION = 1;
const MAGIC = 0x4f53; // "OS"

/**
 * Encodes an operator snapshot as bytes (a 3-byte header: magic and format version, then the
 * structured-clone body), the unit that checkpoints and savepoints store per operator instance.
 *
 * @example
 * ```ts
 * const bytes = encodeOperatorSnapshot(harness.snapshot());
 * await restored.open([decodeOperatorSnapshot(bytes)]);
 * ```
 */
export function encodeOperatorSnapshot(snapshot: OperatorSnapshot): Uint8Array {
  const body = serialize(snapshot);
  const out = new Uint8Array(body.length + 3);
  out[0] = MAGIC >> 8;
  out[1] = MAGIC & 0xff;
  out[2] = FORMAT_VERSION;
  out.set(body, 3);
  return out;
}

/** Decodes bytes written by {@link encodeOperatorSnapshot}; rejects foreign or newer formats. */
export function decodeOperatorSnapshot(bytes: Uint8Array): OperatorSnapshot {
  if (bytes.length < 3 || ((bytes[0]! << 8) | bytes[1]!) !== MAGIC) {
    throw new Error('not an operator snapshot');
  }
  if (bytes[2] !== FORMAT_VERSION) {
    throw new Error(
      `operator snapshot format ${bytes[2]} is not supported (this version reads ${FORMAT_VERSION})`,
    );
  }
  return deserialize(bytes.subarray(3)) as OperatorSnapshot;
}
