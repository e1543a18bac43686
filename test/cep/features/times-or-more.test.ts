import { describe, expect, it } from 'vitest';
import { Pattern } from '../../../src/cep/index.js';
import { type Ev, is, matchesOf } from './support.js';

// Scenarios of Flink's TimesOrMoreITCase: timesOrMore(n) (a loop needing n events first) with the
// inner contiguities and optional. c starts, a1..a3 loop, b1 ends, f are fillers.

const c = () => Pattern.begin<Ev>('start').where(is('c'));
const plain = 'c1 a1 a2 a3 b1';
const withFillers = 'c1 f a1 f a2 a3 b1';

describe('timesOrMore(n) (Flink TimesOrMoreITCase)', () => {
  it('followedBy a{2,} allowCombinations: every combination from a1 of at least two (testTimesOrMore)', () => {
    const p = c()
      .followedBy('middle')
      .where(is('a'))
      .timesOrMore(2)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 a1 a2 a3 b1@6')).toEqual(['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1'].sort());
  });

  it('followedByAny a{2,} allowCombinations: any first a (testTimesOrMoreNonStrict)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .timesOrMore(2)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1', 'c1 a2 a3 b1'].sort(),
    );
  });

  it('followedByAny a{2} consecutive: only the adjacent pair (testTimesOrMoreStrict)', () => {
    // Flink's test of this name uses times(2).consecutive().
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .times(2)
      .consecutive()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(['c1 a2 a3 b1']);
  });

  it('followedByAny a{2,} consecutive optional (testTimesOrMoreStrictOptional)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .timesOrMore(2)
      .consecutive()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(['c1 a2 a3 b1', 'c1 b1'].sort());
  });

  it('next a{2,} consecutive optional (testTimesOrMoreStrictOptional2)', () => {
    const p = c()
      .next('middle')
      .where(is('a'))
      .timesOrMore(2)
      .consecutive()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 a1@3 a2@5 a3@6 b1@7')).toEqual(['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 b1'].sort());
  });

  it('followedBy a{2,} optional with no a (testTimesOrMoreNonStrictOptional)', () => {
    const p = c()
      .followedBy('middle')
      .where(is('a'))
      .timesOrMore(2)
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 f b1@7')).toEqual(['c1 b1']);
  });

  it('followedByAny a{2,} allowCombinations optional (testTimesOrMoreNonStrictOptional2)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .timesOrMore(2)
      .allowCombinations()
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1', 'c1 a2 a3 b1', 'c1 b1'].sort(),
    );
  });

  it('followedByAny a{2,} optional, relaxed inside (testTimesOrMoreNonStrictOptional3)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .timesOrMore(2)
      .optional()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, withFillers)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a2 a3 b1', 'c1 b1'].sort(),
    );
  });

  it('next a{2,} allowCombinations with fillers between the a (testTimesOrMoreNonStrictWithNext)', () => {
    const p = c()
      .next('middle')
      .where(is('a'))
      .timesOrMore(2)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, 'c1 a1 f a2 f a3 b1')).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a1 a3 b1'].sort(),
    );
  });

  it('followedBy a{2,} (testTimesOrMoreNotStrictWithFollowedBy)', () => {
    const p = c().followedBy('middle').where(is('a')).timesOrMore(2).followedBy('end1').where(is('b'));
    expect(matchesOf(p, plain)).toEqual(['c1 a1 a2 a3 b1', 'c1 a1 a2 b1'].sort());
  });

  it('followedByAny a{2,} allowCombinations (testTimesOrMoreNotStrictWithFollowedByAny)', () => {
    const p = c()
      .followedByAny('middle')
      .where(is('a'))
      .timesOrMore(2)
      .allowCombinations()
      .followedBy('end1')
      .where(is('b'));
    expect(matchesOf(p, plain)).toEqual(
      ['c1 a1 a2 a3 b1', 'c1 a1 a2 b1', 'c1 a2 a3 b1', 'c1 a1 a3 b1'].sort(),
    );
  });
});
