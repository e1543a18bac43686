/**
 * The rule mix of the service benchmark (`bench/service-throughput.ts`): N rules generated
 * deterministically from a seed, about 70% pattern rules and 30% threshold rules, keyed by
 * `user`, `card` or `ip`, and for each rule the scenario of events that completes it.
 *
 * How the benchmark knows every alert in advance: each rule `bench-<i>` owns an amount band
 * `(lo, lo + 10]` with `lo = 1000 + 10 i`, and the stage that completes the rule (the last
 * positive stage of a pattern, the filter of a threshold rule) requires the rule's event type
 * AND an amount in its band. Background events (`service-workload.ts`) always carry amounts
 * below 1000, so they start partial matches (login from a new device, small card payments, ...)
 * and are routed to every rule of their type, but they can complete no pattern and put nothing
 * in any threshold window. A planted scenario completes exactly one rule: its band amounts are
 * in no other rule's band, and its keys (user, card, ip) are fresh, so no background event and
 * no other scenario shares a partial match or a window with it.
 */

/** A rule document as `POST /rules` takes it. */
export type RuleDocument = Record<string, unknown>;

/** The grouping keys of the mix. */
export type KeyField = 'user' | 'card' | 'ip';

/** One event as `POST /events` takes it (the fields the mix uses). */
export interface BenchEvent {
  type: string;
  ts: number;
  user: string;
  ip: string;
  card?: string;
  amount?: number;
  newDevice?: boolean;
  success?: boolean;
  result?: string;
  country?: string;
}

/** The fresh keys of one scenario. */
export interface ScenarioKeys {
  readonly user: string;
  readonly card: string;
  readonly ip: string;
}

/** An event of a scenario without its time and keys (filled in when its batch is built). */
export type EventBody = Omit<BenchEvent, 'ts' | 'user' | 'ip' | 'card'>;

/**
 * What planting a rule's scenario takes: its steps, one batch each (so every step has a later
 * event time than the previous one, and ties between equal timestamps never decide a match),
 * and how many alerts it must produce.
 */
export interface Scenario {
  readonly steps: readonly (readonly EventBody[])[];
  readonly alerts: number;
}

/** A generated rule: the document, its template, and how to plant it. */
export interface BenchRule {
  readonly id: string;
  /** The template's name, for per-kind counts ("seq2", "loop", "count-tumbling", ...). */
  readonly template: string;
  readonly kind: 'pattern' | 'threshold';
  readonly key: KeyField;
  readonly doc: RuleDocument;
  readonly scenario: Scenario;
  /** Longest event-time span of a match or a window (ms): how far event time must move to fire it. */
  readonly spanMs: number;
}

/** Event types carrying a card (card-keyed rules use only these). */
export const CARD_TYPES: ReadonlySet<string> = new Set(['payment', 'card_add', 'refund', 'chargeback']);

/** Background amounts stay below this; every band is above it. */
export const BAND_BASE = 1000;

/** The lower bound of rule `index`'s band. */
const bandLow = (index: number): number => BAND_BASE + 10 * index;

/** An amount inside rule `index`'s band (and no other rule's). */
export const bandAmount = (index: number): number => bandLow(index) + 5;

const MIN = 60_000;

/** Small deterministic PRNG (mulberry32): the same seed gives the same rules and events. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `e.type == "<type>" && <rule index's band>`: the completing condition. */
const inBand = (type: string, index: number): string =>
  `e.type == "${type}" && e.amount > ${bandLow(index)}.0 && e.amount <= ${bandLow(index) + 10}.0`;

const alert = (message: string, fields: string[]) => ({ severity: 'high', message, fields });

interface Template {
  readonly name: string;
  readonly kind: 'pattern' | 'threshold';
  make(index: number, random: () => number): Omit<BenchRule, 'id' | 'template' | 'kind'>;
}

const pick = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

/** A pattern rule's document. */
function pattern(
  index: number,
  key: KeyField,
  stages: Record<string, unknown>[],
  withinMin: number,
  message: string,
): RuleDocument {
  return {
    id: `bench-${index}`,
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: [key],
    stages,
    within: `PT${withinMin}M`,
    // One alert per completed scenario, however many partial matches (loops) complete at once.
    skip: 'skipPastLastEvent',
    alert: alert(message, [key]),
  };
}

