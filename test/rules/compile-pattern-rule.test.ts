import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AfterMatchSkipStrategy,
  CEP,
  type ConditionContext,
  DynamicCEP,
  Pattern,
  type PatternContext,
  PatternProcessFunction,
  WithinType,
} from '../../src/cep/index.js';
import { NFA } from '../../src/cep/nfa/nfa.js';
import { compileNFA } from '../../src/cep/nfa/nfa-compiler.js';
import { type Collector, OutputTag, StreamExecutionEnvironment } from '../../src/core/index.js';
import {
  type Alert,
  compilePatternRule,
  groupingKeyOf,
  PatternAlerts,
  type PatternRule,
  type Rule,
  type RuleEvent,
  type RuleUpdate,
  RuleValidationError,
  ruleUpdate,
  validateRule,
} from '../../src/rules/index.js';
import { punctuated } from './helpers.js';

type Ev = RuleEvent & { id: string; ts: number; amount: number };
const is = (t: string) => (e: RuleEvent) => e.type === t;
const common = {
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  alert: { severity: 'low', message: 'm' },
} as const;

function rule(id: string, body: Record<string, unknown>): PatternRule {
  const v = validateRule({ id, ...common, ...body });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule as PatternRule;
}

/** Pairs of a rule and the Pattern a developer would write for it by hand. */
const pairs: Array<[PatternRule, () => Pattern<RuleEvent, any>]> = [
  [
    rule('times-range', {
      stages: [
        {
          name: 'a',
          condition: 'e.type == "a"',
          quantifier: { type: 'times', from: 2, to: 3 },
          greedy: true,
        },
        { name: 'b', contiguity: 'next', condition: 'e.type == "b"' },
      ],
      within: 5000,
    }),
    () =>
      Pattern.begin<RuleEvent>('a').where(is('a')).times(2, 3).greedy().next('b').where(is('b')).within(5000),
  ],
  [
    rule('until-skip', {
      stages: [
        { name: 'a', condition: 'e.type == "a"', quantifier: { type: 'oneOrMore' }, until: 'e.type == "c"' },
        { name: 'b', condition: 'e.type == "b"' },
      ],
      skip: 'skipPastLastEvent',
    }),
    () =>
      Pattern.begin<RuleEvent>('a', AfterMatchSkipStrategy.skipPastLastEvent())
        .where(is('a'))
        .oneOrMore()
        .until(is('c'))
        .followedBy('b')
        .where(is('b')),
  ],
  [
    rule('negation', {
      stages: [
        { name: 'a', condition: 'e.type == "a"' },
        { name: 'n', contiguity: 'notFollowedBy', condition: 'e.type == "c"' },
        { name: 'b', condition: 'e.type == "b"' },
      ],
    }),
    () =>
      Pattern.begin<RuleEvent>('a')
        .where(is('a'))
        .notFollowedBy('n')
        .where(is('c'))
        .followedBy('b')
        .where(is('b')),
  ],
  [
    rule('group', {
      stages: [
        {
          group: [
            { name: 'a', condition: 'e.type == "a"' },
            { name: 'b', contiguity: 'followedBy', condition: 'e.type == "b"' },
          ],
          quantifier: { type: 'times', from: 2 },
        },
        { name: 'c', contiguity: 'followedByAny', condition: 'e.type == "c"' },
      ],
      within: 'PT8S',
      skip: 'skipToFirst:b',
    }),
    () =>
      Pattern.begin<RuleEvent>(
        Pattern.begin<RuleEvent>('a').where(is('a')).followedBy('b').where(is('b')),
        AfterMatchSkipStrategy.skipToFirst('b'),
      )
        .times(2)
        .followedByAny('c')
        .where(is('c'))
        .within(8000),
  ],
  [
    rule('optional-consecutive', {
      stages: [
        { name: 'a', condition: 'e.type == "a"', optional: true },
        { name: 'b', contiguity: 'next', condition: 'e.type == "b"' },
        {
          name: 'c',
          condition: 'e.type == "c"',
          quantifier: { type: 'timesOrMore', from: 2 },
          inner: 'consecutive',
          withinPrevious: 3000,
        },
      ],
      within: 10_000,
      skip: 'skipToNext',
    }),
    () =>
      Pattern.begin<RuleEvent>('a', AfterMatchSkipStrategy.skipToNext())
        .where(is('a'))
        .optional()
        .next('b')
        .where(is('b'))
        .followedBy('c')
        .where(is('c'))
        .timesOrMore(2)
        .consecutive()
        .within(3000, WithinType.PREVIOUS_AND_CURRENT)
        .within(10_000),
  ],
  [
    rule('iterative', {
      stages: [
        {
          name: 'a',
          condition: 'e.type == "a"',
          quantifier: { type: 'oneOrMore' },
          inner: 'allowCombinations',
        },
        {
          name: 'b',
          contiguity: 'followedByAny',
          condition: 'e.type == "b" && e.amount > sum(matched.a.map(x, x.amount))',
        },
      ],
      within: 6000,
    }),
    () =>
      Pattern.begin<RuleEvent>('a')
        .where(is('a'))
        .oneOrMore()
        .allowCombinations()
        .followedByAny('b')
        .where((e, ctx: ConditionContext<RuleEvent>) => {
          let sum = 0;
          for (const x of ctx.getEventsForPattern('a')) sum += x.amount as number;
          return e.type === 'b' && (e.amount as number) > sum;
        })
        .within(6000),
  ],
];

