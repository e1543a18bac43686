/**
 * The rules layer alone (no HTTP, no log): `RulePipeline` in one job at parallelism 1 over
 * in-memory events, N generated rules (patterns and thresholds, 3 groupings, 12 event types),
 * with the rule index on and off. Both must give the same alerts; the figure is events/s through
 * routing and evaluation, the service's ceiling.
 *
 *   npm run bench:rules                          # RULES=1,10,100,1000 EVENTS=200000 KEYS=100000 RUNS=3
 */
import { StreamExecutionEnvironment, WatermarkStrategy } from '../src/core/index.js';
import {
  type Alert,
  type Rule,
  type RuleEvent,
  RulePipeline,
  type RuleUpdate,
  ruleUpdate,
  validateRule,
} from '../src/rules/index.js';
import { CountingSink } from './counting-sink.js';

const RULES = (process.env.RULES ?? '1,10,100,1000').split(',').map(Number);
const EVENTS = Number(process.env.EVENTS ?? 200_000);
const KEYS = Number(process.env.KEYS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 3);
const INDEX = (process.env.INDEX ?? 'on,off').split(',');

const TYPES = [
  'login',
  'logout',
  'payout',
  'payment',
  'transfer',
  'card_add',
  'password_change',
  'device_add',
  'refund',
  'chargeback',
  'address_change',
  'kyc_check',
];
const GROUPINGS = [['user'], ['card'], ['ip']];

/** A deterministic rule mix: 70% two- or three-stage patterns, 30% count/sum thresholds. */
function rules(n: number): Rule[] {
  const out: Rule[] = [];
  for (let i = 0; i < n; i++) {
    const key = GROUPINGS[i % 3]!;
    // Types independent of the grouping (i / 3), so each type is used by rules of every grouping.
    const t1 = TYPES[Math.floor(i / 3) % 12]!;
    const t2 = TYPES[(Math.floor(i / 3) * 7 + 3) % 12]!;
    const band = 1000 + (i % 50) * 100;
    const json =
      i % 10 < 7
        ? {
            id: `p-${i}`,
            version: 1,
            status: 'active',
            kind: 'pattern',
            key,
            stages: [
              { name: 'first', condition: `e.type == "${t1}" && e.flag == true` },
              {
                name: 'second',
                contiguity: 'followedBy',
                condition: `e.type == "${t2}" && e.amount >= ${band}.0 && e.amount < ${band + 100}.0`,
              },
            ],
            within: 'PT10M',
            alert: { severity: 'high', message: '{{key}}' },
          }
        : {
            id: `t-${i}`,
            version: 1,
            status: 'active',
            kind: 'threshold',
            key,
            aggregate: 'count',
            filter: `e.type == "${t1}" && e.amount >= ${band}.0 && e.amount < ${band + 100}.0`,
            window: { type: 'tumbling', size: 'PT1M' },
            compare: { op: '>=', value: 3 },
            alert: { severity: 'low', message: '{{count}}' },
          };
    const v = validateRule(json);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    out.push(v.rule);
  }
  return out;
}

function events(n: number): RuleEvent[] {
  // mulberry32: integer arithmetic with Math.imul (a float LCG loses precision and cycles early).
  let seed = 42;
  const rnd = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const t0 = Date.UTC(2026, 0, 1);
  const out: RuleEvent[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * KEYS);
    out.push({
      type: TYPES[Math.floor(rnd() * 12)]!,
      ts: t0 + i * 5,
      id: `e${i}`,
      user: `u${k}`,
      card: `c${(k * 7) % KEYS}`,
      ip: `10.${k % 250}.${(k >> 8) % 250}.1`,
      amount: Math.floor(rnd() * 6000),
      flag: rnd() < 0.1,
    });
  }
  return out;
}

async function run(
  ruleSet: Rule[],
  input: RuleEvent[],
  indexed: boolean,
): Promise<{ rate: number; alerts: number }> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const src = env
    .fromCollection(input)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<RuleEvent>(1000).withTimestampAssigner(
        (e) => e.ts as number,
      ),
    );
  const updates = env.fromCollection<RuleUpdate>(ruleSet.map((r) => ruleUpdate(r)));
  const sink = new CountingSink<Alert>();
  RulePipeline.alerts(src, updates, { indexed }).alerts.sinkTo(sink);
  const t0 = performance.now();
  await env.execute('rules');
  const dt = performance.now() - t0;
  return { rate: input.length / (dt / 1000), alerts: sink.count };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const input = events(EVENTS);
console.log(
  `rules layer: ${EVENTS} events, ${KEYS} keys, ${TYPES.length} types, 3 groupings, ${RUNS} runs each`,
);
for (const n of RULES) {
  const ruleSet = rules(n);
  const alerts = new Map<string, number>();
  for (const mode of INDEX) {
    const indexed = mode === 'on';
    await run(ruleSet, input.slice(0, Math.min(20_000, EVENTS)), indexed); // warm-up
    const rates: number[] = [];
    let count = 0;
    for (let r = 0; r < RUNS; r++) {
      const { rate, alerts: a } = await run(ruleSet, input, indexed);
      rates.push(rate);
      count = a;
    }
    alerts.set(mode, count);
    const heap = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(
      `${String(n).padStart(5)} rules, index ${mode.padEnd(3)}: ${(median(rates) / 1000).toFixed(1)}k events/s (runs: ${rates.map((x) => (x / 1000).toFixed(1)).join(', ')}), alerts ${count}, heap ${heap.toFixed(0)} MiB`,
    );
  }
  if (alerts.size > 1 && new Set(alerts.values()).size > 1)
    throw new Error(`alert counts differ: ${JSON.stringify([...alerts])}`);
}
