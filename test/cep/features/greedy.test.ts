import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, Pattern } from '../../../src/cep/index.js';
import { type Ev, is, matchesOf } from './support.js';

// Scenarios of Flink's GreedyITCase (flink-cep nfa tests): greedy loops and greedy times ranges.
// Events: c (start), a (the greedy stage), d/e/f (what follows), x (fillers nobody takes).

const c = () => Pattern.begin<Ev>('start').where(is('c'));
const pricy = (e: Ev) => e.v > 3;

describe('greedy (Flink GreedyITCase)', () => {
  describe('zero or more, greedy, between two stages: c a*? d', () => {
    const p = () =>
      c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .greedy()
        .followedBy('end')
        .where(is('d'));

    it('takes every a (testGreedyZeroOrMore)', () => {
      expect(matchesOf(p(), 'c1 a1 a2 a3 d1')).toEqual(['c1 a1 a2 a3 d1']);
    });

    it('skips fillers between the a (testGreedyZeroOrMoreInBetween)', () => {
      expect(matchesOf(p(), 'c1 x a1 x a2 x a3 d1')).toEqual(['c1 a1 a2 a3 d1']);
    });

    it('a filler after the loop does not cut it short (testGreedyZeroOrMoreWithDummyEventsAfterQuantifier)', () => {
      expect(matchesOf(p(), 'c1 a1 a2 x d1')).toEqual(['c1 a1 a2 d1']);
    });

    it('no a at all: the empty loop (testGreedyZeroOrMoreWithDummyEventsBeforeQuantifier)', () => {
      expect(matchesOf(p(), 'c1 x d1')).toEqual(['c1 d1']);
    });
  });

  describe('one or more, greedy: c a+ d', () => {
    const p = () =>
      c().followedBy('middle').where(is('a')).oneOrMore().greedy().followedBy('end').where(is('d'));

    it('only the longest loop (testGreedyOneOrMore)', () => {
      expect(matchesOf(p(), 'c1 a1 a2 a3 d1')).toEqual(['c1 a1 a2 a3 d1']);
    });

    it('with fillers in between (testGreedyOneOrMoreInBetween)', () => {
      expect(matchesOf(p(), 'c1 x a1 x a2 x a3 d1')).toEqual(['c1 a1 a2 a3 d1']);
    });

    it('with a filler after the loop (testGreedyOneOrMoreWithDummyEventsAfterQuantifier)', () => {
      expect(matchesOf(p(), 'c1 a1 a2 x d1')).toEqual(['c1 a1 a2 d1']);
    });

    it('no a: no match (testGreedyOneOrMoreWithDummyEventsBeforeQuantifier)', () => {
      expect(matchesOf(p(), 'c1 x d1')).toEqual([]);
    });
  });

  describe('greedy with until (price > 3 stops the loop)', () => {
    it('zero or more: the loop ends at the first pricy a (testGreedyUntilZeroOrMoreWithDummyEventsAfterQuantifier)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .greedy()
        .until(pricy)
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'c1 a1:2 a2:3 a3:3 a4:4 d1')).toEqual(['c1 a1 a2 a3 d1']);
    });

    it('zero or more: a pricy a first stops the loop before it starts (testGreedyUntilWithDummyEventsBeforeQuantifier)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .greedy()
        .until(pricy)
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'c1 a0:4 a1:2 a2:3 a3:3 d1')).toEqual(['c1 d1']);
    });

    it('one or more (testGreedyUntilOneOrMoreWithDummyEventsAfterQuantifier)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .greedy()
        .until(pricy)
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'c1 a1:2 a2:3 a3:3 a4:4 d1')).toEqual(['c1 a1 a2 a3 d1']);
    });

    it('one or more, a pricy a first: no match (testGreedyUntilOneOrMoreWithDummyEventsBeforeQuantifier)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .greedy()
        .until(pricy)
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'c1 a0:4 a1:2 a2:3 a3:3 d1')).toEqual([]);
    });
  });

  it('greedy zero or more before a group: c a* (d e){2} f (testGreedyZeroOrMoreBeforeGroupPattern)', () => {
    const p = c()
      .followedBy('middle')
      .where(is('a'))
      .oneOrMore()
      .optional()
      .greedy()
      .followedBy(Pattern.begin<Ev>('middle1').where(is('d')).followedBy('middle2').where(is('e')))
      .times(2)
      .followedBy('end')
      .where(is('f'));
    expect(matchesOf(p, 'c1 a1 a2 x a3 d1 e1 d2 e2 f1')).toEqual(['c1 a1 a2 a3 d1 e1 d2 e2 f1']);
  });

  describe('a greedy last stage has no effect (the match is complete at once)', () => {
    it('c a*: every prefix (testEndWithZeroOrMoreGreedy)', () => {
      const p = c().followedBy('end').where(is('a')).oneOrMore().optional().greedy();
      expect(matchesOf(p, 'c1 a1 a2 x a3')).toEqual(['c1', 'c1 a1', 'c1 a1 a2', 'c1 a1 a2 a3']);
    });

    it('c a* consecutive: the filler ends the run (testEndWithZeroOrMoreConsecutiveGreedy)', () => {
      const p = c().followedBy('end').where(is('a')).oneOrMore().optional().consecutive().greedy();
      expect(matchesOf(p, 'c1 a1 a2 x a3')).toEqual(['c1', 'c1 a1', 'c1 a1 a2']);
    });

    it('c a{2,5} (testEndWithGreedyTimesRange)', () => {
      const p = c().followedBy('end').where(is('a')).times(2, 5).greedy();
      expect(matchesOf(p, 'c1 a1 a2 a3 a4 x')).toEqual(['c1 a1 a2', 'c1 a1 a2 a3', 'c1 a1 a2 a3 a4']);
    });
  });

  it('greedy times range in the middle: c a{2,5} d (testGreedyTimesRange)', () => {
    const p = c().followedBy('middle').where(is('a')).times(2, 5).greedy().followedBy('end').where(is('d'));
    expect(matchesOf(p, 'c1 a1 a2 a3 a4 d1')).toEqual(['c1 a1 a2 a3 a4 d1']);
  });

  describe('greedy followed by an optional stage (FLINK-8914: wrong matches in Flink) is refused', () => {
    // Older GreedyITCase versions expected {c a1 a2 e} (testGreedyZeroOrMoreBeforeOptional), {c a1 a2 e},
    // {c a1 a2 d e} (...Optional2) and {c a1 a2 a3 d} (testGreedyZeroOrMoreConsecutiveEndWithOptional).
    // FLINK-8914 reports this construction as giving wrong matches; current Flink and this library
    // refuse it when the pattern is built (Pattern.optional: "cannot be preceded by greedy pattern").
    it('c a*? d? e (testGreedyZeroOrMoreBeforeOptional, ...Optional2)', () => {
      const build = () =>
        c()
          .followedBy('middle1')
          .where(is('a'))
          .oneOrMore()
          .optional()
          .greedy()
          .followedBy('middle2')
          .where(is('d'))
          .optional()
          .followedBy('end')
          .where(is('e'));
      expect(build).toThrow(/preceded by greedy/);
    });

    it('c a*? consecutive, d? (testGreedyZeroOrMoreConsecutiveEndWithOptional)', () => {
      const build = () =>
        c()
          .followedBy('middle')
          .where(is('a'))
          .oneOrMore()
          .optional()
          .consecutive()
          .greedy()
          .followedBy('end')
          .where(is('d'))
          .optional();
      expect(build).toThrow(/preceded by greedy/);
    });
  });

  describe('greedy at the head of the pattern (FLINK-8914)', () => {
    // Flink's maintainers resolved FLINK-8914 by recommending a skip strategy: greedy only decides how
    // far one run's loop extends, it does not stop later runs from starting inside the loop.
    const head = (skip?: AfterMatchSkipStrategy) =>
      Pattern.begin<Ev>('middle', skip).where(is('a')).oneOrMore().greedy().followedBy('end').where(is('d'));

    it('noSkip: one match per start, each with its longest loop', () => {
      expect(matchesOf(head(), 'a1 a2 a3 d1')).toEqual(['a1 a2 a3 d1', 'a2 a3 d1', 'a3 d1']);
    });

    it('skipPastLastEvent: only the longest', () => {
      expect(matchesOf(head(AfterMatchSkipStrategy.skipPastLastEvent()), 'a1 a2 a3 d1')).toEqual([
        'a1 a2 a3 d1',
      ]);
    });
  });
});