/** Matches of a pattern over a stream, as 'stage:id' lists, plus the timed-out partial matches. */
function run(pattern: Pattern<RuleEvent, any>, events: readonly Ev[]): string[] {
  const nfa = new NFA(compileNFA(pattern));
  const state = nfa.createInitialState();
  const out: string[] = [];
  const show = (m: Map<string, RuleEvent[]>) =>
    [...m].map(([s, es]) => `${s}:${es.map((e) => e.id).join(',')}`).join(' ');
  for (const e of events) {
    const t = nfa.advanceTime(state, e.ts);
    for (const m of t.matches) out.push(`match ${show(m)}`);
    for (const [m] of t.timedOut) out.push(`timeout ${show(m)}`);
    for (const m of nfa.process(state, e, e.ts)) out.push(`match ${show(m)}`);
  }
  const end = nfa.advanceTime(state, Number.MAX_SAFE_INTEGER);
  for (const m of end.matches) out.push(`match ${show(m)}`);
  return out;
}

const streamArb = fc
  .array(
    fc.record({
      type: fc.constantFrom('a', 'b', 'c', 'd'),
      gap: fc.integer({ min: 0, max: 2500 }),
      amount: fc.integer({ min: 0, max: 9 }),
    }),
    {
      maxLength: 25,
    },
  )
  .map((xs) => {
    let ts = 0;
    return xs.map((x, i): Ev => {
      ts += x.gap;
      return { type: x.type, ts, id: `${x.type}${i}`, amount: x.amount };
    });
  });

