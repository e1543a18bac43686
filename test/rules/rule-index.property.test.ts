import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, Pattern, SkipStrategyKind } from '../../src/cep/index.js';
import { compileNFA, NFA } from '../../src/cep/nfa/index.js';
import { type CompiledCondition, compileCondition } from '../../src/rules/compile-condition.js';
import { ConditionErrors } from '../../src/rules/condition-errors.js';
import {
  conditionGuardOf,
  conditionRequirementsOf,
  inRange,
  isStrictPattern,
  meetsAll,
  type RuleGuard,
  ruleGuard,
} from '../../src/rules/condition-guards.js';
import type { PatternRule, Rule, StageOrGroup, ThresholdRule } from '../../src/rules/rule.js';
import type { RuleEvent } from '../../src/rules/rule-event.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import {
  ALPHABET,
  buildPattern,
  type OracleEvent,
  type PatternSpec,
  patternSpecArb,
  streamArb,
} from '../cep/oracle/random-patterns.js';

// Soundness of the index: whenever a compiled condition is true for an event, the rules holding
// that condition are candidates for the event. Conditions come from a small grammar over a few
// fields and values (equality both ways, !=, in, has(), comparisons, bare and negated fields,
// &&, ||, !, ternaries); events from the same fields with strings, booleans, numbers, null,
// lists, maps, or the field missing.

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log('fast-check seed', seed);

const FIELDS = ['type', 'kind', 'flag', 'toString'] as const;

const field = fc.constantFrom(...FIELDS);
const access = fc.tuple(field, fc.boolean()).map(([f, bracket]) => (bracket ? `e["${f}"]` : `e.${f}`));
const literal = fc.constantFrom('"a"', '"b"', '"true"', 'true', 'false', '1', '1.0', '0.0', 'null');
/** List literals are homogeneous (CEL refuses mixed ones). */
const listLiteral = fc
  .oneof(
    fc.array(fc.constantFrom('"a"', '"b"', '"c"', '"true"'), { maxLength: 3 }),
    fc.array(fc.constantFrom('true', 'false'), { maxLength: 2 }),
    fc.array(fc.constantFrom('1', '0'), { maxLength: 2 }),
    fc.array(fc.constantFrom('1.0', '0.5'), { maxLength: 2 }),
  )
  .map((vs) => `[${vs.join(', ')}]`);

const numberLiteral = fc.constantFrom(
  '0',
  '1',
  '2',
  '-1',
  '0.5',
  '1.0',
  '2.5',
  '-0.5',
  '-2',
  '9007199254740993',
);

const atom: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.tuple(access, literal).map(([a, v]) => `${a} == ${v}`), weight: 6 },
  { arbitrary: fc.tuple(literal, access).map(([v, a]) => `${v} == ${a}`), weight: 2 },
  { arbitrary: fc.tuple(access, literal).map(([a, v]) => `${a} != ${v}`), weight: 2 },
  {
    arbitrary: fc.tuple(access, listLiteral).map(([a, list]) => `${a} in ${list}`),
    weight: 4,
  },
  { arbitrary: field.map((f) => `has(e.${f})`), weight: 1 },
  { arbitrary: access.map((a) => `${a} > 0.5`), weight: 1 },
  // Comparisons with number literals (int, double, negative; either side): the index's ranges.
  {
    arbitrary: fc
      .tuple(access, fc.constantFrom('<', '<=', '>', '>='), numberLiteral, fc.boolean())
      .map(([a, op, n, flip]) => (flip ? `${n} ${op} ${a}` : `${a} ${op} ${n}`)),
    weight: 5,
  },
  { arbitrary: access, weight: 2 },
  { arbitrary: access.map((a) => `!${a}`), weight: 2 },
  { arbitrary: fc.constantFrom('true', 'false'), weight: 1 },
  { arbitrary: fc.tuple(access, access).map(([a, b]) => `${a} == ${b}`), weight: 1 },
);

