import { describe, expect, it } from 'vitest';
import { RULE_CEL } from '../../src/rules/cel-environment.js';
import {
  type ConditionGuard,
  conditionGuard,
  conditionGuardOf,
  type GuardPair,
  type RuleGuard,
  ruleGuard,
} from '../../src/rules/condition-guards.js';
import type { PatternRule, Rule, StageOrGroup } from '../../src/rules/rule.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { validateRule } from '../../src/rules/validate-rule.js';

const guardOf = (source: string): { field: string; values: unknown[] } | undefined => {
  const g: ConditionGuard | undefined = conditionGuardOf(source);
  return g === undefined ? undefined : { field: g.field, values: [...g.values] };
};

function pattern(stages: StageOrGroup[]): PatternRule {
  const v = validateRule({
    id: 'p',
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages,
    alert: { severity: 'low', message: 'm' },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule as PatternRule;
}

function threshold(filter?: string): Rule {
  const v = validateRule({
    id: 't',
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: ['user'],
    aggregate: 'count',
    ...(filter === undefined ? {} : { filter }),
    window: { type: 'tumbling', size: 1000 },
    compare: { op: '>', value: 3 },
    alert: { severity: 'low', message: 'm' },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule;
}

const types = (...values: string[]): GuardPair[] => values.map((value) => ({ field: 'type', value }));

describe('condition guards', () => {
  it.each([
    ['e.type == "payout"', 'type', ['payout']],
    ['"payout" == e.type', 'type', ['payout']],
    ['e["type"] == "x"', 'type', ['x']],
    ['"x" == e["type"]', 'type', ['x']],
    ['e.type in ["a", "b"]', 'type', ['a', 'b']],
    ['e.newDevice == true', 'newDevice', [true]],
    ['false == e.newDevice', 'newDevice', [false]],
    ['e.newDevice', 'newDevice', [true]],
    ['!e.newDevice', 'newDevice', [false]],
    ['(e.type == "x")', 'type', ['x']],
  ])('%s -> %s in %j', (source, field, values) => {
    expect(guardOf(source)).toEqual({ field, values });
  });

  it.each([
    'e.type != "x"',
    '!(e.type == "x")',
    'e.amount > 5.0',
    'e.n == 1',
    'e.n == 1.0',
    'e.n == 1u',
    'e.t == null',
    'e.t == b"x"',
    'has(e.type)',
    'e.type.startsWith("pay")',
    'e.type == "x" ? true : false',
    'e.type in ["a", 1]',
    'e.type in ["a", e.other]',
    'e.type in {"a": 1}',
    'e.a == e.b',
    'e.a.b == "x"',
    '"x" == "x"',
    'true',
    'e.type == "x" || e.amount > 5.0',
    'e.type == "x" || e.kind == "y"',
    '[{"type": "x"}].exists(e, e.type == "x")',
    'matched.a.exists(l, l.type == "x")',
    'ts > 5.0',
  ])('%s -> no guard', (source) => {
    expect(guardOf(source)).toBeUndefined();
  });

  it('&& takes the field type when there, else the fewest values', () => {
    expect(guardOf('e.amount > 5.0 && e.type == "payout"')).toEqual({ field: 'type', values: ['payout'] });
    expect(guardOf('e.kind in ["a", "b"] && e.type in ["x", "y", "z"]')).toEqual({
      field: 'type',
      values: ['x', 'y', 'z'],
    });
    expect(guardOf('e.kind in ["a", "b"] && e.channel == "web"')).toEqual({
      field: 'channel',
      values: ['web'],
    });
    expect(guardOf('e.amount > 5.0 && has(e.x) && e.kind == "k"')).toEqual({ field: 'kind', values: ['k'] });
  });

  it('&& intersects values on a shared field (empty: never true)', () => {
    expect(guardOf('e.type in ["a", "b"] && e.type in ["b", "c"]')).toEqual({ field: 'type', values: ['b'] });
    expect(guardOf('e.type == "a" && e.type == "b"')).toEqual({ field: 'type', values: [] });
  });

  it('|| unites values on a field both sides constrain', () => {
    expect(guardOf('e.type == "a" || e.type == "b"')).toEqual({ field: 'type', values: ['a', 'b'] });
    expect(guardOf('(e.type == "a" && e.x > 1.0) || (e.k == true && e.type in ["b", "c"])')).toEqual({
      field: 'type',
      values: ['a', 'b', 'c'],
    });
    // The sides choose different best fields, but both constrain `k`.
    expect(guardOf('(e.k == "1" && e.j == "2") || (e.k == "3" && e.m == "4")')).toEqual({
      field: 'k',
      values: ['1', '3'],
    });
    expect(guardOf('e.type == "a" || e.type == "b" || e.type == "c"')).toEqual({
      field: 'type',
      values: ['a', 'b', 'c'],
    });
  });

  it('conjuncts over e keep their guard next to matched', () => {
    expect(guardOf('e.type == "payout" && matched.login.exists(l, l.ip != e.ip)')).toEqual({
      field: 'type',
      values: ['payout'],
    });
  });

  it('reads the AST of RULE_CEL.parse directly', () => {
    const ast = (RULE_CEL.parse('e.type == "x"') as unknown as { ast: Parameters<typeof conditionGuard>[0] })
      .ast;
    expect(conditionGuard(ast)?.field).toBe('type');
  });

  it('a condition that does not parse has no guard', () => {
    expect(conditionGuardOf('e.type ==')).toBeUndefined();
  });
});

describe('ruleGuard', () => {
  it('unites the stages of a pattern rule', () => {
    const r = pattern([
      { name: 'a', condition: 'e.type == "login" && e.newDevice == true' },
      { name: 'b', condition: 'e.type in ["payout", "login"]' },
    ]);
    expect(ruleGuard(r)).toEqual({ guard: types('login', 'payout'), strict: false });
  });

  it('includes group stages, until and negated stages', () => {
    const r = pattern([
      { name: 'a', condition: 'e.type == "a"' },
      { name: 'n', contiguity: 'notFollowedBy', condition: 'e.type == "cancel"' },
      {
        group: [
          { name: 'g1', condition: 'e.type == "g1"' },
          {
            name: 'g2',
            condition: 'e.type == "g2"',
            quantifier: { type: 'oneOrMore' },
            until: 'e.type == "stop"',
          },
        ],
        contiguity: 'followedBy',
      },
    ]);
    expect(ruleGuard(r)).toEqual({ guard: types('a', 'cancel', 'g1', 'g2', 'stop'), strict: false });
  });

  it('groups pairs per field', () => {
    const r = pattern([
      { name: 'a', condition: 'e.channel == "web"' },
      { name: 'b', condition: 'e.type == "x"' },
      { name: 'c', condition: 'e.channel in ["app", "web"]' },
    ]);
    expect(ruleGuard(r).guard).toEqual([
      { field: 'channel', value: 'web' },
      { field: 'channel', value: 'app' },
      { field: 'type', value: 'x' },
    ]);
  });

  it('is always when any condition has no guard or a stage has no condition', () => {
    expect(
      ruleGuard(
        pattern([
          { name: 'a', condition: 'e.type == "a"' },
          { name: 'b', condition: 'e.amount > 1.0' },
        ]),
      ).guard,
    ).toBe('always');
    expect(ruleGuard(pattern([{ name: 'a', condition: 'e.type == "a"' }, { name: 'b' }])).guard).toBe(
      'always',
    );
    expect(
      ruleGuard(
        pattern([
          {
            name: 'a',
            condition: 'e.type == "a"',
            quantifier: { type: 'oneOrMore' },
            until: 'e.amount > 1.0',
          },
          { name: 'b', condition: 'e.type == "b"' },
        ]),
      ).guard,
    ).toBe('always');
    expect(
      ruleGuard(
        pattern([
          { name: 'a', condition: 'e.type == "a"' },
          { name: 'n', contiguity: 'notFollowedBy', condition: 'e.type != "ok"' },
          { name: 'b', condition: 'e.type == "b"' },
        ]),
      ).guard,
    ).toBe('always');
  });

  it('threshold rules: the filter, or always without one', () => {
    expect(ruleGuard(threshold('e.type == "payment" && e.amount < 5.0'))).toEqual({
      guard: [
        {
          field: 'type',
          value: 'payment',
          range: { field: 'amount', lo: Number.NEGATIVE_INFINITY, loOpen: true, hi: 5, hiOpen: true },
        },
      ],
      strict: false,
    });
    expect(ruleGuard(threshold())).toEqual({ guard: 'always', strict: false });
    expect(ruleGuard(threshold('e.amount < 5.0')).guard).toBe('always');
  });

  it('ranges: from comparisons with number literals, intersected under &&, united under ||', () => {
    const range = (source: string) => conditionGuardOf(source)?.range;
    expect(range('e.type == "p" && e.amount > 1000.0 && e.amount <= 1010.0')).toEqual({
      field: 'amount',
      lo: 1000,
      loOpen: true,
      hi: 1010,
      hiOpen: false,
    });
    expect(range('e.type == "p" && 5 <= e.amount')).toEqual({
      field: 'amount',
      lo: 5,
      loOpen: false,
      hi: Number.POSITIVE_INFINITY,
      hiOpen: true,
    });
    expect(range('e.type == "p" && e.amount >= -3 && e.amount < 2.5 && e.amount > -1')).toEqual({
      field: 'amount',
      lo: -1,
      loOpen: true,
      hi: 2.5,
      hiOpen: true,
    });
    expect(range('(e.type == "p" && e.amount < 1.0) || (e.type == "q" && e.amount >= 9.0)')).toEqual({
      field: 'amount',
      lo: Number.NEGATIVE_INFINITY,
      loOpen: true,
      hi: Number.POSITIVE_INFINITY,
      hiOpen: true,
    });
    // Not exact as a number, or not a literal: no range.
    expect(range('e.type == "p" && e.amount > 9007199254740993')).toBeUndefined();
    expect(range('e.type == "p" && e.amount > 5u')).toBeUndefined();
    expect(range('e.type == "p" && e.amount > e.limit')).toBeUndefined();
    expect(range('e.type == "p" && !(e.amount > 5.0)')).toBeUndefined();
  });

  it('ranges narrow the candidates of a value', () => {
    const rules = [1000, 1010, 1020].map((lo, i) => ({
      rule: `r${i}`,
      guard: ruleGuard(threshold(`e.type == "payout" && e.amount > ${lo}.0 && e.amount <= ${lo + 10}.0`))
        .guard,
    }));
    rules.push({ rule: 'all', guard: ruleGuard(threshold('e.type == "payout"')).guard });
    const index = RuleIndex.build(rules);
    const out: string[] = [];
    expect(index.candidates({ type: 'payout', amount: 500 }, out)).toEqual(['all']);
    expect(index.candidates({ type: 'payout', amount: 1015 }, out)).toEqual(['r1', 'all']);
    expect(index.candidates({ type: 'payout', amount: 1010 }, out)).toEqual(['r0', 'all']);
    // Missing or not a number: left to the conditions (their errors are counted).
    expect(index.candidates({ type: 'payout' }, out)).toEqual(['r0', 'r1', 'r2', 'all']);
    expect(index.candidates({ type: 'payout', amount: '1015' }, out)).toEqual(['r0', 'r1', 'r2', 'all']);
  });

  it('detects strict contiguity', () => {
    const a = { name: 'a', condition: 'e.type == "a"' };
    const b = { name: 'b', condition: 'e.type == "b"' };
    const strict = (stages: StageOrGroup[]): boolean => ruleGuard(pattern(stages)).strict;
    expect(strict([a, { ...b, contiguity: 'followedBy' }])).toBe(false);
    expect(strict([a, { ...b, contiguity: 'followedByAny' }])).toBe(false);
    expect(
      strict([a, { ...b, contiguity: 'notFollowedBy' }, { name: 'c', condition: 'e.type == "c"' }]),
    ).toBe(false);
    expect(strict([a, { ...b, contiguity: 'next' }])).toBe(true);
    expect(strict([a, { ...b, contiguity: 'notNext' }, { name: 'c', condition: 'e.type == "c"' }])).toBe(
      true,
    );
    expect(strict([{ ...a, quantifier: { type: 'times', from: 2 } }, b])).toBe(false);
    expect(strict([{ ...a, quantifier: { type: 'times', from: 2 }, inner: 'consecutive' }, b])).toBe(true);
    expect(strict([{ ...a, quantifier: { type: 'oneOrMore' }, inner: 'consecutive' }, b])).toBe(true);
    expect(
      strict([{ ...a, quantifier: { type: 'timesOrMore', from: 2 }, inner: 'allowCombinations' }, b]),
    ).toBe(false);
    expect(strict([a, { group: [b, { name: 'c', condition: 'e.type == "c"', contiguity: 'next' }] }])).toBe(
      true,
    );
    expect(strict([a, { group: [b], contiguity: 'next' }])).toBe(true);
    expect(
      strict([
        a,
        { group: [b, { name: 'c' }], quantifier: { type: 'times', from: 2 }, inner: 'consecutive' },
      ]),
    ).toBe(true);
  });

  it('a rule reporting timeouts is strict (an ignored event can add timed-out partial matches)', () => {
    const rule = pattern([
      { name: 'a', condition: 'e.type == "a"' },
      { name: 'b', condition: 'e.type == "b"' },
    ]);
    expect(ruleGuard(rule).strict).toBe(false);
    expect(
      ruleGuard({ ...rule, within: 'PT1M', timeoutAlert: { severity: 'low', message: 't' } }).strict,
    ).toBe(true);
  });
});

describe('RuleIndex', () => {
  const build = (guards: RuleGuard[]): RuleIndex<string> =>
    RuleIndex.build(guards.map((guard, i) => ({ rule: `r${i}`, guard })));

  it('returns the candidates in entry order, each once', () => {
    const index = build([
      [{ field: 'type', value: 'b' }],
      'always',
      [
        { field: 'type', value: 'a' },
        { field: 'channel', value: 'web' },
      ],
      [{ field: 'channel', value: 'web' }],
      [{ field: 'type', value: 'a' }],
      'always',
      [],
    ]);
    const out: string[] = ['stale'];
    expect(index.candidates({ type: 'a', channel: 'web' }, out)).toBe(out);
    expect(out).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(index.candidates({ type: 'b' }, out)).toEqual(['r0', 'r1', 'r5']);
    expect(index.candidates({ type: 'zzz' }, out)).toEqual(['r1', 'r5']);
    expect(index.candidates({ type: 'a' }, out)).toEqual(['r1', 'r2', 'r4', 'r5']);
    expect(index.size).toBe(7);
    expect(index.always).toEqual(['r1', 'r5']);
    expect(index.fields).toEqual(['type', 'channel']);
  });

  it('without always rules, one list is copied as is', () => {
    const index = build([[{ field: 'type', value: 'a' }], [{ field: 'type', value: 'b' }], types('a', 'b')]);
    expect(index.candidates({ type: 'b' }, [])).toEqual(['r1', 'r2']);
    expect(index.candidates({ type: 'c' }, [])).toEqual([]);
    expect(index.candidates({}, [])).toEqual([]);
  });

  it('distinguishes strings and booleans and ignores other values', () => {
    const index = build([
      [{ field: 'f', value: true }],
      [{ field: 'f', value: 'true' }],
      [{ field: 'f', value: false }],
      [{ field: 'f', value: '1' }],
    ]);
    expect(index.candidates({ f: true }, [])).toEqual(['r0']);
    expect(index.candidates({ f: 'true' }, [])).toEqual(['r1']);
    expect(index.candidates({ f: false }, [])).toEqual(['r2']);
    expect(index.candidates({ f: 1 }, [])).toEqual([]);
    expect(index.candidates({ f: null }, [])).toEqual([]);
    expect(index.candidates({ f: ['1'] }, [])).toEqual([]);
  });

  it('odd field names: own properties only, no prototype', () => {
    const index = build([
      [{ field: 'constructor', value: 'c' }],
      [{ field: '__proto__', value: 'p' }],
      [{ field: 'toString', value: 't' }],
      [{ field: 'hasOwnProperty', value: 'h' }],
    ]);
    expect(index.candidates({ type: 'x' }, [])).toEqual([]);
    const event = JSON.parse(
      '{"type":"x","constructor":"c","__proto__":"p","toString":"t","hasOwnProperty":"h"}',
    );
    expect(index.candidates(event, [])).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(index.candidates(Object.create({ toString: 't' }) as object as { type: string }, [])).toEqual([]);
    expect(index.candidates(Object.assign(Object.create(null), { toString: 't' }), [])).toEqual(['r2']);
  });

  it('an empty index has no candidates', () => {
    const index = RuleIndex.build<string>([]);
    expect(index.size).toBe(0);
    expect(index.candidates({ type: 'a' }, ['x'])).toEqual([]);
  });

  it('refuses guard values that are not strings or booleans', () => {
    expect(() => build([[{ field: 'n', value: 1 as unknown as string }]])).toThrow(TypeError);
  });

  it('works with ruleGuard end to end', () => {
    const rules = [
      pattern([
        { name: 'a', condition: 'e.type == "login"' },
        { name: 'b', condition: 'e.type == "payout"' },
      ]),
      threshold('e.type == "payment"'),
      threshold(),
      threshold('e.type == "login" || e.type == "logout"'),
    ];
    const index = RuleIndex.build(rules.map((rule, i) => ({ rule: i, guard: ruleGuard(rule).guard })));
    expect(index.candidates({ type: 'login' }, [])).toEqual([0, 2, 3]);
    expect(index.candidates({ type: 'payment' }, [])).toEqual([1, 2]);
    expect(index.candidates({ type: 'logout' }, [])).toEqual([2, 3]);
  });

  it('many rules over one field: only the matching ones, in order', () => {
    const n = 5000;
    const index = RuleIndex.build(
      Array.from({ length: n }, (_, i) => ({
        rule: i,
        guard: i % 100 === 0 ? ('always' as const) : types(`t${i % 50}`, `u${i % 7}`),
      })),
    );
    const out: number[] = [];
    index.candidates({ type: 't3' }, out);
    const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 100 === 0 || i % 50 === 3);
    expect(out).toEqual(expected);
  });
});
