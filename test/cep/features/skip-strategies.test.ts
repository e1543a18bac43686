import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, type ConditionContext, Pattern } from '../../../src/cep/index.js';
import { type Ev, is, matchesOf, run } from './support.js';

// Scenarios of Flink's AfterMatchSkipITCase: every skip strategy on heads with quantifiers, loops at
// the end and at the beginning (the documentation's examples), misses with and without
// throwExceptionOnMiss, and skips that discard partial matches. Flink's conditions there test
// whether the event *name* contains a letter, so `ab1` is both an a and a b.

const has =
  (...letters: string[]) =>
  (e: Ev): boolean =>
    letters.some((l) => e.name.includes(l));

describe('after-match skip strategies (Flink AfterMatchSkipITCase)', () => {
  describe('a{3} at the head over a1..a6', () => {
    const p = (s: AfterMatchSkipStrategy) => Pattern.begin<Ev>('start', s).where(is('a')).times(3);
    const six = 'a1 a2 a3 a4 a5 a6';

    it('noSkip: every window of three (testNoSkip)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.noSkip()), six)).toEqual([
        'a1 a2 a3',
        'a2 a3 a4',
        'a3 a4 a5',
        'a4 a5 a6',
      ]);
    });

    it('skipPastLastEvent: disjoint matches (testSkipPastLast)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipPastLastEvent()), six)).toEqual(['a1 a2 a3', 'a4 a5 a6']);
    });
  });

  describe('a any b over a1 b1 a2 b2', () => {
    const p = () => Pattern.begin<Ev>('start').where(is('a')).followedByAny('end').where(is('b'));

    it('noSkip (testNoSkipWithFollowedByAny)', () => {
      expect(matchesOf(p(), 'a1 b1 a2 b2', { skip: AfterMatchSkipStrategy.noSkip() })).toEqual(
        ['a1 b1', 'a1 b2', 'a2 b2'].sort(),
      );
    });

    it('skipToNext: a1 b2 is dropped (testSkipToNextWithFollowedByAny)', () => {
      expect(matchesOf(p(), 'a1 b1 a2 b2', { skip: AfterMatchSkipStrategy.skipToNext() })).toEqual([
        'a1 b1',
        'a2 b2',
      ]);
    });
  });

  describe('a next b+ (the loop ends the pattern) over a1 b1 b2 b3', () => {
    const p = () => Pattern.begin<Ev>('start').where(is('a')).next('end').where(is('b')).oneOrMore();

    it('noSkip: every prefix of the loop (testNoSkipWithQuantifierAtTheEnd)', () => {
      expect(matchesOf(p(), 'a1 b1 b2 b3', { skip: AfterMatchSkipStrategy.noSkip() })).toEqual(
        ['a1 b1', 'a1 b1 b2', 'a1 b1 b2 b3'].sort(),
      );
    });

    it('skipToNext: only the first (testSkipToNextWithQuantifierAtTheEnd)', () => {
      expect(matchesOf(p(), 'a1 b1 b2 b3', { skip: AfterMatchSkipStrategy.skipToNext() })).toEqual(['a1 b1']);
    });
  });

  describe('a{2} next b{2} over ab1..', () => {
    const p = (s: AfterMatchSkipStrategy) =>
      Pattern.begin<Ev>('start', s).where(has('a')).times(2).next('end').where(has('b')).times(2);

    it('skipToFirst(end) (testSkipToFirst)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipToFirst('end')), 'ab1 ab2 ab3 ab4 ab5 ab6')).toEqual([
        'ab1 ab2 ab3 ab4',
        'ab3 ab4 ab5 ab6',
      ]);
    });

    it('skipToLast(end) (testSkipToLast)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipToLast('end')), 'ab1 ab2 ab3 ab4 ab5 ab6 ab7')).toEqual([
        'ab1 ab2 ab3 ab4',
        'ab4 ab5 ab6 ab7',
      ]);
    });
  });

  it('skipPastLastEvent with followedByAny: one match only (testSkipPastLast2)', () => {
    const p = Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipPastLastEvent())
      .where(has('a'))
      .followedByAny('b')
      .where(has('b'))
      .followedByAny('c')
      .where(has('c'))
      .followedBy('d')
      .where(has('d'));
    expect(matchesOf(p, 'a1 a2 b1 b2 c1 c2 d1 d2@7')).toEqual(['a1 b1 c1 d1']);
  });

  it('skipPastLastEvent with next (testSkipPastLast3)', () => {
    const p = Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipPastLastEvent())
      .where(has('a'))
      .next('b')
      .where(has('b'));
    expect(matchesOf(p, 'a1 c a2 b2')).toEqual(['a2 b2']);
  });

  it('skipToFirst(b) after an optional loop that took nothing (testSkipToFirstWithOptionalMatch)', () => {
    const p = Pattern.begin<Ev>('x', AfterMatchSkipStrategy.skipToFirst('b'))
      .where(has('x'))
      .oneOrMore()
      .optional()
      .next('b')
      .where(has('b'))
      .next('c')
      .where(has('c'));
    expect(matchesOf(p, 'ab1 c1 ab2 c2')).toEqual(['ab1 c1', 'ab2 c2']);
  });

  it('skipToFirst of the first stage: falls back to no skip (testSkipToFirstAtStartPosition)', () => {
    const p = Pattern.begin<Ev>('b', AfterMatchSkipStrategy.skipToFirst('b'))
      .where(has('b'))
      .next('c')
      .where(has('c'));
    expect(matchesOf(p, 'ab1 c1 ab2 c2')).toEqual(['ab1 c1', 'ab2 c2']);
  });

  describe('a next b+ consecutive over a1 b1 a2 b2 b3 a3 b4', () => {
    const p = (s: AfterMatchSkipStrategy) =>
      Pattern.begin<Ev>('a', s).where(has('a')).next('b').where(has('b')).oneOrMore().consecutive();

    it('skipToFirst(b): a2 b2 b3 is discarded (testSkipToFirstWithOneOrMore)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipToFirst('b')), 'a1 b1 a2 b2 b3 a3 b4')).toEqual([
        'a1 b1',
        'a2 b2',
        'a3 b4',
      ]);
    });

    it('skipToLast(b) (testSkipToLastWithOneOrMore)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipToLast('b')), 'a1 b1 a2 b2 b3 a3 b4')).toEqual([
        'a1 b1',
        'a2 b2',
        'a3 b4',
      ]);
    });
  });

  describe('misses', () => {
    it('skipToFirst of the first event of the match with throwExceptionOnMiss throws (testSkipToFirstElementOfMatch)', () => {
      const p = Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipToFirst('a').throwExceptionOnMiss()).where(
        has('a'),
      );
      expect(() => run(p, 'a1')).toThrow();
    });

    /** a, b*? consecutive strict, c: the b stage stays empty in `a c`. */
    const missed = (s: AfterMatchSkipStrategy) =>
      run(
        Pattern.begin<Ev>('a')
          .where(has('a'))
          .next('b')
          .where(has('b'))
          .oneOrMore()
          .optional()
          .consecutive()
          .next('c')
          .where(has('c')),
        'a1 c1@4',
        { skip: s },
      ).matches;

    it('skipToFirst(b) with throwExceptionOnMiss throws (testSkipToFirstNonExistentPosition)', () => {
      expect(() => missed(AfterMatchSkipStrategy.skipToFirst('b').throwExceptionOnMiss())).toThrow();
    });

    it('skipToFirst(b) without: the match, as with noSkip (testSkipToFirstNonExistentPositionWithoutException)', () => {
      expect(missed(AfterMatchSkipStrategy.skipToFirst('b'))).toEqual(['a1 c1']);
    });

    it('skipToLast(b) with throwExceptionOnMiss throws (testSkipToLastNonExistentPosition)', () => {
      expect(() => missed(AfterMatchSkipStrategy.skipToLast('b').throwExceptionOnMiss())).toThrow();
    });

    it('skipToLast(b) without (testSkipToLastNonExistentPositionWithoutException)', () => {
      expect(missed(AfterMatchSkipStrategy.skipToLast('b'))).toEqual(['a1 c1']);
    });
  });

  describe("the documentation's examples: a+ consecutive greedy, next b, over a1 a2 a3 b1", () => {
    const p = (s: AfterMatchSkipStrategy) =>
      Pattern.begin<Ev>('a', s).where(has('a')).oneOrMore().consecutive().greedy().next('b').where(has('b'));
    const input = 'a1 a2 a3 b1';

    it('skipPastLastEvent (testSkipPastLastWithOneOrMoreAtBeginning)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipPastLastEvent()), input)).toEqual(['a1 a2 a3 b1']);
    });

    it('skipToLast(a) (testSkipToLastWithOneOrMoreAtBeginning)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipToLast('a')), input)).toEqual(['a1 a2 a3 b1', 'a3 b1']);
    });

    it('skipToFirst(a) (testSkipToFirstWithOneOrMoreAtBeginning)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.skipToFirst('a')), input)).toEqual([
        'a1 a2 a3 b1',
        'a2 a3 b1',
        'a3 b1',
      ]);
    });

    it('noSkip (testNoSkipWithOneOrMoreAtBeginning)', () => {
      expect(matchesOf(p(AfterMatchSkipStrategy.noSkip()), input)).toEqual([
        'a1 a2 a3 b1',
        'a2 a3 b1',
        'a3 b1',
      ]);
    });
  });

  it('skipToFirst(c*) discards partial matches that started before it (testSkipToFirstDiscarding)', () => {
    const p = Pattern.begin<Ev>('a or c', AfterMatchSkipStrategy.skipToFirst('c*'))
      .where(has('a', 'c'))
      .followedBy('b or c')
      .where(has('b', 'c'))
      .followedBy('c*')
      .where(has('c'))
      .oneOrMore()
      .greedy()
      .followedBy('d')
      .where(has('d'));
    expect(matchesOf(p, 'a b c1 c2 c3 d')).toEqual(['a b c1 c2 c3 d', 'c1 c2 c3 d']);
  });

  it('a later-starting match completed first is held back, then both survive skipToFirst(c) (testSkipBeforeOtherAlreadyCompleted)', () => {
    const sameValueAsA = (e: Ev, ctx: ConditionContext<Ev>) =>
      has('b')(e) && [...ctx.getEventsForPattern('a')][0]!.v === e.v;
    const p = Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipToFirst('c'))
      .where(has('a'))
      .followedBy('c')
      .where(has('c'))
      .followedBy('b')
      .where(sameValueAsA);
    const r = run(p, 'a1:0 c1:0 a2:1 c2:0 b1:1 b2:0');
    expect(r.matches).toEqual(['a1 c1 b2', 'a2 c2 b1']);
  });

  it('the shared buffer is empty after skipPastLastEvent matches (testSharedBufferIsProperlyCleared)', () => {
    const p = Pattern.begin<Ev>('start', AfterMatchSkipStrategy.skipPastLastEvent())
      .where(() => true)
      .times(2);
    const r = run(p, 'a1@0 a2@1 a3@2 a4@3');
    expect(r.matches).toEqual(['a1 a2', 'a3 a4']);
    expect(r.nfa.isStateEmpty(r.state)).toBe(true);
  });
});