const condition: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { arbitrary: atom, weight: 4 },
    { arbitrary: fc.tuple(tie('c'), tie('c')).map(([a, b]) => `(${a} && ${b})`), weight: 3 },
    { arbitrary: fc.tuple(tie('c'), tie('c')).map(([a, b]) => `(${a} || ${b})`), weight: 3 },
    { arbitrary: tie('c').map((a) => `!(${a})`), weight: 1 },
    {
      arbitrary: fc.tuple(tie('c'), tie('c'), tie('c')).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
      weight: 1,
    },
  ),
})).c;

const eventValue = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>('a', 'b', true, false), weight: 4 },
  { arbitrary: fc.constantFrom<unknown>('c', 'true', 1, 0, 0.5, null, ['a'], { x: 'a' }), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(-1, -0.5, 2, 2.5, 3, -0, 1e300, 9007199254740992), weight: 3 },
);
const event: fc.Arbitrary<RuleEvent> = fc
  .record(
    {
      type: eventValue,
      kind: eventValue,
      flag: eventValue,
      toString: eventValue,
    },
    { requiredKeys: [] },
  )
  .map((fields) => ({ ts: 1, ...fields }) as unknown as RuleEvent);

function thresholdRule(id: string, filter: string): ThresholdRule {
  return {
    id,
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: ['user'],
    aggregate: 'count',
    filter,
    window: { type: 'tumbling', size: 1000 },
    compare: { op: '>', value: 1 },
    alert: { severity: 'low', message: 'm' },
  };
}

/** Every condition in some place of one pattern rule: stages, a group, a negated stage, an until. */
function patternRule(conditions: readonly string[]): PatternRule {
  const stages: StageOrGroup[] = [];
  conditions.forEach((c, i) => {
    const name = `s${i}`;
    if (i === 0) stages.push({ name, condition: c, quantifier: { type: 'oneOrMore' } });
    else if (i === 1) (stages[0] as { until?: string }).until = c;
    else if (i === 2) stages.push({ group: [{ name, condition: c }], contiguity: 'next' });
    else if (i === 3) stages.push({ name, condition: c, contiguity: 'notFollowedBy' });
    else stages.push({ name, condition: c });
  });
  return {
    id: 'p',
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages,
    alert: { severity: 'low', message: 'm' },
  };
}

function matches(guard: RuleGuard, e: RuleEvent): boolean {
  if (guard === 'always') return true;
  return guard.some(
    ({ field, value, range }) =>
      Object.hasOwn(e, field) && e[field] === value && (range === undefined || inRange(e, range)),
  );
}

