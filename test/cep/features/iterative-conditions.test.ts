import { describe, expect, it } from 'vitest';
import { type ConditionContext, Pattern } from '../../../src/cep/index.js';
import { type Ev, is, run, sorted } from './support.js';

// Scenarios of Flink's IterativeConditionsITCase (conditions reading the events already matched by
// the same partial match, through ctx.getEventsForPattern, with subtype, branching and loops) and
// SameElementITCase (equal events at equal timestamps are distinct events of a match).
// Events: s (Flink's "start"), foo (a SubEvent), n (next-one), e (end); `:v` is the price.

interface Foo extends Ev {
  readonly type: 'foo';
}
const isFoo = (e: Ev): e is Foo => e.type === 'foo';

const sumOf = (ctx: ConditionContext<Ev>, stage: string) => {
  let sum = 0;
  for (const e of ctx.getEventsForPattern(stage)) sum += e.v;
  return sum;
};

/** Runs and returns the matches as sets of names (several events share timestamps here). */
const sets = (p: Pattern<Ev, any>, input: string) => sorted(run(p, input).sets);
const set = (...names: string[]) => [...names].sort().join(' ');

describe('iterative conditions (Flink IterativeConditionsITCase)', () => {
  describe('a loop of SubEvents whose prices stay below 5, per branch', () => {
    const input = 's1:1@1 foo1:1@2 foo2:2@3 s2:2@4 foo3:3@5 foo4:1@5 n1@6 e1@8';
    const below5 = (e: Foo, ctx: ConditionContext<Ev>) => sumOf(ctx, 'middle') + e.v < 5;
    const build = (combinations: boolean) => {
      const loop = Pattern.begin<Ev>('start')
        .where(is('s'))
        .followedBy('middle')
        .subtype(isFoo)
        .where(below5)
        .oneOrMore();
      return (combinations ? loop.allowCombinations() : loop).followedBy('end').where(is('e'));
    };

    it('relaxed loop (testIterativeWithBranchingPatternEager)', () => {
      expect(sets(build(false), input)).toEqual(
        sorted([
          set('s1', 'e1', 'foo1', 'foo2', 'foo4'),
          set('s1', 'e1', 'foo2', 'foo1'),
          set('s1', 'e1', 'foo1'),
          set('s2', 'e1', 'foo3', 'foo4'),
          set('s2', 'e1', 'foo3'),
        ]),
      );
    });

    it('allowCombinations (testIterativeWithBranchingPatternCombinations)', () => {
      expect(sets(build(true), input)).toEqual(
        sorted([
          set('s1', 'e1', 'foo1', 'foo2', 'foo4'),
          set('s1', 'e1', 'foo2', 'foo1'),
          set('s1', 'e1', 'foo3', 'foo1'),
          set('s2', 'e1', 'foo3', 'foo4'),
          set('s1', 'e1', 'foo4', 'foo1'),
          set('s1', 'e1', 'foo1'),
          set('s2', 'e1', 'foo3'),
        ]),
      );
    });
  });

  describe('a loop at the start reading its own events: s* (sum < 5) e over s1 s2 s3 e1', () => {
    const own = (e: Ev, ctx: ConditionContext<Ev>) => e.type === 's' && sumOf(ctx, 'start') + e.v < 5;
    const input = 's1:1 s2:2 s3:3 e1';

    it('relaxed (testIterativeWithLoopingStartingEager)', () => {
      const p = Pattern.begin<Ev>('start').where(own).oneOrMore().optional().followedBy('end').where(is('e'));
      expect(sets(p, input)).toEqual(
        sorted([set('s1', 's2', 'e1'), set('s1', 'e1'), set('s2', 'e1'), set('s3', 'e1'), 'e1']),
      );
    });

    it('allowCombinations (testIterativeWithLoopingStartingCombination)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(own)
        .oneOrMore()
        .allowCombinations()
        .optional()
        .followedBy('end')
        .where(is('e'));
      expect(sets(p, input)).toEqual(
        sorted([
          set('s1', 's2', 'e1'),
          set('s1', 's3', 'e1'),
          set('s1', 'e1'),
          set('s2', 'e1'),
          set('s3', 'e1'),
          'e1',
        ]),
      );
    });
  });

  it('the end reads the loop before it: sum of s >= 2 (testIterativeWithPrevPatternDependency)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('s'))
      .oneOrMore()
      .followedBy('end')
      .where((e, ctx) => e.type === 'e' && sumOf(ctx, 'start') >= 2);
    expect(sets(p, 's1:1@1 s2:2@2 e1@4')).toEqual(sorted([set('s1', 's2', 'e1'), set('s2', 'e1')]));
  });

  it('s, any foo, s+ (its own sum <= 5), e (testIterativeWithABACPattern)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('s'))
      .followedByAny('middle1')
      .subtype(isFoo)
      .followedBy('middle2')
      .where((e, ctx) => e.type === 's' && sumOf(ctx, 'middle2') + e.v <= 5)
      .oneOrMore()
      .followedBy('end')
      .where(is('e'));
    const input = 's1:1@1 foo1:1@2 s2:2@2 s3:3@2 foo2:2@2 s4:4@2 foo3:3@2 foo4:1@2 e1@4';
    expect(sets(p, input)).toEqual(
      sorted([
        set('s1', 's2', 's3', 'foo1', 'e1'),
        set('s1', 'foo1', 's2', 'e1'),
        set('s1', 'foo2', 's4', 'e1'),
        set('s2', 'foo2', 's4', 'e1'),
        set('s3', 'foo2', 's4', 'e1'),
      ]),
    );
  });

  it('the end reads the loop across a followedByAny branch (testIterativeWithPrevPatternDependencyAfterBranching)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('s'))
      .oneOrMore()
      .followedByAny('middle1')
      .subtype(isFoo)
      .followedByAny('end')
      .where((e, ctx) => e.type === 'e' && sumOf(ctx, 'start') >= 2);
    const input = 's1:1@1 s2:2@2 foo1:1@4 s3:3@5 foo2:2@6 e1@7';
    expect(sets(p, input)).toEqual(
      sorted([
        set('s1', 's2', 'foo1', 'e1'),
        set('s2', 'foo1', 'e1'),
        set('s1', 's2', 'foo2', 'e1'),
        set('s1', 's2', 's3', 'foo2', 'e1'),
        set('s2', 's3', 'foo2', 'e1'),
        set('s2', 'foo2', 'e1'),
        set('s3', 'foo2', 'e1'),
      ]),
    );
  });
});