describe('compilePatternRule: rule -> Pattern -> behaviour', () => {
  it.each(pairs.map(([r, p]) => [r.id, r, p] as const))(
    '%s behaves as the hand-written Pattern',
    (_id, r, hand) => {
      const compiled = compilePatternRule(r);
      let matches = 0;
      fc.assert(
        fc.property(streamArb, (events) => {
          const got = run(compiled, events);
          expect(got).toEqual(run(hand(), events));
          matches += got.length;
        }),
        { seed: 20261122, numRuns: 150 },
      );
      // The generated streams do exercise the pattern.
      expect(matches).toBeGreaterThan(20);
    },
  );

  it('throws RuleValidationError (with paths) for invalid or non-pattern definitions', () => {
    expect(() => compilePatternRule({ id: 'x' })).toThrow(RuleValidationError);
    try {
      compilePatternRule({ id: 'x', ...common, stages: [{ name: 'a', condition: 'e.x >' }] });
    } catch (e) {
      expect((e as RuleValidationError).errors[0]!.path).toBe('/stages/0/condition');
      expect((e as Error).message).toMatch(/^invalid rule: \/stages\/0\/condition: /);
    }
    const threshold = {
      id: 't',
      ...common,
      kind: 'threshold',
      aggregate: 'count',
      window: { type: 'tumbling', size: 1000 },
      compare: { op: '>', value: 1 },
    };
    expect(() => compilePatternRule(threshold)).toThrow(/\/kind: must be pattern/);
  });

  it('runs in a job with CEP.pattern, keyed by the rule key', async () => {
    const r = rule('ab', {
      stages: [
        { name: 'a', condition: 'e.type == "a"' },
        { name: 'b', condition: 'e.type == "b" && e.amount > 5.0' },
      ],
    });
    class Ids extends PatternProcessFunction<RuleEvent, string> {
      processMatch(m: Map<string, RuleEvent[]>, _ctx: PatternContext, out: Collector<string>): void {
        out.collect(
          [...m.values()]
            .flat()
            .map((e) => e.id)
            .join(' '),
        );
      }
    }
    const env = new StreamExecutionEnvironment({ parallelism: 2, autoWatermarkInterval: 0 });
    const events: RuleEvent[] = [
      { type: 'a', ts: 1, id: 'a1', user: 'u1' },
      { type: 'a', ts: 2, id: 'a2', user: 'u2' },
      { type: 'b', ts: 3, id: 'b1', user: 'u1', amount: 9 },
      { type: 'b', ts: 4, id: 'b2', user: 'u2', amount: 1 },
    ];
    const keyed = env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(punctuated())
      .keyBy((e) => groupingKeyOf(r, e) ?? '');
    const out = await CEP.pattern(keyed, compilePatternRule(r)).process(new Ids()).executeAndCollect();
    expect(out).toEqual(['a1 b1']);
  });

  it('runs in DynamicCEP as its compile function, with PatternAlerts and timeout alerts', async () => {
    const r = rule('pay-then-ship', {
      stages: [
        { name: 'pay', condition: 'e.type == "pay"' },
        { name: 'ship', condition: 'e.type == "ship"' },
      ],
      within: 'PT1M',
      timeoutAlert: { severity: 'medium', message: 'no shipping for {{key}} after paying {{pay.amount}}' },
    });
    const installed = new Map<string, Rule>([[`${r.id}@${r.version}`, r]]);
    const timedOut = new OutputTag<Alert>('timed-out');
    const env = new StreamExecutionEnvironment({ parallelism: 2, autoWatermarkInterval: 0 });
    const events: RuleEvent[] = [
      { type: 'pay', ts: 0, id: 'p1', user: 'ann', amount: 10 },
      { type: 'pay', ts: 1000, id: 'p2', user: 'bob', amount: 20 },
      { type: 'ship', ts: 30_000, id: 's1', user: 'ann' },
      { type: 'tick', ts: 200_000, id: 't', user: 'zed' },
    ];
    const keyed = env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(punctuated())
      .keyBy((e) => groupingKeyOf(r, e) ?? '');
    const main = DynamicCEP.patterns(keyed, env.fromCollection<RuleUpdate>([ruleUpdate(r)]), (d: Rule) =>
      compilePatternRule(d),
    ).process(new PatternAlerts((id, v) => installed.get(`${id}@${v}`), timedOut));
    const late: Alert[] = [];
    main
      .getSideOutput(timedOut)
      .sinkTo({ createWriter: () => ({ write: (a: Alert) => void late.push(a), flush() {}, close() {} }) });
    const out = await main.executeAndCollect();
    expect(out.map((a) => [a.kind, a.key, a.message])).toEqual([['match', '[["user","ann"]]', 'm']]);
    expect(late.map((a) => [a.kind, a.key, a.severity, a.message])).toEqual([
      ['timeout', '[["user","bob"]]', 'medium', 'no shipping for user=bob after paying 20'],
    ]);
  });
});