/** A threshold rule's document: `aggregate` of band events of `type` per window, above `limit`. */
function threshold(
  index: number,
  key: KeyField,
  type: string,
  aggregate: 'count' | 'sum',
  window: { type: 'tumbling' | 'sliding'; size: string; slide?: string },
  limit: number,
): RuleDocument {
  return {
    id: `bench-${index}`,
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: [key],
    aggregate,
    ...(aggregate === 'sum' ? { field: 'amount' } : {}),
    filter: inBand(type, index),
    window,
    compare: { op: '>', value: limit },
    alert: alert(`{{value}} (${aggregate} of ${type}) for {{key}} in a window`, [key]),
  };
}

const TEMPLATES: readonly Template[] = [
  {
    // The README's new-device payout.
    name: 'seq2',
    kind: 'pattern',
    make: (i, random) => {
      const within = pick(random, [5, 10]);
      return {
        key: 'user',
        doc: pattern(
          i,
          'user',
          [
            { name: 'login', condition: 'e.type == "login" && e.newDevice == true' },
            { name: 'payout', contiguity: 'followedBy', condition: inBand('payout', i) },
          ],
          within,
          'payout of {{payout.amount}} after a new-device login for {{key}}',
        ),
        scenario: { steps: [[{ type: 'login', newDevice: true, success: true }], [payout(i)]], alerts: 1 },
        spanMs: within * MIN,
      };
    },
  },
  {
    name: 'seq3',
    kind: 'pattern',
    make: (i) => ({
      key: 'user',
      doc: pattern(
        i,
        'user',
        [
          { name: 'password', condition: 'e.type == "password_change"' },
          { name: 'login', contiguity: 'followedBy', condition: 'e.type == "login" && e.newDevice == true' },
          { name: 'transfer', contiguity: 'followedBy', condition: inBand('transfer', i) },
        ],
        30,
        'transfer of {{transfer.amount}} after a password change and a new-device login for {{key}}',
      ),
      scenario: {
        steps: [
          [{ type: 'password_change' }],
          [{ type: 'login', newDevice: true, success: true }],
          [{ type: 'transfer', amount: bandAmount(i) }],
        ],
        alerts: 1,
      },
      spanMs: 30 * MIN,
    }),
  },
  {
    // Strict contiguity: the payment must be the ip's very next event after the failed login.
    name: 'next',
    kind: 'pattern',
    make: (i) => ({
      key: 'ip',
      doc: pattern(
        i,
        'ip',
        [
          { name: 'failed', condition: 'e.type == "login" && e.success == false' },
          { name: 'payment', contiguity: 'next', condition: inBand('payment', i) },
        ],
        5,
        'payment of {{payment.amount}} right after a failed login from {{key}}',
      ),
      scenario: {
        steps: [
          [{ type: 'login', newDevice: false, success: false }],
          [{ type: 'payment', amount: bandAmount(i) }],
        ],
        alerts: 1,
      },
      spanMs: 5 * MIN,
    }),
  },
  {
    // Card testing: a loop of small payments, then a large one.
    name: 'loop',
    kind: 'pattern',
    make: (i, random) => {
      const times = pick(random, [2, 3, 4]);
      const quantifier = pick(random, [
        { type: 'timesOrMore', from: times },
        { type: 'times', from: times },
        { type: 'oneOrMore' },
      ]);
      const n = quantifier.type === 'oneOrMore' ? 2 : times;
      return {
        key: 'card',
        doc: pattern(
          i,
          'card',
          [
            { name: 'small', condition: 'e.type == "payment" && e.amount < 5.0', quantifier },
            { name: 'large', contiguity: 'followedBy', condition: inBand('payment', i) },
          ],
          10,
          'card {{key}}: small payments then {{large.amount}}',
        ),
        scenario: {
          steps: [
            ...Array.from({ length: n }, (_, k) => [{ type: 'payment', amount: 1 + k }]),
            [{ type: 'payment', amount: bandAmount(i) }],
          ],
          alerts: 1,
        },
        spanMs: 10 * MIN,
      };
    },
  },
  {
    // Absence at the end: fires by time alone, when event time passes the login's `within`.
    name: 'not-followed-by',
    kind: 'pattern',
    make: (i) => ({
      key: 'user',
      doc: pattern(
        i,
        'user',
        [
          { name: 'address', condition: 'e.type == "address_change"' },
          { name: 'payout', contiguity: 'followedBy', condition: inBand('payout', i) },
          { name: 'kyc', contiguity: 'notFollowedBy', condition: 'e.type == "kyc_check"' },
        ],
        15,
        'payout of {{payout.amount}} after an address change, no KYC check, for {{key}}',
      ),
      scenario: { steps: [[{ type: 'address_change' }], [payout(i)]], alerts: 1 },
      spanMs: 15 * MIN,
    }),
  },
  {
    // Absence in the middle: a card added, no chargeback, then a large refund.
    name: 'not-between',
    kind: 'pattern',
    make: (i) => ({
      key: 'card',
      doc: pattern(
        i,
        'card',
        [
          { name: 'added', condition: 'e.type == "card_add"' },
          { name: 'noChargeback', contiguity: 'notFollowedBy', condition: 'e.type == "chargeback"' },
          { name: 'refund', contiguity: 'followedBy', condition: inBand('refund', i) },
        ],
        10,
        'refund of {{refund.amount}} on a new card {{key}}',
      ),
      scenario: { steps: [[{ type: 'card_add' }], [{ type: 'refund', amount: bandAmount(i) }]], alerts: 1 },
      spanMs: 10 * MIN,
    }),
  },
  {
    name: 'count-tumbling',
    kind: 'threshold',
    make: (i, random) => {
      const key = pick(random, ['card', 'ip'] as const);
      const type =
        key === 'card'
          ? pick(random, ['payment', 'refund', 'chargeback'])
          : pick(random, ['payment', 'payout']);
      const n = pick(random, [3, 4, 5]);
      const size = pick(random, [1, 5, 10]);
      return {
        key,
        doc: threshold(i, key, type, 'count', { type: 'tumbling', size: `PT${size}M` }, n - 1),
        // The burst shares one timestamp, hence one window.
        scenario: { steps: [Array.from({ length: n }, () => ({ type, amount: bandAmount(i) }))], alerts: 1 },
        spanMs: size * MIN,
      };
    },
  },
  {
    name: 'sum-sliding',
    kind: 'threshold',
    make: (i, random) => {
      const key = pick(random, ['user', 'ip'] as const);
      const type = pick(random, ['transfer', 'payout']);
      const n = pick(random, [2, 3]);
      const [size, slide] = pick(random, [
        [10, 5],
        [15, 5],
        [30, 10],
      ] as const);
      return {
        key,
        doc: threshold(
          i,
          key,
          type,
          'sum',
          { type: 'sliding', size: `PT${size}M`, slide: `PT${slide}M` },
          n * bandLow(i),
        ),
        // One timestamp: every one of the size/slide windows holding it has the whole burst and alerts.
        scenario: {
          steps: [Array.from({ length: n }, () => ({ type, amount: bandAmount(i) }))],
          alerts: size / slide,
        },
        spanMs: size * MIN,
      };
    },
  },
];