describe('equal events at equal timestamps (Flink SameElementITCase)', () => {
  // Flink feeds the very same Event object several times; here copies with the same fields (the
  // names differ only so that the expectations can tell them apart).
  it('c a* b takes every copy (testEagerZeroOrMoreSameElement)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('c'))
      .followedBy('middle')
      .where(is('a'))
      .oneOrMore()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    const r = run(p, 'c1@1 a1@3 a1@3 a1@3 a2@4 d1@5 a3@6 a3@6 b1@7');
    expect(sorted(r.matches)).toEqual(
      sorted([
        'c1 a1 a1 a1 a2 a3 a3 b1',
        'c1 a1 a1 a1 a2 a3 b1',
        'c1 a1 a1 a1 a2 b1',
        'c1 a1 a1 a1 b1',
        'c1 a1 a1 b1',
        'c1 a1 b1',
        'c1 b1',
      ]),
    );
  });

  it('a b c d at one timestamp; afterwards only the start state (testClearingBuffer)', () => {
    const p = Pattern.begin<Ev>('a')
      .where(is('a'))
      .followedBy('b')
      .where(is('b'))
      .followedBy('c')
      .where(is('c'))
      .followedBy('d')
      .where(is('d'));
    const r = run(p, 'a1@1 b1@2 c1@2 d1@2');
    expect(r.sets).toEqual([set('a1', 'b1', 'c1', 'd1')]);
    expect(r.state.partialMatches).toHaveLength(1);
    expect(r.nfa.isStateEmpty(r.state)).toBe(true);
  });

  it('a d+ until three d (testClearingBufferWithUntilAtTheEnd)', () => {
    const p = Pattern.begin<Ev>('a')
      .where(is('a'))
      .followedBy('d')
      .where(is('d'))
      .oneOrMore()
      .until((_e, ctx) => [...ctx.getEventsForPattern('d')].length === 3);
    const r = run(p, 'a1@1 d1@2 d2@2 d3@2 d4@4');
    expect(sorted(r.sets)).toEqual(
      sorted([set('a1', 'd1', 'd2', 'd3'), set('a1', 'd1', 'd2'), set('a1', 'd1')]),
    );
    expect(r.state.partialMatches).toHaveLength(1);
    expect(r.nfa.isStateEmpty(r.state)).toBe(true);
  });

  it('c any a* combinations, any b: every subset of the five a (testZeroOrMoreSameElement)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('c'))
      .followedByAny('middle')
      .where(is('a'))
      .oneOrMore()
      .optional()
      .allowCombinations()
      .followedByAny('end1')
      .where(is('b'));
    const as = ['a1', 'a11', 'a2', 'a3', 'a33'];
    const r = run(p, 'c1@1 a1@3 a11@3 a2@4 d1@5 a3@6 a33@6 b1@7');
    const expected: string[] = [];
    for (let mask = 0; mask < 1 << as.length; mask++) {
      expected.push(set('c1', 'b1', ...as.filter((_, i) => mask & (1 << i))));
    }
    expect(sorted(r.sets)).toEqual(sorted(expected));
  });
});