describe('RuleIndex (property)', () => {
  it('lists every rule whose condition is true for an event, in entry order, and nothing unguarded', () => {
    const errors = new ConditionErrors();
    let compiled = 0;
    let refused = 0;
    let guarded = 0;
    let trueAndGuarded = 0;
    let requirementRangesTrue = 0;
    const prop = fc.property(
      fc.array(condition, { minLength: 1, maxLength: 5 }),
      fc.array(event, { minLength: 1, maxLength: 6 }),
      (sources, events) => {
        const conditions: { source: string; compiled: CompiledCondition }[] = [];
        for (const source of sources) {
          const c = compileCondition(source, { ruleId: 'x', errors });
          if (c.ok) conditions.push({ source, compiled: c.condition });
          else refused++;
        }
        if (conditions.length === 0) return;
        compiled += conditions.length;
        const rules: Rule[] = conditions.map((c, i) => thresholdRule(`t${i}`, c.source));
        rules.push(patternRule(conditions.map((c) => c.source)));
        const entries = rules.map((rule, position) => ({ rule: position, guard: ruleGuard(rule).guard }));
        const index = RuleIndex.build(entries);
        const out: number[] = [];
        for (const e of events) {
          index.candidates(e, out);
          // Exactly the rules whose guard admits the event, in entry order.
          const expected = entries.filter((x) => matches(x.guard, e)).map((x) => x.rule);
          expect(out).toEqual(expected);
          conditions.forEach((c, i) => {
            const guard = conditionGuardOf(c.source);
            if (guard !== undefined) guarded++;
            if (!c.compiled.test(e)) return;
            // Every requirement (the operator's check before starting a match) holds.
            const reqs = conditionRequirementsOf(c.source);
            if (reqs.some((r) => r.range !== undefined)) requirementRangesTrue++;
            expect(meetsAll(e, reqs), `${c.source} on ${JSON.stringify(e)}`).toBe(true);
            if (guard !== undefined) {
              trueAndGuarded++;
              expect(
                Object.hasOwn(e, guard.field) && guard.values.has(e[guard.field] as never),
                c.source,
              ).toBe(true);
              if (guard.range !== undefined) expect(inRange(e, guard.range), c.source).toBe(true);
            }
            // Soundness: the threshold rule of the condition and the pattern rule are candidates.
            expect(out, `${c.source} on ${JSON.stringify(e)}`).toContain(i);
            expect(out, `${c.source} on ${JSON.stringify(e)}`).toContain(rules.length - 1);
          });
        }
      },
    );
    fc.assert(prop, { seed, numRuns: 1500 });
    console.log(
      'conditions compiled',
      compiled,
      'refused',
      refused,
      'guarded evaluations',
      guarded,
      'true and guarded',
      trueAndGuarded,
      'true with range requirements',
      requirementRangesTrue,
    );
    // The grammar must exercise the guards, not only unguarded conditions.
    expect(compiled).toBeGreaterThan(refused);
    expect(trueAndGuarded).toBeGreaterThan(120);
    expect(requirementRangesTrue).toBeGreaterThan(100);
  });
});

// What `strict` promises the evaluator: for a pattern that is not strict, an event that no
// condition accepts changes no match, so skipping it is safe. Random patterns of the CEP oracle
// (quantifiers, contiguities, optional, greedy, skip strategies, within) and a few with negations,
// `until` and groups; random streams where some events become noise (type `x`, which no condition
// accepts). Timed-out partial matches can differ (see the last test), hence rules with a
// `timeoutAlert` are strict.

interface Outcome {
  readonly matches: string[];
  readonly timedOut: string[];
}

function runNfa(pattern: Pattern<OracleEvent, any>, events: readonly OracleEvent[]): Outcome {
  const nfa = new NFA<OracleEvent>(compileNFA(pattern));
  const state = nfa.createInitialState();
  const show = (m: Map<string, OracleEvent[]>): string =>
    JSON.stringify([...m].map(([stage, es]) => [stage, es.map((e) => e.id)]));
  const matches: string[] = [];
  const timedOut = new Set<string>();
  const advance = (ts: number): void => {
    const r = nfa.advanceTime(state, ts);
    for (const m of r.matches) matches.push(show(m));
    for (const [m] of r.timedOut) timedOut.add(show(m));
  };
  for (const e of events) {
    advance(e.timestamp);
    for (const m of nfa.process(state, e, e.timestamp)) matches.push(show(m));
  }
  advance(Number.MAX_SAFE_INTEGER);
  return { matches, timedOut: [...timedOut].sort() };
}

/** The oracle spec as the rule model sees it, for {@link isStrictPattern}. */
function asRule(spec: PatternSpec): PatternRule {
  return {
    id: 'p',
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    alert: { severity: 'low', message: 'm' },
    stages: spec.stages.map((s, i) => ({
      name: s.name,
      ...(i === 0 ? {} : { contiguity: s.contiguity }),
      ...(s.inner === 'default' ? {} : { inner: s.inner }),
    })),
  };
}

const is =
  (...types: string[]) =>
  (e: OracleEvent): boolean =>
    types.includes(e.type);