function payout(i: number): EventBody {
  return { type: 'payout', amount: bandAmount(i) };
}

/**
 * The mix, rule `i` taking template `MIX[i % 10]`: 7 pattern rules and 3 threshold rules in every
 * 10, so 10 rules already hold every template (rule 0, a `seq2`, is what the latency markers
 * complete).
 */
const MIX = [
  'seq2',
  'count-tumbling',
  'loop',
  'sum-sliding',
  'seq3',
  'not-followed-by',
  'next',
  'count-tumbling',
  'not-between',
  'seq2',
] as const;

/**
 * Rules `bench-0` .. `bench-<count-1>`, the same for a given seed whatever the count: rule `i`'s
 * template comes from {@link MIX}, its parameters (windows, `within`, loop counts, key) from its
 * own generator.
 *
 * @example
 * ```ts
 * const rules = benchRules(100, 7);
 * rules.filter((r) => r.kind === 'threshold').length; // 30
 * ```
 */
export function benchRules(count: number, seed: number): BenchRule[] {
  const rules: BenchRule[] = [];
  for (let i = 0; i < count; i++) {
    const template = TEMPLATES.find((t) => t.name === MIX[i % MIX.length])!;
    const random = prng(seed * 1_000_003 + i);
    rules.push({
      id: `bench-${i}`,
      template: template.name,
      kind: template.kind,
      ...template.make(i, random),
    });
  }
  return rules;
}

/** The alert key the service reports for a rule keyed by `field` (see src/rules/grouping-key.ts). */
export const alertKey = (field: KeyField, value: string): string => JSON.stringify([[field, value]]);

/** The probe rule: matches a lone `kyc_check` with `result == "probe"`, which only probes carry. */
export const PROBE_RULE: RuleDocument = {
  id: 'bench-probe',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [{ name: 'probe', condition: 'e.type == "kyc_check" && e.result == "probe"' }],
  alert: alert('probe {{key}}', ['user']),
};
