import { describe, expect, it } from 'vitest';
import { Pattern } from '../../../src/cep/index.js';
import { type Ev, is, matchesOf } from './support.js';

// Scenarios of Flink's NotPatternITCase: notNext / notFollowedBy in the middle, after times and
// loops, before optional stages and loops, at the end (notNext), with each contiguity.

const a = () => Pattern.begin<Ev>('start').where(is('a'));

describe('negation (Flink NotPatternITCase)', () => {
  describe('notNext', () => {
    it('a !next b, any c, d: a c1 d and a c2 d (testNotNext)', () => {
      const p = a()
        .notNext('notPattern')
        .where(is('b'))
        .followedByAny('middle')
        .where(is('c'))
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 c1 b1 c2 d1')).toEqual(['a1 c1 d1', 'a1 c2 d1']);
    });

    it('a directly followed by b: nothing (testNotNextNoMatches)', () => {
      const p = a()
        .notNext('notPattern')
        .where(is('b'))
        .followedBy('middle')
        .where(is('c'))
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 b1 c1 c2 d1')).toEqual([]);
    });

    it('notNext at the end: a match waits for the next event, which is a b (testNotNextNoMatchesAtTheEnd)', () => {
      const p = a()
        .followedByAny('middle')
        .where(is('c'))
        .followedByAny('end')
        .where(is('d'))
        .notNext('notPattern')
        .where(is('b'));
      expect(matchesOf(p, 'a1 c1 c2 d1 b1')).toEqual([]);
    });
  });

  describe('notFollowedBy in the middle', () => {
    it('a !b any c, d: only c before the b (testNotFollowedBy)', () => {
      const p = a()
        .notFollowedBy('notPattern')
        .where(is('b'))
        .followedByAny('middle')
        .where(is('c'))
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 c1 b1 c2 d1')).toEqual(['a1 c1 d1']);
    });

    it('a !b c? d: the b kills the run that skipped c (testNotFollowedByBeforeOptional)', () => {
      const p = a()
        .notFollowedBy('notPattern')
        .where(is('b'))
        .followedByAny('middle')
        .where(is('c'))
        .optional()
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 c1 b1 c2 d1')).toEqual(['a1 c1 d1']);
    });

    it('a !b c?, ending the pattern (testNotFollowedByBeforeOptionalAtTheEnd)', () => {
      const p = a().notFollowedBy('notPattern').where(is('b')).followedByAny('end').where(is('c')).optional();
      expect(matchesOf(p, 'a1 c1 b1 c2')).toEqual(['a1', 'a1 c1']);
    });

    it('a !b c{2}? d (testNotFollowedByBeforeOptionalTimes)', () => {
      const p = a()
        .notFollowedBy('notPattern')
        .where(is('b'))
        .followedByAny('middle')
        .where(is('c'))
        .times(2)
        .optional()
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 c1 b1 c2 d1')).toEqual(['a1 c1 c2 d1']);
    });

    it('a !b c{2}? d, the optional times skipped: a1 d1 only (testIgnoreStateOfTimesWithNotFollowedBy)', () => {
      const p = a()
        .notFollowedBy('notPattern')
        .where(is('b'))
        .followedByAny('middle')
        .where(is('c'))
        .times(2)
        .optional()
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1@1 d1@2 e1@1 b1@3 c1@2 c2@4 d2@5')).toEqual(['a1 d1']);
    });

    it('a any b{2} !c d: a c between the b and d kills it (testTimesWithNotFollowedBy)', () => {
      const p = a()
        .followedByAny('middle')
        .where(is('b'))
        .times(2)
        .notFollowedBy('notPattern')
        .where(is('c'))
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 b1 c1 b2 d1')).toEqual([]);
    });

    it('a any b{2} !c d with out-of-order timestamps (testTimesWithNotFollowedByAfter)', () => {
      const p = a()
        .followedByAny('middle')
        .where(is('b'))
        .times(2)
        .notFollowedBy('notPattern')
        .where(is('c'))
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1@1 d1@2 e1@1 b1@3 b2@3 c1@2 d2@5')).toEqual([]);
    });

    it('a !b c d: a later a starts a clean run (testNotFollowedByWithBranchingAtStart)', () => {
      const p = a()
        .notFollowedBy('notPattern')
        .where(is('b'))
        .followedBy('middle')
        .where(is('c'))
        .followedBy('end')
        .where(is('d'));
      expect(matchesOf(p, 'a1 b1 c1 a2 c2 d1')).toEqual(['a2 c2 d1']);
    });
  });

  describe('negation after a loop (data a1 b1 b2 b3 c1 b4 b5 b6 d1)', () => {
    const data = 'a1@0 b1 b2 b3 c1 b4 b5 b6 d1';
    const loop = (any: boolean, combinations: boolean) => {
      const start = Pattern.begin<Ev>('a').where(is('a'));
      const b = (any ? start.followedByAny('b*') : start.followedBy('b*')).where(is('b')).oneOrMore();
      return combinations ? b.allowCombinations() : b;
    };

    it('followedBy b+ !next c d: no match (testNotNextAfterOneOrMoreSkipTillNext)', () => {
      const p = loop(false, false).notNext('not c').where(is('c')).followedBy('d').where(is('d'));
      expect(matchesOf(p, 'a1@0 b1 c1 b2 d1')).toEqual([]);
    });

    it('followedByAny b+ !next c d: the loop started at b2 (testNotNextAfterOneOrMoreSkipTillAny)', () => {
      const p = loop(true, false).notNext('not c').where(is('c')).followedBy('d').where(is('d'));
      expect(matchesOf(p, 'a1@0 b1 c1 b2 d1')).toEqual(['a1 b2 d1']);
    });

    it('followedBy b+ !c d: no match (testNotFollowedByNextAfterOneOrMoreEager)', () => {
      const p = loop(false, false).notFollowedBy('not c').where(is('c')).followedBy('d').where(is('d'));
      expect(matchesOf(p, data)).toEqual([]);
    });

    it('followedByAny b+ !c d: loops started after c1 (testNotFollowedByAnyAfterOneOrMoreEager)', () => {
      const p = loop(true, false).notFollowedBy('not c').where(is('c')).followedBy('d').where(is('d'));
      expect(matchesOf(p, data)).toEqual(
        ['a1 b4 b5 b6 d1', 'a1 b4 b5 d1', 'a1 b4 d1', 'a1 b5 b6 d1', 'a1 b5 d1', 'a1 b6 d1'].sort(),
      );
    });

    it('followedBy b+ combinations !c d: no match (testNotFollowedByNextAfterOneOrMoreCombinations)', () => {
      const p = loop(false, true).notFollowedBy('not c').where(is('c')).followedBy('d').where(is('d'));
      expect(matchesOf(p, data)).toEqual([]);
    });

    it('followedByAny b+ combinations !c d (testNotFollowedByAnyAfterOneOrMoreCombinations)', () => {
      const p = loop(true, true).notFollowedBy('not c').where(is('c')).followedBy('d').where(is('d'));
      expect(matchesOf(p, data)).toEqual(
        [
          'a1 b4 b5 b6 d1',
          'a1 b4 b5 d1',
          'a1 b4 b6 d1',
          'a1 b4 d1',
          'a1 b5 b6 d1',
          'a1 b5 d1',
          'a1 b6 d1',
        ].sort(),
      );
    });
  });

  describe('notFollowedBy before a loop: a !c b+ d (data a1 b1 c1 b4 b5 b6 d1)', () => {
    const data = 'a1@0 b1 c1 b4 b5 b6 d1';
    const build = (any: boolean, combinations: boolean, optional: boolean) => {
      const notC = Pattern.begin<Ev>('a').where(is('a')).notFollowedBy('not c').where(is('c'));
      let b = (any ? notC.followedByAny('b*') : notC.followedBy('b*')).where(is('b')).oneOrMore();
      if (optional) b = b.optional();
      if (combinations) b = b.allowCombinations();
      return b.followedBy('d').where(is('d'));
    };
    const relaxed = ['a1 b1 b4 b5 b6 d1', 'a1 b1 b4 b5 d1', 'a1 b1 b4 d1', 'a1 b1 d1'].sort();
    const combinations = [
      'a1 b1 b4 b5 b6 d1',
      'a1 b1 b4 b6 d1',
      'a1 b1 b4 b5 d1',
      'a1 b1 b4 d1',
      'a1 b1 b5 b6 d1',
      'a1 b1 b5 d1',
      'a1 b1 b6 d1',
      'a1 b1 d1',
    ].sort();

    it('followedByAny, relaxed loop (testNotFollowedByAnyBeforeOneOrMoreEager)', () => {
      expect(matchesOf(build(true, false, false), data)).toEqual(relaxed);
    });

    it('followedByAny, allowCombinations (testNotFollowedByAnyBeforeOneOrMoreCombinations)', () => {
      expect(matchesOf(build(true, true, false), data)).toEqual(combinations);
    });

    it('followedBy, relaxed loop (testNotFollowedByBeforeOneOrMoreEager)', () => {
      expect(matchesOf(build(false, false, false), data)).toEqual(relaxed);
    });

    it('followedBy, allowCombinations (testNotFollowedByBeforeOneOrMoreCombinations)', () => {
      expect(matchesOf(build(false, true, false), data)).toEqual(combinations);
    });

    it('b* followedBy, relaxed (testNotFollowedByBeforeZeroOrMoreEagerSkipTillNext)', () => {
      expect(matchesOf(build(false, false, true), data)).toEqual(relaxed);
    });

    it('b* followedBy, allowCombinations (testNotFollowedByBeforeZeroOrMoreCombinationsSkipTillNext)', () => {
      expect(matchesOf(build(false, true, true), data)).toEqual(combinations);
    });

    it('b* followedByAny, relaxed (testNotFollowedByBeforeZeroOrMoreEagerSkipTillAny)', () => {
      expect(matchesOf(build(true, false, true), data)).toEqual(relaxed);
    });

    it('b* followedByAny, allowCombinations (testNotFollowedByBeforeZeroOrMoreCombinationsSkipTillAny)', () => {
      expect(matchesOf(build(true, true, true), data)).toEqual(combinations);
    });
  });
});
