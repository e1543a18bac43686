import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Alert, type Rule, type RuleEvent, validateRule } from '../../src/rules/index.js';
import { runRules } from './helpers.js';

// The fast path (events routed once per grouping, only to the rules the index finds, every rule
// of a grouping side by side in one keyed state) against the plain one: each rule alone, fed every
// event of its key. Random rule sets mix strict and relaxed contiguity, negations, loops with
// `until` and inner contiguity, `within` and timeout alerts, skip strategies and thresholds, over
// three groupings; streams carry an event type no rule names (it only breaks strict runs).

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`indexed-evaluation fast-check seed: ${seed} (FC_SEED=${seed} to replay)`);

const conditionArb = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'd').map((t) => `e.type == "${t}"`),
  fc
    .tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 8 }))
    .map(([t, n]) => `e.type == "${t}" && e.v > ${n}`),
  fc.constantFrom('e.type in ["a", "b"]', 'e.type == "c" || e.type == "d"', '"b" == e.type && e.flag'),
  fc.integer({ min: 2, max: 8 }).map((n) => `e.v > ${n}`),
  // Bands and bounds (the index's numeric ranges).
  fc
    .tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 }))
    .map(([t, lo, width]) => `e.type == "${t}" && e.v > ${lo}.0 && e.v <= ${lo + width}.0`),
  fc
    .tuple(fc.constantFrom('a', 'b', 'd'), fc.constantFrom('<', '<=', '>='), fc.integer({ min: 0, max: 9 }))
    .map(([t, op, n]) => `e.type == "${t}" && ${op === '>=' ? `${n} <= e.v` : `e.v ${op} ${n}`}`),
  fc.constant('e.flag == true'),
);

const stageArb = fc.record({
  condition: conditionArb,
  contiguity: fc.constantFrom('next', 'followedBy', 'followedByAny', 'notNext', 'notFollowedBy'),
  quantifier: fc.constantFrom(
    undefined,
    { type: 'oneOrMore' },
    { type: 'times', from: 2 },
    { type: 'times', from: 1, to: 3 },
    { type: 'timesOrMore', from: 2 },
  ),
  inner: fc.constantFrom(undefined, 'consecutive', 'allowCombinations'),
  optional: fc.boolean(),
  until: fc.constantFrom(undefined, 'e.type == "d"', 'e.v > 7'),
});

const patternArb = fc.record({
  stages: fc.array(stageArb, { minLength: 1, maxLength: 3 }),
  within: fc.constantFrom(undefined, 2000, 5000),
  skip: fc.constantFrom(undefined, 'noSkip', 'skipToNext', 'skipPastLastEvent'),
  key: fc.constantFrom(['user'], ['card'], ['user', 'card']),
  timeoutAlert: fc.boolean(),
});

