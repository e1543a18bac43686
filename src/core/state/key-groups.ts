/**
 * Keys map to key groups (`maxParallelism` of them, 128 by default) and key groups to parallel
 * tasks in contiguous ranges, exactly as in Flink: state and timers are snapshotted per key group,
 * so a job can be restored with a different parallelism by moving whole key groups.
 */

/** Flink's default `maxParallelism`. */
export const DEFAULT_MAX_PARALLELISM = 128;

/** Keys as the state layer stores them: primitives stay as they are, the rest become strings. */
export type NormalizedKey = string | number | boolean | bigint;

const encoder = new TextEncoder();

/** murmur3 32-bit finalizer steps over one 32-bit block. */
function mixK1(k1: number): number {
  k1 = Math.imul(k1, 0xcc9e2d51);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, 0x1b873593);
}

function mixH1(h1: number, k1: number): number {
  h1 ^= k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

function fmix(h1: number, length: number): number {
  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/** murmur3_32 (seed 0) over the UTF-16 code units of a string, two units per block. */
export function murmurHashString(s: string): number {
  let h1 = 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    h1 = mixH1(h1, mixK1(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)));
  }
  if (i < n) h1 ^= mixK1(s.charCodeAt(i));
  return fmix(h1, n * 2);
}

/** murmur3_32 of one 32-bit integer. */
export function murmurHashInt(v: number): number {
  return fmix(mixH1(0, mixK1(v | 0)), 4);
}

/** murmur3_32 over bytes (used for keys that are neither strings nor safe integers). */
export function murmurHashBytes(bytes: Uint8Array): number {
  let h1 = 0;
  const n = bytes.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    h1 = mixH1(h1, mixK1(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)));
  }
  // Tail bytes, as murmur3's fall-through switch (written without fall-through for the linter).
  const tail = n & 3;
  if (tail > 0) {
    let k1 = 0;
    if (tail === 3) k1 ^= bytes[i + 2]! << 16;
    if (tail >= 2) k1 ^= bytes[i + 1]! << 8;
    k1 ^= bytes[i]!;
    h1 ^= mixK1(k1);
  }
  return fmix(h1, n);
}

/**
 * Turns a key into something a `Map` compares by value. Strings, numbers, booleans and bigints are
 * kept; anything else (arrays, objects for composite keys) becomes canonical JSON prefixed with
 * `\u0001` so it cannot collide with a string key.
 */
export function normalizeKey(key: unknown): NormalizedKey {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return key;
    default:
      return `\u0001${canonicalJson(key)}`;
  }
}

function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    if (v instanceof Date) return JSON.stringify(v.toISOString());
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`).join(',')}}`;
  }
  if (typeof v === 'bigint') return `"${v}n"`;
  return JSON.stringify(v);
}

/**
 * A stable 32-bit hash of a key, the same in every process (so a repartition topic and the state
 * layer agree). Safe integers hash as integers, strings by their code units, everything else by
 * its canonical form.
 */
export function hashKey(key: unknown): number {
  if (typeof key === 'string') return murmurHashString(key);
  if (typeof key === 'number' && (key | 0) === key) return murmurHashInt(key);
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') {
    return murmurHashString(String(key));
  }
  return murmurHashBytes(encoder.encode(canonicalJson(key)));
}

/** The key group of a key: `hash(key) % maxParallelism`. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The parallel task that owns a key group (Flink's `computeOperatorIndexForKeyGroup`). */
export function computeOperatorIndexForKeyGroup(
  maxParallelism: number,
  parallelism: number,
  keyGroup: number,
): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The task that owns a key. */
export function assignKeyToParallelOperator(
  key: unknown,
  maxParallelism: number,
  parallelism: number,
): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

/** An inclusive range of key groups, owned by one parallel task. */
export class KeyGroupRange {
  constructor(
    readonly startKeyGroup: number,
    readonly endKeyGroup: number,
  ) {}

  /** The range of task `index` out of `parallelism` (Flink's `computeKeyGroupRangeForOperatorIndex`). */
  static forOperatorIndex(maxParallelism: number, parallelism: number, index: number): KeyGroupRange {
    if (parallelism > maxParallelism) {
      throw new Error(`parallelism ${parallelism} exceeds maxParallelism ${maxParallelism}`);
    }
    const start = Math.floor((index * maxParallelism + parallelism - 1) / parallelism);
    const end = Math.floor(((index + 1) * maxParallelism - 1) / parallelism);
    return new KeyGroupRange(start, end);
  }

  contains(keyGroup: number): boolean {
    return keyGroup >= this.startKeyGroup && keyGroup <= this.endKeyGroup;
  }

  get numberOfKeyGroups(): number {
    return this.endKeyGroup - this.startKeyGroup + 1;
  }
}