/** Non-strict patterns with negations, until and groups (the oracle's generator has none). */
const RELAXED_EXTRAS: readonly (() => Pattern<OracleEvent, any>)[] = [
  () =>
    Pattern.begin<OracleEvent>('a')
      .where(is('a'))
      .notFollowedBy('b')
      .where(is('b'))
      .followedBy('c')
      .where(is('c'))
      .within(8),
  () =>
    Pattern.begin<OracleEvent>('a').where(is('a')).oneOrMore().notFollowedBy('b').where(is('b')).within(6),
  () =>
    Pattern.begin<OracleEvent>('a', AfterMatchSkipStrategy.skipPastLastEvent())
      .where(is('a'))
      .followedBy('b')
      .where(is('b'))
      .oneOrMore()
      .until(is('d'))
      .followedBy('c')
      .where(is('c'))
      .within(10),
  () =>
    Pattern.begin<OracleEvent>('a')
      .where(is('a'))
      .followedBy(Pattern.begin<OracleEvent>('b').where(is('b')).followedBy('c').where(is('c')))
      .oneOrMore()
      .followedBy('d')
      .where(is('d'))
      .within(12),
];

const noiseArb = fc.array(fc.boolean(), { minLength: 20, maxLength: 20 });

function withNoise(events: readonly OracleEvent[], noise: readonly boolean[]): OracleEvent[] {
  return events.map((e, i) => (noise[i] ? { ...e, id: `x${i}`, type: 'x' } : e));
}

function expectSameWithoutNoise(pattern: () => Pattern<OracleEvent, any>, noisy: OracleEvent[]): void {
  const all = runNfa(pattern(), noisy);
  const skipped = runNfa(
    pattern(),
    noisy.filter((e) => e.type !== 'x'),
  );
  expect(skipped.matches).toEqual(all.matches);
}

