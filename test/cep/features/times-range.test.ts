import { describe, expect, it } from 'vitest';
import { Pattern } from '../../../src/cep/index.js';
import { type Ev, is, matchesOf } from './support.js';

// Scenarios of Flink's TimesRangeITCase: times(from, to) with every inner contiguity, optional,
// and the contiguity into the range (next / followedBy / followedByAny). c starts, a1..a3 are the
// range, b1 ends, f are fillers.

const c = () => Pattern.begin<Ev>('start').where(is('c'));
const plain = 'c1 a1 a2 a3 b1';
const withFillers = 'c1 f a1 f a2 a3 b1';

describe('times(from, to) (Flink TimesRangeITCase)', () => {
  it('next a{1,3} allowCombinations: the first a is strict, the rest any subset (testTimesRange)', () => {
    const p = c()
      .next('middle')
      .where(is('a'))
      .times(1, 3)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, plain)).toEqual(['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1', 'c1 a1 b1'].sort());
  });

  it('next a{0,2} allowCombinations: also no a at all (testTimesRangeFromZero)', () => {
    const p = c()
      .next('middle')
      .where(is('a'))
      .times(0, 2)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, plain)).toEqual(['c1 a1 a2 b1', 'c1 a1 a3 b1', 'c1 a1 b1', 'c1 b1'].sort());
  });

  it('followedByAny a{1,3} allowCombinations: every non-empty subset (testTimesRangeNonStrict)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(1, 3)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      [
        'c1 a1 a2 a3 b1',
        'c1 a1 a2 b1',
        'c1 a1 a3 b1',
        'c1 a2 a3 b1',
        'c1 a1 b1',
        'c1 a2 b1',
        'c1 a3 b1',
      ].sort(),
    );
  });

  it('followedByAny a{0,3} consecutive: runs of adjacent a only (testTimesRangeStrict)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(0, 3)
      .consecutive()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a2 a3 b1', 'c1 a1 b1', 'c1 a2 b1', 'c1 a3 b1', 'c1 b1'].sort(),
    );
  });

  it('followedByAny a{1,3} consecutive optional: the same (testTimesRangeStrictOptional)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(1, 3)
      .consecutive()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a2 a3 b1', 'c1 a1 b1', 'c1 a2 b1', 'c1 a3 b1', 'c1 b1'].sort(),
    );
  });

  it('next a{1,3} consecutive optional without fillers: prefixes of a1 a2 a3 (testTimesRangeStrictOptional1)', () => {
    const p = c()
      .next('middle')
      .where(is('a'))
      .times(1, 3)
      .consecutive()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 a1@3 a2@5 a3@6 b1@7')).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 b1', 'c1 b1'].sort(),
    );
  });

  it('followedBy a{1,3} optional with no a: just c b (testTimesRangeNonStrictOptional1)', () => {
    const p = c()
      .followedBy('middle')
      .where(is('a'))
      .times(1, 3)
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 f b1')).toEqual(['c1 b1']);
  });

  it('followedByAny a{2,3} allowCombinations optional (testTimesRangeNonStrictOptional2)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(2, 3)
      .allowCombinations()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1', 'c1 a2 a3 b1', 'c1 b1'].sort(),
    );
  });

  it('followedByAny a{2,3} optional, relaxed inside: no a1 a3 (testTimesRangeNonStrictOptional3)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(2, 3)
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a2 a3 b1', 'c1 b1'].sort(),
    );
  });

  it('next a{2,3} allowCombinations with fillers between the a (testTimesRangeNonStrictWithNext)', () => {
    const p = c()
      .next('middle')
      .where(is('a'))
      .times(2, 3)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 a1 f a2 f a3 b1')).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1'].sort(),
    );
  });

  it('followedBy a{2,3}: one run from a1 (testTimesRangeNotStrictWithFollowedBy)', () => {
    const p = c().followedBy('middle').where(is('a')).times(2, 3).followedBy('end1').where(is('b'));
    expect(matchesOf(p, plain)).toEqual(['c1 a1 a2 a3 b1', 'c1 a1 a2 b1'].sort());
  });

  it('followedByAny a{2,3} allowCombinations (testTimesRangeNotStrictWithFollowedByAny)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(2, 3)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, plain)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a2 a3 b1', 'c1 a1 a3 b1'].sort(),
    );
  });
});
