import { deserialize, serialize } from 'node:v8';
import type { RawEntry } from './abstract-heap-state.js';
import type { StateKind } from './state-descriptor.js';

/** Bumped when the layout below changes incompatibly. */
const FORMAT_VERSION = 1;

/**
 * The entries of one state inside one key group. Payloads hold bytes of the state's own serializer
 * (plus TTL timestamps), so they stay opaque until the state's descriptor is registered; with the
 * default structured-clone serializer they hold the values themselves (`raw`), serialized once with
 * the key group.
 *
 * @internal
 */
export type StateGroup = readonly [
  name: string,
  kind: StateKind,
  entries: readonly RawEntry[],
  /** Values kept as they are (structured-clone serializer) rather than as bytes; absent: bytes. */
  raw?: boolean,
  /** In an incremental snapshot: (namespace, key) pairs removed since its base, applied after `entries`. */
  removed?: readonly (readonly [namespace: string | number, key: unknown])[],
];

interface KeyGroupPayload {
  readonly v: number;
  readonly states: readonly StateGroup[];
}

/**
 * Bytes of one key group of a heap keyed-state snapshot: V8's structured-clone format of
 * `{ v, states: [name, kind, [namespace, key, payload][]][] }`. Structured clone keeps composite and
 * bigint keys intact; values inside payloads are already bytes.
 *
 * @internal
 */
export function encodeKeyGroup(states: readonly StateGroup[]): Uint8Array {
  const payload: KeyGroupPayload = { v: FORMAT_VERSION, states };
  return serialize(payload);
}

/** Inverse of {@link encodeKeyGroup}. @internal */
export function decodeKeyGroup(bytes: Uint8Array): readonly StateGroup[] {
  const payload = deserialize(bytes) as KeyGroupPayload;
  if (payload === null || typeof payload !== 'object' || payload.v !== FORMAT_VERSION) {
    throw new Error(`unsupported keyed state snapshot format ${(payload as KeyGroupPayload | null)?.v}`);
  }
  return payload.states;
}
