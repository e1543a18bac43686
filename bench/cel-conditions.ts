/**
 * Cost of one condition evaluation, the cel-js interpreter against the compiled closures
 * (src/rules/cel-compiler.ts), on five typical conditions over a small mix of events. Each
 * measurement runs RUNS times (default 7) after a warm-up; the median ns/eval is reported.
 *
 *   npm run bench:cel            # RUNS=9 EVALS=2000000 npm run bench:cel
 *
 * - interpreter: `RULE_CEL.parse(source)` called as compile-condition called it before the
 *   compiler (`evaluate({ e, ts, matched })`);
 * - compiled: `CompiledCondition.test(event, ctx)` as the engine calls it (the wrapper included:
 *   error counting, the bool check);
 * - closures: the compiled expression alone (`compileCel(...).run`, errors returned as values).
 */
import type { ConditionContext } from '../src/cep/index.js';
import { compileCel } from '../src/rules/cel-compiler.js';
import { compileCondition, RULE_CEL, type RuleEvent } from '../src/rules/index.js';

const RUNS = Number(process.env.RUNS ?? 7);
const EVALS = Number(process.env.EVALS ?? 1_000_000);

const CONDITIONS: readonly { name: string; source: string; stages?: readonly string[] }[] = [
  { name: 'type and amount', source: 'e.type == "payout" && e.amount > 500.0' },
  { name: 'type and bool field', source: 'e.type == "login" && e.newDevice == true' },
  { name: 'in list, >=', source: 'e.country in ["FR", "DE", "US"] && e.amount >= 100.0' },
  {
    name: 'has, startsWith, size',
    source: 'has(e.merchant) && e.merchant.startsWith("m") && size(e.items) > 2',
  },
  {
    name: 'matched exists + max',
    source:
      'e.type == "payout" && matched.small.exists(s, s.amount < 2.0) && e.amount >= 40.0 * max(matched.small.map(s, s.amount))',
    stages: ['small', 'big'],
  },
];

const EVENTS: RuleEvent[] = [
  { type: 'payout', ts: 1, user: 'ann', amount: 900, country: 'FR', merchant: 'm1', items: [1, 2, 3] },
  { type: 'login', ts: 2, user: 'bob', newDevice: true, country: 'US' },
  { type: 'payout', ts: 3, user: 'bob', amount: 120, country: 'GB', merchant: 'x9', items: [1] },
  { type: 'login', ts: 4, user: 'ann', newDevice: false, country: 'DE' },
];
const SMALL: RuleEvent[] = [
  { type: 'payment', ts: 0, amount: 1.5 },
  { type: 'payment', ts: 0, amount: 2 },
  { type: 'payment', ts: 0, amount: 1 },
];
const ctx = {
  getEventsForPattern: (name: string) => (name === 'small' ? SMALL : []),
} as unknown as ConditionContext<RuleEvent>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ns per call of `fn` over `evals` calls cycling through the events. */
function measure(evals: number, fn: (e: RuleEvent) => unknown): number {
  let sink = 0;
  const run = (): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < evals; i++) if (fn(EVENTS[i & 3]!) === true) sink++;
    return Number(process.hrtime.bigint() - t0) / evals;
  };
  run(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) times.push(run());
  if (sink < 0) console.log(sink);
  return median(times);
}

console.log(`cel-conditions: median of ${RUNS} runs, ns per evaluation`);
console.log(
  `${'condition'.padEnd(24)} ${'interpreter'.padStart(12)} ${'compiled'.padStart(10)} ${'closures'.padStart(10)} speed-up`,
);
for (const c of CONDITIONS) {
  const stages = c.stages ?? [];
  const r = compileCondition(c.source, { ruleId: 'bench', stages: c.stages });
  if (!r.ok) throw new Error(`${c.name}: ${r.message}`);
  if (!r.condition.compiled) throw new Error(`${c.name}: not compiled`);
  const condition = r.condition;
  const evaluate = RULE_CEL.parse(c.source);
  const matchedOf = (): Record<string, RuleEvent[]> => {
    const m: Record<string, RuleEvent[]> = Object.create(null);
    for (const s of condition.matchedStages) m[s] = [...ctx.getEventsForPattern(s)];
    return m;
  };
  const interpreter = (e: RuleEvent): unknown => {
    try {
      return stages.length === 0
        ? evaluate({ e, ts: e.ts })
        : evaluate({ e, ts: e.ts, matched: matchedOf() });
    } catch {
      return false;
    }
  };
  const parsed = RULE_CEL.parse(c.source);
  parsed.check();
  const closures = compileCel(parsed.ast, { stages: condition.matchedStages })!;
  const raw = (e: RuleEvent): unknown => {
    try {
      return closures.run(e, ctx);
    } catch {
      return false;
    }
  };
  // Same results on the sample events, or the comparison means nothing.
  for (const e of EVENTS) {
    if (condition.test(e, ctx) !== (interpreter(e) === true)) throw new Error(`${c.name}: results differ`);
  }
  const tInterp = measure(Math.max(1, Math.floor(EVALS / 10)), interpreter);
  const tCompiled = measure(EVALS, (e) => condition.test(e, ctx));
  const tClosures = measure(EVALS, raw);
  console.log(
    `${c.name.padEnd(24)} ${tInterp.toFixed(1).padStart(12)} ${tCompiled.toFixed(1).padStart(10)} ${tClosures
      .toFixed(1)
      .padStart(10)} ${(tInterp / tCompiled).toFixed(1)}x`,
  );
}