describe('RuleIndex with numeric ranges (property)', () => {
  // Many rules on a few types with bands, open bounds and unions of bands on a numeric field (the
  // shape of amount thresholds): the candidates are exactly the rules whose guard admits the
  // event, and include every rule one of whose conditions is true.
  const bound = fc.constantFrom('-2', '-0.5', '0', '1', '1.5', '2', '3', '10', '1e300');
  const band = fc
    .tuple(
      fc.constantFrom('"a"', '"b"', '"c"'),
      fc.option(fc.tuple(fc.constantFrom('>', '>='), bound)),
      fc.option(fc.tuple(fc.constantFrom('<', '<='), bound)),
      fc.boolean(),
    )
    .map(([type, lower, upper, flip]) => {
      const parts = [`e.type == ${type}`];
      if (lower !== null)
        parts.push(
          flip ? `${lower[1]} ${lower[0] === '>' ? '<' : '<='} e.amount` : `e.amount ${lower[0]} ${lower[1]}`,
        );
      if (upper !== null) parts.push(`e.amount ${upper[0]} ${upper[1]}`);
      return parts.join(' && ');
    });
  const rangeCondition = fc.oneof(
    { arbitrary: band, weight: 6 },
    { arbitrary: fc.tuple(band, band).map(([a, b]) => `(${a}) || (${b})`), weight: 2 },
    { arbitrary: fc.tuple(band, band).map(([a, b]) => `(${a}) && (${b})`), weight: 1 },
  );
  const amount = fc.oneof(
    { arbitrary: fc.constantFrom<unknown>(-2, -0.5, 0, -0, 1, 1.5, 2, 3, 10, 1e300), weight: 6 },
    { arbitrary: fc.double({ min: -5, max: 12, noNaN: true }), weight: 4 },
    { arbitrary: fc.constantFrom<unknown>('1', null, true, [1], undefined), weight: 1 },
  );
  const rangeEvent = fc
    .tuple(fc.constantFrom('a', 'b', 'c', 'd'), amount)
    .map(([type, a]) => ({ ts: 1, type, ...(a === undefined ? {} : { amount: a }) }) as unknown as RuleEvent);

  it('finds exactly the rules whose bands hold the amount', () => {
    const errors = new ConditionErrors();
    let trueRanged = 0;
    let skippedByRange = 0;
    const prop = fc.property(
      fc.array(fc.array(rangeCondition, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
      fc.array(rangeEvent, { minLength: 1, maxLength: 8 }),
      (ruleSources, events) => {
        const rules: Rule[] = ruleSources.map((sources, i) =>
          sources.length === 1
            ? thresholdRule(`t${i}`, sources[0]!)
            : { ...patternRule(sources), id: `p${i}` },
        );
        const entries = rules.map((rule, position) => ({ rule: position, guard: ruleGuard(rule).guard }));
        const index = RuleIndex.build(entries);
        const compiled = ruleSources.map((sources) =>
          sources.map((source) => {
            const c = compileCondition(source, { ruleId: 'x', errors });
            if (!c.ok) throw new Error(`${source}: ${c.message}`);
            return c.condition;
          }),
        );
        const out: number[] = [];
        for (const e of events) {
          index.candidates(e, out);
          const expected = entries.filter((x) => matches(x.guard, e)).map((x) => x.rule);
          expect(out).toEqual(expected);
          compiled.forEach((conditions, i) => {
            const typeMatches =
              entries[i]!.guard !== 'always' &&
              (entries[i]!.guard as readonly { value: unknown }[]).some((p) => p.value === e.type);
            if (typeMatches && !out.includes(i)) skippedByRange++;
            for (const c of conditions) {
              if (!c.test(e)) continue;
              trueRanged++;
              expect(out, `${ruleSources[i]!.join(' ; ')} on ${JSON.stringify(e)}`).toContain(i);
            }
          });
        }
      },
    );
    fc.assert(prop, { seed, numRuns: 800 });
    console.log('range conditions true', trueRanged, 'rules of the type left out by a range', skippedByRange);
    expect(trueRanged).toBeGreaterThan(500);
    expect(skippedByRange).toBeGreaterThan(500);
  });
});

describe('strict patterns (property)', () => {
  it('the noise event type is accepted by no condition', () => {
    expect(ALPHABET).not.toContain('x');
  });

  it('non-strict patterns: skipping events no condition accepts changes no match', () => {
    let checked = 0;
    const prop = fc.property(patternSpecArb, streamArb(20), noiseArb, (spec, events, noise) => {
      if (isStrictPattern(asRule(spec))) return;
      checked++;
      expectSameWithoutNoise(() => buildPattern(spec)!, withNoise(events, noise));
    });
    fc.assert(prop, { seed, numRuns: 800 });
    expect(checked).toBeGreaterThan(200);
  });

  it('non-strict patterns with negations, until and groups: the same', () => {
    const prop = fc.property(
      fc.integer({ min: 0, max: RELAXED_EXTRAS.length - 1 }),
      streamArb(20),
      noiseArb,
      (which, events, noise) => expectSameWithoutNoise(RELAXED_EXTRAS[which]!, withNoise(events, noise)),
    );
    fc.assert(prop, { seed, numRuns: 400 });
  });

  it('an ignored event can add timed-out partial matches: rules with a timeoutAlert are strict', () => {
    const pattern = RELAXED_EXTRAS[1]!; // a+ !b within 6
    const events = [1, 2, 3, 4, 5, 6, 7].map(
      (ts, i): OracleEvent => ({ id: `a${i}`, type: 'a', value: 0, timestamp: ts }),
    );
    const noisy = [...events, { id: 'x7', type: 'x', value: 0, timestamp: 8 }];
    const all = runNfa(pattern(), noisy);
    const skipped = runNfa(pattern(), events);
    expect(skipped.matches).toEqual(all.matches);
    expect(skipped.timedOut).toEqual([]);
    expect(all.timedOut.length).toBeGreaterThan(0);
    const rule = asRule({ stages: [], skip: { kind: SkipStrategyKind.NO_SKIP }, within: undefined });
    expect(isStrictPattern(rule)).toBe(false);
    expect(isStrictPattern({ ...rule, timeoutAlert: { severity: 'low', message: 't' } })).toBe(true);
  });
});