// Rules shaped to defer their starts (start-log.ts): relaxed contiguity, a single-event first
// stage, `within`; first stages drawn from few conditions so several rules share a start log;
// sometimes a second-stage `withinPrevious`, a later loop, or a partial-match cap low enough to bite.
const deferringArb = fc.record({
  first: fc.constantFrom('e.type == "a"', 'e.type == "a" && e.v > 3', 'e.type in ["a", "b"]'),
  rest: fc.array(
    fc.record({
      condition: conditionArb,
      contiguity: fc.constantFrom('followedBy', 'followedByAny'),
      quantifier: fc.constantFrom(undefined, undefined, { type: 'oneOrMore' }, { type: 'times', from: 2 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  within: fc.constantFrom(2000, 5000),
  withinPrevious: fc.constantFrom(undefined, 1000, 3000),
  skip: fc.constantFrom(undefined, 'noSkip', 'skipToNext', 'skipPastLastEvent'),
  key: fc.constantFrom(['user'], ['card']),
  cap: fc.constantFrom(undefined, undefined, 1, 2, 3),
});

const thresholdArb = fc.record({
  filter: fc.constantFrom(undefined, 'e.type == "a"', 'e.type in ["b", "c"]', 'e.v > 4'),
  key: fc.constantFrom(['user'], ['card']),
  limit: fc.integer({ min: 1, max: 3 }),
  size: fc.constantFrom(2000, 4000),
});

type PatternSpec = typeof patternArb extends fc.Arbitrary<infer X> ? X : never;
type ThresholdSpec = typeof thresholdArb extends fc.Arbitrary<infer X> ? X : never;
type DeferringSpec = typeof deferringArb extends fc.Arbitrary<infer X> ? X : never;
type RawEvent = typeof eventsArb extends fc.Arbitrary<(infer X)[]> ? X : never;

function patternRule(id: string, p: PatternSpec): Rule | undefined {
  const stages = p.stages.map((s, i) => {
    const looping = s.quantifier !== undefined;
    return {
      name: `s${i}`,
      condition: s.condition,
      ...(i > 0 ? { contiguity: s.contiguity } : {}),
      ...(looping ? { quantifier: s.quantifier } : {}),
      ...(looping && s.inner !== undefined ? { inner: s.inner } : {}),
      ...(looping && s.until !== undefined ? { until: s.until } : {}),
      ...(s.optional && i > 0 ? { optional: true } : {}),
    };
  });
  const v = validateRule({
    id,
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: p.key,
    stages,
    ...(p.within !== undefined ? { within: p.within } : {}),
    ...(p.skip !== undefined ? { skip: p.skip } : {}),
    alert: { severity: 'low', message: '{{key}}' },
    ...(p.timeoutAlert && p.within !== undefined
      ? { timeoutAlert: { severity: 'low', message: 'timeout {{key}}' } }
      : {}),
  });
  return v.ok ? v.rule : undefined;
}

function deferringRule(id: string, d: DeferringSpec): Rule | undefined {
  const v = validateRule({
    id,
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: d.key,
    stages: [
      { name: 's0', condition: d.first },
      ...d.rest.map((r, i) => ({
        name: `s${i + 1}`,
        condition: r.condition,
        contiguity: r.contiguity,
        ...(r.quantifier !== undefined ? { quantifier: r.quantifier } : {}),
        ...(i === 0 && d.withinPrevious !== undefined ? { withinPrevious: d.withinPrevious } : {}),
      })),
    ],
    within: d.within,
    ...(d.skip !== undefined ? { skip: d.skip } : {}),
    ...(d.cap !== undefined ? { limits: { maxPartialMatchesPerKey: d.cap } } : {}),
    alert: { severity: 'low', message: '{{key}}' },
  });
  return v.ok ? v.rule : undefined;
}

function thresholdRule(id: string, t: ThresholdSpec): Rule {
  const v = validateRule({
    id,
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: t.key,
    aggregate: 'count',
    ...(t.filter !== undefined ? { filter: t.filter } : {}),
    window: { type: 'tumbling', size: t.size },
    compare: { op: '>=', value: t.limit },
    alert: { severity: 'low', message: '{{count}}' },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule;
}

const eventsArb = fc.array(
  fc.record({
    gap: fc.constantFrom(0, 0, 200, 500, 900, 1500, 3000),
    type: fc.constantFrom('a', 'b', 'c', 'd', 'noise'),
    user: fc.constantFrom('u1', 'u2'),
    card: fc.constantFrom('c1', 'c2'),
    v: fc.integer({ min: 0, max: 9 }),
    flag: fc.boolean(),
  }),
  { minLength: 5, maxLength: 45 },
);

function eventsOf(raw: readonly RawEvent[]): RuleEvent[] {
  let ts = 1_000_000;
  return raw.map((r, i) => {
    ts += r.gap;
    return { type: r.type, ts, id: `e${i}`, user: r.user, card: r.card, v: r.v, flag: r.flag };
  });
}

const canonical = (alerts: readonly Alert[]): string[] => alerts.map((a) => JSON.stringify(a)).sort();

describe('indexed, grouped evaluation vs each rule alone', () => {
  it('gives exactly the alerts of evaluating every rule on every event of its key', async () => {
    let cases = 0;
    let rulesRun = 0;
    let alertsSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(patternArb, { maxLength: 5 }),
        fc.array(deferringArb, { maxLength: 4 }),
        fc.array(thresholdArb, { maxLength: 2 }),
        eventsArb,
        async (patterns, deferring, thresholds, raw) => {
          const rules: Rule[] = [];
          patterns.forEach((p, i) => {
            const r = patternRule(`p${i}`, p);
            if (r !== undefined) rules.push(r);
          });
          deferring.forEach((d, i) => {
            const r = deferringRule(`d${i}`, d);
            if (r !== undefined) rules.push(r);
          });
          thresholds.forEach((t, i) => rules.push(thresholdRule(`t${i}`, t)));
          fc.pre(rules.length > 0);
          const events = eventsOf(raw);
          const fast = await runRules(rules, events, 2, { indexed: true });
          const plain: Alert[] = [];
          for (const rule of rules)
            plain.push(...(await runRules([rule], events, 1, { indexed: false })).alerts);
          expect(canonical(fast.alerts)).toEqual(canonical(plain));
          cases++;
          rulesRun += rules.length;
          alertsSeen += plain.length;
        },
      ),
      { seed, numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
    console.log(`indexed-evaluation: ${cases} cases, ${rulesRun} rules, ${alertsSeen} alerts compared`);
    // Not vacuous: the generated rules do alert.
    expect(alertsSeen).toBeGreaterThan(cases);
  }, 120_000);
});
