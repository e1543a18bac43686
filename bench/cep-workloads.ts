/**
 * Workloads of the CEP benchmark (bench/cep-throughput.ts): the patterns, and seeded generators of
 * their (pre-generated, timestamp-ordered) event streams. Events are small `{ key, type, ts }`
 * objects, timestamps 1 ms apart.
 *
 * - W1: strict 3-stage sequence `a next b next c` (no window) over 10k keys; types uniform over
 *   a, b, c and one noise type, keys uniform.
 * - W2/Ln: skip-till-any `s0 followedByAny s1 ... followedByAny s(n-1)` within 100 ms (a window of
 *   100 events), n = 2..6, one key; types uniform over the n pattern types plus 6 noise types.
 * - W3: Kleene `a followedBy b+ followedBy c` (oneOrMore, relaxed inner contiguity) within 100 ms,
 *   one key; types uniform over a, b, c plus 3 noise types.
 * - W4: `a notFollowedBy b` within 5 min over 100k keys; types a 50%, b 20%, noise 30%, keys
 *   uniform; at the end, time is advanced past the window so every pending absence completes.
 *   Plus a memory scenario: one `a` per key for every key (all keys hold a partial match), then
 *   time moves past the window (all complete and the keys' state is dropped).
 */
import { Pattern } from '../src/cep/pattern/index.js';

