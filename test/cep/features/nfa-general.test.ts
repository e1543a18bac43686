import { describe, expect, it } from 'vitest';
import { Pattern } from '../../../src/cep/index.js';
import { type Ev, is, matchesOf, sorted } from './support.js';

// General scenarios of Flink's NFAITCase: stages without conditions, subtypes, strict contiguity,
// branching with followedByAny, and branching after an optional combinations loop.

interface Sub extends Ev {
  readonly volume: number;
}
/** SubEvents carry a volume; here those named foo/next with a value are SubEvents of volume v. */
const isSub = (e: Ev): e is Sub => e.type === 'foo' || e.type === 'next' || e.type === 'barfoo';
const withVolume = (e: Ev): Sub => ({ ...e, volume: e.v });

describe('NFA general behaviour (Flink NFAITCase)', () => {
  const abcde = 'a1 b1 c1 d1 e1';

  it('stages without where take any event: start, followedBy end (testNoConditionNFA)', () => {
    const p = Pattern.begin<Ev>('start').followedBy('end');
    expect(matchesOf(p, abcde)).toEqual(sorted(['a1 b1', 'b1 c1', 'c1 d1', 'd1 e1']));
  });

  it('start, end+ without conditions: every run of consecutive events (testNoConditionLoopingNFA)', () => {
    const p = Pattern.begin<Ev>('start').followedBy('end').oneOrMore();
    expect(matchesOf(p, abcde)).toEqual(
      sorted([
        'a1 b1 c1 d1 e1',
        'a1 b1 c1 d1',
        'a1 b1 c1',
        'a1 b1',
        'b1 c1 d1 e1',
        'b1 c1 d1',
        'b1 c1',
        'c1 d1 e1',
        'c1 d1',
        'd1 e1',
      ]),
    );
  });

  it('start, any end without conditions: every pair (testAnyWithNoConditionNFA)', () => {
    const p = Pattern.begin<Ev>('start').followedByAny('end');
    expect(matchesOf(p, abcde)).toEqual(
      sorted(['a1 b1', 'a1 c1', 'a1 d1', 'a1 e1', 'b1 c1', 'b1 d1', 'b1 e1', 'c1 d1', 'c1 e1', 'd1 e1']),
    );
  });

  it('start, a SubEvent with volume > 5, end (testSimplePatternNFA)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('start'))
      .followedBy('middle')
      .subtype(isSub)
      .where((s) => withVolume(s).volume > 5)
      .followedBy('end')
      .where(is('end'));
    expect(matchesOf(p, 'start1@1 foobar@2 barfoo:5@3 foo1:10@3 start2@4 end1@5')).toEqual([
      'start1 foo1 end1',
    ]);
  });

  it('strict contiguity: a next b (testStrictContinuityWithResults / NoResults)', () => {
    const p = Pattern.begin<Ev>('middle').where(is('a')).next('end').where(is('b'));
    expect(matchesOf(p, 'a1@3 b1@5')).toEqual(['a1 b1']);
    expect(matchesOf(p, 'a1@3 c1@4 b1@5')).toEqual([]);
  });

  it('branching: start, any foo (volume > 5), any next-one, any end (testBranchingPattern)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('start'))
      .followedByAny('middle-first')
      .subtype(isSub)
      .where((s) => s.v > 5)
      .followedByAny('middle-second')
      .subtype(isSub)
      .where((s) => s.type === 'next')
      .followedByAny('end')
      .where(is('end'));
    const input = 'start1@1 foo1:10@3 foo2:10@4 foo3:10@5 next1:2@6 next2:2@7 end1@8';
    expect(matchesOf(p, input)).toEqual(
      sorted(
        ['foo1', 'foo2', 'foo3'].flatMap((foo) =>
          ['next1', 'next2'].map((next) => `start1 ${foo} ${next} end1`),
        ),
      ),
    );
  });

  it('branching after an optional combinations loop: c any a* any b any d any e (testComplexBranchingAfterZeroOrMore)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('c'))
      .followedByAny('middle')
      .where(is('a'))
      .oneOrMore()
      .allowCombinations()
      .optional()
      .followedByAny('end1')
      .where(is('b'))
      .followedByAny('end2')
      .where(is('d'))
      .followedByAny('end3')
      .where(is('e'));
    const subsets = ['a1 a2 a3', 'a1 a2', 'a1 a3', 'a2 a3', 'a1', 'a2', 'a3', ''];
    const expected = ['d1', 'd2'].flatMap((d) =>
      subsets.map((as) => ['c1', as, 'b1', d, 'e1'].filter((x) => x !== '').join(' ')),
    );
    expect(matchesOf(p, 'c1@1 a1@3 a2@4 a3@5 b1@6 d1@7 d2@8 e1@9')).toEqual(sorted(expected));
  });
  describe('zero or more / at least one (Flink NFAITCase)', () => {
    it('c any a* combinations, b (testZeroOrMore)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('c'))
        .followedByAny('middle')
        .where(is('a'))
        .oneOrMore()
        .allowCombinations()
        .optional()
        .followedBy('end1')
        .where(is('b'));
      expect(matchesOf(p, 'c1@1 a1@3 a2@4 b1@6')).toEqual(
        sorted(['c1 a1 a2 b1', 'c1 a1 b1', 'c1 a2 b1', 'c1 b1']),
      );
    });

    it('c a* b, relaxed loop skipping a filler (testEagerZeroOrMore)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('c'))
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .followedBy('end1')
        .where(is('b'));
      expect(matchesOf(p, 'c1@1 a1@3 a2@4 d1@5 a3@6 b1@7')).toEqual(
        sorted(['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 b1', 'c1 b1']),
      );
    });

    it('a* b at the head: every start, and b alone (testBeginWithZeroOrMore)', () => {
      const p = Pattern.begin<Ev>('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .followedBy('end')
        .where(is('b'));
      expect(matchesOf(p, 'a1@3 a2@4 a3@5 b1@6')).toEqual(
        sorted(['a1 a2 a3 b1', 'a1 a2 b1', 'a2 a3 b1', 'a1 b1', 'a2 b1', 'a3 b1', 'b1']),
      );
    });

    it('c any a* combinations, d* combinations, e (testZeroOrMoreAfterZeroOrMore)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('c'))
        .followedByAny('middle-first')
        .where(is('a'))
        .oneOrMore()
        .allowCombinations()
        .optional()
        .followedBy('middle-second')
        .where(is('d'))
        .oneOrMore()
        .allowCombinations()
        .optional()
        .followedBy('end')
        .where(is('e'));
      expect(matchesOf(p, 'c1@1 a1@3 d1@4 d2@5 e1@6')).toEqual(
        sorted(['c1 a1 d1 d2 e1', 'c1 a1 d1 e1', 'c1 d1 d2 e1', 'c1 d1 e1', 'c1 a1 e1', 'c1 e1']),
      );
    });

    it('c any a, any f, any d* combinations, e (testZeroOrMoreAfterBranching)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('c'))
        .followedByAny('branching')
        .where(is('a'))
        .followedByAny('merging')
        .where(is('f'))
        .followedByAny('kleene')
        .where(is('d'))
        .oneOrMore()
        .allowCombinations()
        .optional()
        .followedBy('end')
        .where(is('e'));
      const expected = ['a1', 'a2'].flatMap((a) =>
        ['', ' d1', ' d2', ' d1 d2'].map((ds) => `c1 ${a} f1${ds} e1`),
      );
      expect(matchesOf(p, 'c1@1 a1@3 a2@4 f1@5 d1@6 d2@7 e1@8')).toEqual(sorted(expected));
    });

    it('d a* next b: a c between the loop and b, no match (testStrictContinuityNoResultsAfterZeroOrMore)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('d'))
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .next('end')
        .where(is('b'));
      expect(matchesOf(p, 'd1@1 a1@2 a2@3 c1@4 b1@5')).toEqual([]);
    });

    it('d any a* combinations, next b: the last a must be right before b (testStrictContinuityResultsAfterZeroOrMore)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('d'))
        .followedByAny('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .allowCombinations()
        .next('end')
        .where(is('b'));
      expect(matchesOf(p, 'd1@1 a1@2 a2@3 b1@5')).toEqual(sorted(['d1 a1 a2 b1', 'd1 a2 b1']));
    });

    it('c any a+ combinations, any b (testAtLeastOne)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('c'))
        .followedByAny('middle')
        .where(is('a'))
        .oneOrMore()
        .allowCombinations()
        .followedByAny('end1')
        .where(is('b'));
      expect(matchesOf(p, 'c1@1 a1@3 a2@4 b1@6')).toEqual(sorted(['c1 a1 a2 b1', 'c1 a1 b1', 'c1 a2 b1']));
    });

    it('a+ combinations at the head, b (testBeginWithAtLeastOne)', () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('a'))
        .oneOrMore()
        .allowCombinations()
        .followedBy('end')
        .where(is('b'));
      expect(matchesOf(p, 'a1@3 a2@4 a3@5 b1@6')).toEqual(
        sorted(['a1 a2 a3 b1', 'a1 a2 b1', 'a1 a3 b1', 'a2 a3 b1', 'a1 b1', 'a2 b1', 'a3 b1']),
      );
    });
  });
});
