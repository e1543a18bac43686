import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregateKind,
  type CompareOp,
  parseDurationMs,
  type Rule,
  type RuleEvent,
  type ThresholdRule,
  validateRule,
} from '../../src/rules/index.js';
import { runRules } from './helpers.js';

// The threshold evaluator (router + ThresholdEvaluator in a real job, parallelism 2) against a
// brute-force computation straight from the semantics: per rule, key and window, the aggregate
// of the events passing the filter, compared with the limit.

const SEED = Number(process.env.RULES_PROPERTY_SEED ?? 20261122);

function thresholdRule(
  id: string,
  aggregate: AggregateKind,
  window: ThresholdRule['window'],
  op: CompareOp,
  value: number,
  filter?: string,
): ThresholdRule {
  const v = validateRule({
    id,
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: ['acct'],
    aggregate,
    ...(aggregate === 'count' ? {} : { field: 'amount' }),
    ...(filter === undefined ? {} : { filter }),
    window,
    compare: { op, value },
    alert: { severity: 'low', message: '{{value}}' },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule as ThresholdRule;
}

const ruleArb = fc
  .record({
    aggregate: fc.constantFrom<AggregateKind>('count', 'sum', 'avg', 'min', 'max'),
    sliding: fc.boolean(),
    size: fc.constantFrom(1000, 2000, 3000),
    slideDiv: fc.constantFrom(1, 2, 4),
    op: fc.constantFrom<CompareOp>('>', '>=', '<', '<=', '==', '!='),
    value: fc.integer({ min: 0, max: 12 }),
    filtered: fc.boolean(),
  })
  .map((r, i = 0) =>
    thresholdRule(
      `t-${r.aggregate}-${r.sliding ? 's' : 't'}-${r.size}-${r.slideDiv}-${Math.abs(i)}`,
      r.aggregate,
      r.sliding
        ? { type: 'sliding', size: r.size, slide: r.size / r.slideDiv }
        : { type: 'tumbling', size: r.size },
      r.op,
      r.value,
      r.filtered ? 'e.type == "transfer"' : undefined,
    ),
  );

const eventsArb = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 700 }),
      acct: fc.constantFrom('a', 'b', 'c'),
      type: fc.constantFrom('transfer', 'payment'),
      amount: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant('n/a')),
    }),
    { maxLength: 40 },
  )
  .map((xs) => {
    let ts = 1_000_000;
    return xs.map((x, i): RuleEvent => {
      ts += x.gap;
      return { type: x.type, ts, id: `e${i}`, acct: x.acct, amount: x.amount };
    });
  });

/** The expected alerts as 'rule|key|start|value|count' strings. */
function bruteForce(rules: readonly ThresholdRule[], events: readonly RuleEvent[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    const size = parseDurationMs(rule.window.size)!;
    const slide = rule.window.type === 'sliding' ? parseDurationMs(rule.window.slide!)! : size;
    const windows = new Map<string, number[]>();
    for (const e of events) {
      if (rule.filter !== undefined && e.type !== 'transfer') continue;
      const v = rule.aggregate === 'count' ? 1 : e.amount;
      if (typeof v !== 'number') continue;
      const ts = e.ts as number;
      for (let start = ts - (ts % slide); start > ts - size; start -= slide) {
        const k = `${JSON.stringify([['acct', e.acct]])}|${start}`;
        windows.set(k, [...(windows.get(k) ?? []), v]);
      }
    }
    for (const [k, vs] of windows) {
      const sum = vs.reduce((a, b) => a + b, 0);
      const agg = { count: vs.length, sum, avg: sum / vs.length, min: Math.min(...vs), max: Math.max(...vs) }[
        rule.aggregate
      ];
      const limit = rule.compare.value;
      const pass = {
        '>': agg > limit,
        '>=': agg >= limit,
        '<': agg < limit,
        '<=': agg <= limit,
        '==': agg === limit,
        '!=': agg !== limit,
      }[rule.compare.op];
      if (pass) out.push(`${rule.id}|${k}|${agg}|${vs.length}`);
    }
  }
  return out.sort();
}

describe('ThresholdEvaluator vs brute force', () => {
  it('emits exactly the windows whose aggregate passes, for random rules and streams', async () => {
    let alertsSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(ruleArb, { minLength: 1, maxLength: 3, selector: (r) => r.id }),
        eventsArb,
        async (rules, events) => {
          const { alerts } = await runRules(rules as Rule[], events);
          const got = alerts
            .map((a) => `${a.ruleId}|${a.key}|${a.eventTimeStart}|${a.value}|${a.count}`)
            .sort();
          expect(got).toEqual(bruteForce(rules, events));
          alertsSeen += got.length;
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
    expect(alertsSeen).toBeGreaterThan(50);
  }, 120_000);
});
