/**
 * The workload of the Kafka benchmark (`kafka-throughput.ts`): 256-byte JSON events over a set of
 * users, keyed by user (the Kafka key), and the pattern "a login from a new device followed by a
 * large payout" (`a followedBy b`, skip-till-next, no after-match skip). The generator counts the
 * alerts the pattern must produce, so a run can check what it read.
 */
import { Pattern } from '../src/cep/index.js';

/** Size of every encoded event (bytes). */
export const EVENT_BYTES = 256;

/** Payouts at or above this amount are "large" (stage `b`). */
export const LARGE_PAYOUT = 1000;

/** One input event (JSON, padded to {@link EVENT_BYTES}). */
export interface BenchEvent {
  readonly user: string;
  readonly type: 'login' | 'payment' | 'payout';
  readonly amount: number;
  readonly device: string;
  readonly newDevice: boolean;
  /** Wall-clock send time in the latency phase, a synthetic time in the pre-filled input. */
  readonly ts: number;
  readonly seq: number;
  readonly pad: string;
}

/** What the job writes per match. */
export interface BenchAlert {
  readonly user: string;
  readonly aSeq: number;
  readonly bSeq: number;
  /** `ts` of the event that completed the match. */
  readonly bTs: number;
}

/**
 * `a`: a login from a new device; `b`: a payout of at least {@link LARGE_PAYOUT}; within
 * `withinMs` (long enough that nothing times out during a run, so the expected count is exact).
 */
export function fraudPattern(withinMs: number): Pattern<BenchEvent, BenchEvent> {
  return Pattern.begin<BenchEvent>('a')
    .where((e) => e.type === 'login' && e.newDevice)
    .followedBy('b')
    .where((e) => e.type === 'payout' && e.amount >= LARGE_PAYOUT)
    .within(withinMs);
}

/** The alert of a match of {@link fraudPattern}. */
export function toAlert(match: Map<string, BenchEvent[]>): BenchAlert {
  const a = match.get('a')![0]!;
  const b = match.get('b')![0]!;
  return { user: a.user, aSeq: a.seq, bSeq: b.seq, bTs: b.ts };
}

/** A small seeded PRNG (mulberry32), so every run gets the same input. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An encoded event: the Kafka key and the 256-byte JSON value. */
export interface EncodedEvent {
  readonly key: string;
  readonly value: Buffer;
}

/**
 * Generates events over `keys` users. A fraction `alertingStages` of events is a new-device
 * login (stage `a`) and the same fraction a large payout (stage `b`); the rest match neither.
 * {@link expectedAlerts} follows what the pattern must emit: a `b` completes every pending `a`
 * of its user.
 *
 * @example
 * ```ts
 * const gen = new EventGenerator({ keys: 10_000, alertingStages: 0.02, seed: 1 });
 * const { key, value } = gen.next(Date.now());
 * ```
 */
export class EventGenerator {
  private readonly random: () => number;
  /** Pending `a` events per user index. */
  private readonly pending: Uint32Array;
  private seq = 0;
  /** Alerts the events generated so far must produce. */
  expectedAlerts = 0;
  /** Fraction of events that are stage `a` (and the same fraction stage `b`); settable. */
  alertingStages: number;

  constructor(private readonly options: { keys: number; alertingStages: number; seed: number }) {
    this.random = mulberry32(options.seed);
    this.pending = new Uint32Array(options.keys);
    this.alertingStages = options.alertingStages;
  }

  /** The next event, with `ts` as its timestamp. */
  next(ts: number): EncodedEvent {
    const r = this.random;
    const u = Math.floor(r() * this.options.keys);
    const user = `u${String(u).padStart(6, '0')}`;
    const x = r();
    const p = this.alertingStages;
    let type: BenchEvent['type'];
    let amount: number;
    let newDevice = false;
    if (x < p) {
      type = 'login';
      amount = 0;
      newDevice = true;
      this.pending[u]!++;
    } else if (x < 2 * p) {
      type = 'payout';
      amount = LARGE_PAYOUT + Math.floor(r() * 9000);
      this.expectedAlerts += this.pending[u]!;
      this.pending[u] = 0;
    } else if (x < 0.6) {
      type = 'payment';
      amount = Math.floor(r() * 50_000) / 100;
    } else if (x < 0.8) {
      type = 'login';
      amount = 0;
    } else {
      type = 'payout';
      amount = Math.floor(r() * LARGE_PAYOUT * 100) / 100 - 0.01;
    }
    const event: BenchEvent = {
      user,
      type,
      amount: Math.max(0, amount),
      device: `d${Math.floor(r() * 1e6)}`,
      newDevice,
      ts,
      seq: this.seq++,
      pad: '',
    };
    return { key: user, value: encodePadded(event) };
  }
}

/** JSON of `event` with `pad` filled so that the encoding is exactly {@link EVENT_BYTES} bytes. */
function encodePadded(event: BenchEvent): Buffer {
  const bare = JSON.stringify(event);
  const missing = EVENT_BYTES - Buffer.byteLength(bare);
  if (missing < 0) throw new Error(`event longer than ${EVENT_BYTES} bytes: ${bare}`);
  return Buffer.from(JSON.stringify({ ...event, pad: 'x'.repeat(missing) }));
}
