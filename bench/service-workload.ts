/**
 * Workload of the service benchmark (`bench/service-throughput.ts`): generated pattern rules and
 * the event batches sent to `POST /events`.
 *
 * Rules: `bench-<i>`, variants of the README's `new-device-payout` rule keyed by `user`: a login
 * from a new device, then (followedBy, within 10 minutes, skipPastLastEvent) a payout in the
 * rule's own amount band `(1000 + 10 i, 1010 + 10 i]`. A payout of `1005 + 10 j` after a
 * new-device login therefore alerts for rule `j` only, so the number of expected alerts does not
 * depend on how many rules are active, while every event is still routed to every rule.
 *
 * Events (over `keys` users, timestamps = the wall clock when the batch is built, strictly
 * increasing per batch): page views, known-device logins and payouts below every band (noise),
 * a few new-device logins that are never followed by a payout in a band (partial matches that
 * stay), and alerting pairs: a new-device login in one batch and a payout in a band in the next.
 * Marker pairs use their own users (`marker-<n>`) so their alerts can be told apart for latency.
 */

/** A rule document as `POST /rules` takes it. */
export type RuleDocument = Record<string, unknown>;

/** One event as `POST /events` takes it. */
export interface BenchEvent {
  type: string;
  ts: number;
  user: string;
  newDevice?: boolean;
  amount?: number;
  page?: number;
}

/** The band rule `bench-<index>`. */
export function benchRule(index: number): RuleDocument {
  const lo = 1000 + 10 * index;
  return {
    id: `bench-${index}`,
    version: 1,
    status: 'active',
    kind: 'pattern',
    description: `A login from a new device, then a payout in (${lo}, ${lo + 10}] within 10 minutes`,
    key: ['user'],
    stages: [
      { name: 'login', condition: 'e.type == "login" && e.newDevice == true' },
      {
        name: 'payout',
        contiguity: 'followedBy',
        condition: `e.type == "payout" && e.amount > ${lo}.0 && e.amount <= ${lo + 10}.0`,
      },
    ],
    within: 'PT10M',
    skip: 'skipPastLastEvent',
    alert: {
      severity: 'high',
      message: 'payout of {{payout.amount}} after a new-device login for {{key}}',
      fields: ['user'],
    },
  };
}

/** A payout amount inside the band of rule `index` (alerts for that rule only). */
export function bandAmount(index: number): number {
  return 1005 + 10 * index;
}

/** Options of {@link EventGenerator}. */
export interface WorkloadOptions {
  readonly keys: number;
  readonly rules: number;
  readonly batchSize: number;
  /** Fraction of the events that belong to alerting pairs (2 events per expected alert). */
  readonly alertFraction: number;
  /** Fraction of the events that are new-device logins never completed. */
  readonly openFraction: number;
  readonly seed: number;
}

/** A batch ready to send, with the marker pairs it completes. */
export interface Batch {
  readonly events: BenchEvent[];
  /** Users of the marker pairs whose completing payout is in this batch. */
  readonly completesMarkers: string[];
}

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the batches one at a time (timestamps are taken when a batch is built, right before it
 * is sent). Counts the alerting pairs it started; `flush()` returns the completions still due.
 */
export class EventGenerator {
  private readonly random: () => number;
  private readonly users: string[];
  private pendingPayouts: BenchEvent[] = [];
  private pendingMarkers: string[] = [];
  private pairCarry = 0;
  private lastTs = 0;
  private markerCount = 0;
  /** Alerting pairs started so far (markers excluded). */
  pairs = 0;
  /** Events built so far (markers included). */
  built = 0;

  constructor(private readonly o: WorkloadOptions) {
    this.random = prng(o.seed);
    this.users = Array.from({ length: o.keys }, (_, i) => `user-${i}`);
  }

  /** Markers started so far. */
  get markers(): number {
    return this.markerCount;
  }

  private nextTs(): number {
    this.lastTs = Math.max(Date.now(), this.lastTs + 1);
    return this.lastTs;
  }

  private user(): string {
    return this.users[Math.floor(this.random() * this.users.length)]!;
  }

  private ruleIndex(): number {
    return Math.floor(this.random() * this.o.rules);
  }

  /** The next batch of `size` events (plus the completions due), with a marker pair if asked. */
  next(withMarker: boolean, size = this.o.batchSize): Batch {
    const ts = this.nextTs();
    const events: BenchEvent[] = this.pendingPayouts.map((p) => ({ ...p, ts }));
    const completesMarkers = this.pendingMarkers;
    this.pendingPayouts = [];
    this.pendingMarkers = [];
    this.pairCarry += (size * this.o.alertFraction) / 2;
    while (this.pairCarry >= 1) {
      this.pairCarry -= 1;
      const user = this.user();
      events.push({ type: 'login', ts, user, newDevice: true });
      this.pendingPayouts.push({ type: 'payout', ts, user, amount: bandAmount(this.ruleIndex()) });
      this.pairs++;
    }
    if (withMarker) {
      const user = `marker-${this.markerCount++}`;
      events.push({ type: 'login', ts, user, newDevice: true });
      this.pendingPayouts.push({
        type: 'payout',
        ts,
        user,
        amount: bandAmount(this.markerCount % this.o.rules),
      });
      this.pendingMarkers.push(user);
    }
    while (events.length < size) {
      const r = this.random();
      const user = this.user();
      if (r < this.o.openFraction) events.push({ type: 'login', ts, user, newDevice: true });
      else if (r < 0.7) events.push({ type: 'page_view', ts, user, page: Math.floor(this.random() * 100) });
      else if (r < 0.9) events.push({ type: 'login', ts, user, newDevice: false });
      else events.push({ type: 'payout', ts, user, amount: Math.floor(this.random() * 990) + 1 });
    }
    this.built += events.length;
    return { events, completesMarkers };
  }

  /** The completions still due (the last batch's pairs), or undefined when none. */
  flush(): Batch | undefined {
    if (this.pendingPayouts.length === 0) return undefined;
    const ts = this.nextTs();
    const events = this.pendingPayouts.map((p) => ({ ...p, ts }));
    const completesMarkers = this.pendingMarkers;
    this.pendingPayouts = [];
    this.pendingMarkers = [];
    this.built += events.length;
    return { events, completesMarkers };
  }
}