/** One event of the benchmark. */
export interface Ev {
  readonly key: string;
  readonly type: string;
  readonly ts: number;
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a positive number, got ${raw}`);
  return Math.floor(n);
}

const is =
  (type: string) =>
  (e: Ev): boolean =>
    e.type === type;

/** A benchmark workload: a pattern and its event stream. */
export interface Workload {
  /** Group selectable on the command line: W1, W2, W3, W4. */
  readonly group: string;
  /** Row label, e.g. `W2/L3`. */
  readonly id: string;
  readonly description: string;
  /** Builds the pattern (a fresh one per run). */
  readonly pattern: () => Pattern<Ev, any>;
  /** Generates the events (called once, outside the timed region). */
  readonly generate: () => Ev[];
  /**
   * At the NFA level, after the last event every live key is advanced to this time (what the job's
   * final +Infinity watermark does), so matches completed by time (trailing notFollowedBy) are
   * counted at both levels. Must be past every window.
   */
  readonly flushAt?: (events: readonly Ev[]) => number;
  /** The bar (events/s) printed next to the median. */
  readonly bar?: number;
  /**
   * For one-key workloads: the memory pass replays the first `memoryPrefix` events on this many
   * keys (interleaved, same timestamps), so the heap delta is far above GC noise.
   */
  readonly memoryReplicas?: number;
  readonly memoryPrefix?: number;
}

/** The events of the memory pass of `w`: its stream, or a prefix replayed on many keys. */
export function memoryEvents(w: Workload, events: readonly Ev[]): readonly Ev[] {
  if (w.memoryReplicas === undefined) return events;
  const prefix = events.slice(0, w.memoryPrefix ?? 400);
  const keys = Array.from({ length: w.memoryReplicas }, (_, j) => `m${j}`);
  const out: Ev[] = [];
  for (const e of prefix) for (const key of keys) out.push({ key, type: e.type, ts: e.ts });
  return out;
}

function keyNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `k${i}`);
}

/** Events with types drawn from `types` with the given weights, keys uniform over `keys`. */
function generateStream(
  seed: number,
  count: number,
  keys: readonly string[],
  types: readonly string[],
  weights?: readonly number[],
): Ev[] {
  const rnd = mulberry32(seed);
  const w = weights ?? types.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const x of w) {
    acc += x / total;
    cumulative.push(acc);
  }
  const out: Ev[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const key = keys.length === 1 ? keys[0]! : keys[Math.floor(rnd() * keys.length)]!;
    const r = rnd();
    let t = 0;
    while (t < types.length - 1 && r >= cumulative[t]!) t++;
    out[i] = { key, type: types[t]!, ts: i };
  }
  return out;
}

const NOISE = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];

export const W1_KEYS = envInt('CEP_W1_KEYS', 10_000);
export const W4_KEYS = envInt('CEP_W4_KEYS', 100_000);
export const W4_WINDOW = 5 * 60_000;
export const W2_W3_WINDOW = 100;

function w1(): Workload {
  const events = envInt('CEP_W1_EVENTS', 500_000);
  return {
    group: 'W1',
    id: 'W1',
    description: `strict a next b next c, no window, ${W1_KEYS} keys, ${events} events, types a/b/c/n0 uniform`,
    pattern: () => Pattern.begin<Ev>('a').where(is('a')).next('b').where(is('b')).next('c').where(is('c')),
    generate: () => generateStream(1, events, keyNames(W1_KEYS), ['a', 'b', 'c', 'n0']),
    bar: 1_000_000,
  };
}

/** Default event counts of W2 per sequence length (more stages -> many more partial matches). */
const W2_DEFAULT_EVENTS: Record<number, number> = { 2: 100_000, 3: 30_000, 4: 10_000, 5: 4_000, 6: 2_000 };

function w2(length: number): Workload {
  const scale = Number(process.env.CEP_W2_SCALE ?? 1);
  const events = envInt(
    `CEP_W2_L${length}_EVENTS`,
    Math.max(1, Math.round(W2_DEFAULT_EVENTS[length]! * scale)),
  );
  const stages = Array.from({ length }, (_, i) => `s${i}`);
  return {
    group: 'W2',
    id: `W2/L${length}`,
    description: `followedByAny x${length} within ${W2_W3_WINDOW} ms, 1 key, ${events} events, ${length}+6 types uniform`,
    pattern: () => {
      let p = Pattern.begin<Ev>(stages[0]!).where(is(stages[0]!));
      for (let i = 1; i < length; i++) p = p.followedByAny(stages[i]!).where(is(stages[i]!));
      return p.within(W2_W3_WINDOW);
    },
    generate: () => generateStream(100 + length, events, ['k0'], [...stages, ...NOISE]),
    ...(length === 3 ? { bar: 200_000 } : {}),
    memoryReplicas: length <= 3 ? 500 : length === 4 ? 200 : 50,
    memoryPrefix: 400,
  };
}

function w3(): Workload {
  const events = envInt('CEP_W3_EVENTS', 50_000);
  return {
    group: 'W3',
    id: 'W3',
    description: `a followedBy b+ followedBy c within ${W2_W3_WINDOW} ms, 1 key, ${events} events, a/b/c+3 noise uniform`,
    pattern: () =>
      Pattern.begin<Ev>('a')
        .where(is('a'))
        .followedBy('b')
        .where(is('b'))
        .oneOrMore()
        .followedBy('c')
        .where(is('c'))
        .within(W2_W3_WINDOW),
    generate: () => generateStream(3, events, ['k0'], ['a', 'b', 'c', 'n0', 'n1', 'n2']),
    memoryReplicas: 500,
    memoryPrefix: 400,
  };
}

/** The W4 pattern: an `a` with no `b` for the same key within 5 minutes. */
export function w4Pattern(): Pattern<Ev, any> {
  return Pattern.begin<Ev>('a').where(is('a')).notFollowedBy('b').where(is('b')).within(W4_WINDOW);
}

function w4(): Workload {
  const events = envInt('CEP_W4_EVENTS', 300_000);
  return {
    group: 'W4',
    id: 'W4',
    description: `a notFollowedBy b within 5 min, ${W4_KEYS} keys, ${events} events (a 50%, b 20%, noise 30%), flushed past the window`,
    pattern: w4Pattern,
    generate: () => generateStream(4, events, keyNames(W4_KEYS), ['a', 'b', 'n0'], [5, 2, 3]),
    flushAt: (evs) => (evs.length === 0 ? 0 : evs[evs.length - 1]!.ts) + W4_WINDOW + 1,
  };
}

/** The W4 memory scenario: one `a` per key, 1 ms apart (all inside one window). */
export function w4MemoryEvents(keys = W4_KEYS): Ev[] {
  return keyNames(keys).map((key, i) => ({ key, type: 'a', ts: i }));
}

/** All workloads, in order. */
export function allWorkloads(): Workload[] {
  return [w1(), ...[2, 3, 4, 5, 6].map(w2), w3(), w4()];
}
