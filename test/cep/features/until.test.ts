import { describe, expect, it } from 'vitest';
import { type ConditionContext, Pattern } from '../../../src/cep/index.js';
import { type Ev, is, run, sorted } from './support.js';

// Scenarios of Flink's UntilConditionITCase: until(condition) on loops, with each inner contiguity,
// optional loops, a loop at the end, a loop without where, and iterative until conditions. The
// "breaking" event (value 5) ends the loop and, where the pattern says so, is the end stage.
// Like Flink's tests, each also checks that afterwards only the start state is left.

const c = () => Pattern.begin<Ev>('start').where(is('c'));
const five = (e: Ev) => e.v === 5;
/** c, a1 (2), a2 (3), breaking a4 (5), ignored a5 (6). */
const twoThenBreak = 'c1:1 a1:2@3 a2:3@4 a4:5@6 a5:6@7';
/** c, a1 (2), a2 (3), a3 (4), breaking a4 (5), ignored a5 (6). */
const threeThenBreak = 'c1:1 a1:2@3 a2:3@4 a3:4@5 a4:5@6 a5:6@7';

/** Runs and checks that only the start state is left (Flink asserts the same after each test). */
function matchesLeavingOnlyStart(p: Pattern<Ev, any>, input: string): string[] {
  const r = run(p, input);
  expect(r.state.partialMatches).toHaveLength(1);
  expect(r.nfa.isStateEmpty(r.state)).toBe(true);
  return sorted(r.matches);
}

describe('until (Flink UntilConditionITCase)', () => {
  describe('loop followed by the breaking event', () => {
    it('a+ relaxed (testUntilConditionFollowedByOneOrMore)', () => {
      const p = c().followedBy('middle').where(is('a')).oneOrMore().until(five).followedBy('end').where(five);
      expect(matchesLeavingOnlyStart(p, twoThenBreak)).toEqual(sorted(['c1 a1 a2 a4', 'c1 a1 a4']));
    });

    it('a+ allowCombinations (testUntilConditionFollowedByOneOrMoreCombinations)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .allowCombinations()
        .until(five)
        .followedBy('end')
        .where(five);
      expect(matchesLeavingOnlyStart(p, threeThenBreak)).toEqual(
        sorted(['c1 a1 a2 a3 a4', 'c1 a1 a2 a4', 'c1 a1 a3 a4', 'c1 a1 a4']),
      );
    });

    it('a+ consecutive (testUntilConditionFollowedByOneOrMoreConsecutive)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .consecutive()
        .until(five)
        .followedBy('end')
        .where(five);
      expect(matchesLeavingOnlyStart(p, 'c1:1 a1:2@3 a2:3@4 a4:5@7 a5:6@8')).toEqual(
        sorted(['c1 a1 a2 a4', 'c1 a1 a4']),
      );
    });

    it('a+ consecutive, broken by a b (testUntilConditionFollowedByOneOrMoreConsecutive2)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .consecutive()
        .until(five)
        .followedBy('end')
        .where(five);
      expect(matchesLeavingOnlyStart(p, 'c1:1 a1:2@3 b1:3@4 a3:4@5 a4:5@7 a5:6@8')).toEqual(['c1 a1 a4']);
    });

    it('a* relaxed (testUntilConditionFollowedByZeroOrMore)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .until(five)
        .followedBy('end')
        .where(five);
      expect(matchesLeavingOnlyStart(p, twoThenBreak)).toEqual(sorted(['c1 a1 a2 a4', 'c1 a1 a4', 'c1 a4']));
    });

    it('a* allowCombinations (testUntilConditionFollowedByZeroOrMoreCombinations)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .allowCombinations()
        .until(five)
        .followedBy('end')
        .where(five);
      expect(matchesLeavingOnlyStart(p, threeThenBreak)).toEqual(
        sorted(['c1 a1 a2 a3 a4', 'c1 a1 a2 a4', 'c1 a1 a3 a4', 'c1 a1 a4', 'c1 a4']),
      );
    });

    it('a* consecutive (testUntilConditionFollowedByZeroOrMoreConsecutive)', () => {
      const p = c()
        .followedBy('middle')
        .where(is('a'))
        .oneOrMore()
        .optional()
        .consecutive()
        .until(five)
        .followedBy('end')
        .where(five);
      expect(matchesLeavingOnlyStart(p, 'c1:1 a1:2@3 a2:3@4 a4:5@7 a5:6@8')).toEqual(
        sorted(['c1 a1 a2 a4', 'c1 a1 a4', 'c1 a4']),
      );
    });
  });

  describe('loop at the end, entered with followedByAny: the loop may restart after the breaking event', () => {
    it('a+ (testUntilConditionFollowedByAnyOneOrMore)', () => {
      const p = c().followedByAny('middle').where(is('a')).oneOrMore().until(five);
      expect(sorted(run(p, twoThenBreak).matches)).toEqual(sorted(['c1 a1 a2', 'c1 a1', 'c1 a2', 'c1 a5']));
    });

    it('a* (testUntilConditionFollowedByAnyZeroOrMore)', () => {
      const p = c().followedByAny('middle').where(is('a')).oneOrMore().optional().until(five);
      expect(sorted(run(p, twoThenBreak).matches)).toEqual(
        sorted(['c1 a1 a2', 'c1 a1', 'c1 a2', 'c1 a5', 'c1']),
      );
    });
  });

  it('a loop without where takes anything until the breaking event (testUntilConditionWithEmptyWhere)', () => {
    const p = c().followedBy('middle').oneOrMore().until(five);
    expect(matchesLeavingOnlyStart(p, 'c1:1 a1:2@3 a2:3@4 d1:1@5 a4:5@6 a5:6@7')).toEqual(
      sorted(['c1 a1 a2 d1', 'c1 a1 a2', 'c1 a1']),
    );
  });

  describe('iterative until: stop once the loop values sum to 6', () => {
    const sumIsSix = (_e: Ev, ctx: ConditionContext<Ev>) => {
      let sum = 0;
      for (const m of ctx.getEventsForPattern('middle')) sum += m.v;
      return sum === 6;
    };

    it('one or more (testIterativeUntilConditionOneOrMore)', () => {
      const p = c().followedBy('middle').oneOrMore().until(sumIsSix);
      expect(matchesLeavingOnlyStart(p, 'c1:1 a1:2@3 a2:3@4 d1:1@5 a4:5@6 a5:6@7')).toEqual(
        sorted(['c1 a1 a2 d1', 'c1 a1 a2', 'c1 a1']),
      );
    });

    it('zero or more (testIterativeUntilConditionZeroOrMore)', () => {
      const p = c().followedBy('middle').oneOrMore().optional().until(sumIsSix);
      expect(matchesLeavingOnlyStart(p, 'c1:1 a1:2@3 a2:3@4 d1:1@5 a4:5@6 a5:6@7')).toEqual(
        sorted(['c1 a1 a2 d1', 'c1 a1 a2', 'c1 a1', 'c1']),
      );
    });
  });
});
