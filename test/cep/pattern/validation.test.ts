import { describe, expect, it } from 'vitest';
import {
  AfterMatchSkipStrategy,
  ConsumingStrategy,
  ENDING_STATE_NAME,
  MalformedPatternError,
  Pattern,
  validatePattern,
  WithinType,
} from '../../../src/cep/index.js';
import { type Event, Payment } from './fixtures.js';

/** Builds stages the builder methods refuse, to reach the checks only validatePattern makes. */
class RawPattern<T> extends Pattern<T, T> {
  static stage<T>(
    name: string,
    previous: Pattern<T, any> | null,
    strategy: ConsumingStrategy,
  ): Pattern<T, T> {
    return new RawPattern<T>(name, previous, strategy, AfterMatchSkipStrategy.noSkip());
  }
}

/** Expects `fn` to throw a MalformedPatternError with exactly `message`. */
function expectMalformed(fn: () => unknown, message: string): MalformedPatternError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MalformedPatternError);
  expect((error as Error).message).toBe(message);
  return error as MalformedPatternError;
}

const NOT_AFTER_OPTIONAL = (optional: string, stage: string) =>
  `A NOT pattern cannot follow the optional stage "${optional}": specifying a pattern with an optional path ` +
  'to NOT condition is not supported yet. You can simulate such pattern with two independent patterns, one ' +
  `with and the other without the optional part. (stage "${stage}")`;

describe('validation: stage names', () => {
  it('rejects empty, reserved and non-string names, at begin and when appending', () => {
    expectMalformed(() => Pattern.begin<Event>(''), 'A stage name must not be empty.');
    expectMalformed(() => Pattern.begin<Event>('  '), 'A stage name must not be empty.');
    expectMalformed(
      () => Pattern.begin<Event>(ENDING_STATE_NAME),
      "The stage name $endState$ is reserved for the NFA's final state.",
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').next('b:1'),
      'A stage name must not contain \':\' (reserved for internal state names), got "b:1".',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').followedBy(42 as any),
      'A group must be a Pattern built with Pattern.begin(...).',
    );
    expectMalformed(
      () => Pattern.begin<Event>(undefined as any),
      'A group must be a Pattern built with Pattern.begin(...).',
    );
  });

  it('rejects duplicate names, across groups too', () => {
    const msg = 'Duplicate pattern name: a. Names must be unique.';
    expectMalformed(() => Pattern.begin<Event>('a').next('b').followedBy('a'), msg);
    expectMalformed(() => Pattern.begin<Event>('a').notNext('a'), msg);
    expectMalformed(() => Pattern.begin<Event>('a').followedBy(Pattern.begin<Event>('x').next('a')), msg);
    expectMalformed(
      () => Pattern.begin<Event>('x').next(Pattern.begin<Event>('a')).followedBy(Pattern.begin<Event>('a')),
      msg,
    );
    expectMalformed(() => Pattern.begin(Pattern.begin<Event>('a')).next('a'), msg);
    // a stage used as its own group repeats its names
    const a = Pattern.begin<Event>('a');
    expectMalformed(() => a.next(a), msg);
    // validatePattern finds duplicates the builder could not see
    const raw = RawPattern.stage('a', Pattern.begin<Event>('a'), ConsumingStrategy.STRICT);
    expectMalformed(() => validatePattern(raw), msg);
    // the group pseudo-name does not collide
    expect(() =>
      validatePattern(Pattern.begin<Event>('GroupPattern').next(Pattern.begin<Event>('b'))),
    ).not.toThrow();
  });

  it('rejects a bad skip strategy argument', () => {
    expectMalformed(
      () => Pattern.begin<Event>('a', { kind: 'NO_SKIP' } as any),
      'The after-match skip strategy must be built with AfterMatchSkipStrategy (noSkip(), skipToNext(), …).',
    );
  });
});

describe('validation: negations', () => {
  it('quantifiers do not apply to notNext/notFollowedBy', () => {
    const msg = (s: string) => `Option not applicable to NOT pattern (stage "${s}")`;
    expectMalformed(() => Pattern.begin<Event>('a').notNext('b').times(2), msg('b'));
    expectMalformed(() => Pattern.begin<Event>('a').notNext('b').times(1, 2), msg('b'));
    expectMalformed(() => Pattern.begin<Event>('a').notFollowedBy('b').oneOrMore(), msg('b'));
    expectMalformed(() => Pattern.begin<Event>('a').notFollowedBy('b').timesOrMore(2), msg('b'));
    expectMalformed(() => Pattern.begin<Event>('a').notFollowedBy('b').greedy(), msg('b'));
    expectMalformed(
      () => Pattern.begin<Event>('a').notFollowedBy('b').optional(),
      'NOT pattern cannot be optional (stage "b")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').notNext('b').consecutive(),
      'Consecutive not applicable to Quantifier{properties=[SINGLE], consumingStrategy=NOT_NEXT, innerConsumingStrategy=SKIP_TILL_NEXT}! (stage "b")',
    );
  });

  it('a negation cannot directly follow an optional stage', () => {
    expectMalformed(() => Pattern.begin<Event>('a').optional().notNext('b'), NOT_AFTER_OPTIONAL('a', 'b'));
    expectMalformed(
      () => Pattern.begin<Event>('a').next('b').oneOrMore().optional().notFollowedBy('c'),
      NOT_AFTER_OPTIONAL('b', 'c'),
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').next('b').times(0, 2).notFollowedBy('c'),
      NOT_AFTER_OPTIONAL('b', 'c'),
    );
    // an optional group, or a group ending in an optional stage
    expectMalformed(
      () => Pattern.begin<Event>('a').next(Pattern.begin<Event>('x')).optional().notNext('c'),
      NOT_AFTER_OPTIONAL('GroupPattern(x)', 'c'),
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').next(Pattern.begin<Event>('x').next('y').optional()).notNext('c'),
      NOT_AFTER_OPTIONAL('GroupPattern(x -> y)', 'c'),
    );
    // made optional after the negation was appended: validatePattern catches it
    const a = Pattern.begin<Event>('a');
    const p = a.notNext('b');
    a.optional();
    expectMalformed(() => validatePattern(p), NOT_AFTER_OPTIONAL('a', 'b'));
    // optional stages elsewhere are fine
    expect(() =>
      validatePattern(Pattern.begin<Event>('a').notNext('b').followedBy('c').optional().followedBy('d')),
    ).not.toThrow();
  });

  it('a pattern (or group) cannot start with a negation', () => {
    expectMalformed(
      () => validatePattern(RawPattern.stage<Event>('n', null, ConsumingStrategy.NOT_FOLLOW).followedBy('b')),
      'NotFollowedBy is not supported as a first part of a Pattern! (stage "n")',
    );
    expectMalformed(
      () => validatePattern(RawPattern.stage<Event>('n', null, ConsumingStrategy.NOT_NEXT).followedBy('b')),
      'NotNext is not supported as a first part of a Pattern! (stage "n")',
    );
    const inner = RawPattern.stage<Event>('n', null, ConsumingStrategy.NOT_NEXT).next('x');
    expectMalformed(
      () => validatePattern(Pattern.begin<Event>('a').followedBy(inner)),
      'NotNext is not supported as a first part of a group pattern! (stage "n")',
    );
  });

  it('notFollowedBy at the end needs within; notNext at the end does not', () => {
    expectMalformed(
      () => validatePattern(Pattern.begin<Event>('a').followedBy('b').notFollowedBy('c')),
      'NotFollowedBy is not supported without windowTime as a last part of a Pattern! (stage "c")',
    );
    expect(() => validatePattern(Pattern.begin<Event>('a').notNext('b'))).not.toThrow();
    expect(() => validatePattern(Pattern.begin<Event>('a').notFollowedBy('b').followedBy('c'))).not.toThrow();
  });

  it('a group ending the pattern cannot end in notFollowedBy, even with within', () => {
    expectMalformed(
      () =>
        validatePattern(
          Pattern.begin<Event>('a').followedBy(Pattern.begin<Event>('x').notFollowedBy('y')).within(1000),
        ),
      'NotFollowedBy is not supported as the last part of a group pattern that ends a Pattern; put the ' +
        'notFollowedBy stage after the group. (stage "y")',
    );
    expect(() =>
      validatePattern(
        Pattern.begin<Event>('a').followedBy(Pattern.begin<Event>('x').notFollowedBy('y')).followedBy('z'),
      ),
    ).not.toThrow();
  });
});

describe('validation: quantifiers', () => {
  it('one quantifier per stage', () => {
    expectMalformed(
      () => Pattern.begin<Event>('a').oneOrMore().times(2),
      'Already applied quantifier to this Pattern. Current quantifier is: Quantifier{properties=[LOOPING], ' +
        'consumingStrategy=STRICT, innerConsumingStrategy=SKIP_TILL_NEXT} (stage "a")',
    );
    expect(() => Pattern.begin<Event>('a').times(2).oneOrMore()).toThrow('Already applied quantifier');
    expect(() => Pattern.begin<Event>('a').times(1, 2).timesOrMore(3)).toThrow('Already applied quantifier');
    expectMalformed(
      () => Pattern.begin<Event>('a').optional().optional(),
      'Optional already applied! (stage "a")',
    );
  });

  it('times bounds', () => {
    expectMalformed(
      () => Pattern.begin<Event>('a').times(0),
      'You should give a positive number greater than 0. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').times(1.5),
      'You should give a positive number greater than 0. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').times(-1, 2),
      'The from should be a non-negative integer, got -1. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').times(3, 2),
      'The to should be a number greater than or equal to from: 3, got 2. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').times(0, 0),
      'The to should be a positive integer, got 0. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').timesOrMore(-2),
      'timesOrMore expects a non-negative integer, got -2. (stage "a")',
    );
  });

  it('greedy only on looping or times stages, not on groups, not with allowCombinations', () => {
    expectMalformed(
      () => Pattern.begin<Event>('a').greedy(),
      'Option not applicable to singleton quantifier (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').next(Pattern.begin<Event>('x')).oneOrMore().greedy(),
      'Option not applicable to group pattern (stage "GroupPattern(x)")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').oneOrMore().allowCombinations().greedy(),
      'Option not applicable to a pattern with allowCombinations() (skip-till-any inside the loop) (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').oneOrMore().greedy().allowCombinations(),
      'Combinations not applicable to a greedy pattern! (stage "a")',
    );
  });

  it('an optional stage cannot follow a greedy one (FLINK-8914)', () => {
    const msg = 'Optional pattern cannot be preceded by greedy pattern (stage "b")';
    const greedy = () => Pattern.begin<Event>('a').oneOrMore().greedy();
    expectMalformed(() => greedy().next('b').optional(), msg);
    expectMalformed(() => greedy().next('b').times(0, 2), msg);
    expectMalformed(() => greedy().next('b').timesOrMore(0), msg);
    // made greedy after the optional stage was appended: validatePattern catches it
    const a = Pattern.begin<Event>('a').oneOrMore();
    const p = a.next('b').optional();
    a.greedy();
    expectMalformed(() => validatePattern(p), msg);
    expect(() => validatePattern(greedy().next('b'))).not.toThrow();
  });

  it('consecutive and allowCombinations only on looping or times stages, not together', () => {
    expectMalformed(
      () => Pattern.begin<Event>('a').consecutive(),
      'Consecutive not applicable to Quantifier{properties=[SINGLE], consumingStrategy=STRICT, innerConsumingStrategy=SKIP_TILL_NEXT}! (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').optional().allowCombinations(),
      'Combinations not applicable to Quantifier{properties=[SINGLE, OPTIONAL], consumingStrategy=STRICT, innerConsumingStrategy=SKIP_TILL_NEXT}! (stage "a")',
    );
    const both = 'You can apply either combinations or consecutive, not both! (stage "a")';
    expectMalformed(() => Pattern.begin<Event>('a').oneOrMore().consecutive().allowCombinations(), both);
    expectMalformed(() => Pattern.begin<Event>('a').times(2).allowCombinations().consecutive(), both);
    expectMalformed(
      () => Pattern.begin<Event>('a').oneOrMore().consecutive().consecutive(),
      'Consecutive already applied! (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').oneOrMore().allowCombinations().allowCombinations(),
      'Combinations already applied! (stage "a")',
    );
  });

  it('until only on looping stages, only once', () => {
    const stop = () => true;
    expectMalformed(
      () => Pattern.begin<Event>('a').until(stop),
      'The until condition is only applicable to looping states. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').times(2, 3).until(stop),
      'The until condition is only applicable to looping states. (stage "a")',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').oneOrMore().until(stop).until(stop),
      'Only one until condition can be applied. (stage "a")',
    );
    expect(() => Pattern.begin<Event>('a').timesOrMore(2).until(stop)).not.toThrow();
  });
});

describe('validation: conditions', () => {
  it('conditions must be functions or objects with filter', () => {
    const msg =
      'The condition must be a function (event, ctx) => boolean or an object with filter(), got null.';
    expectMalformed(() => Pattern.begin<Event>('a').where(null as any), msg);
    expectMalformed(() => Pattern.begin<Event>('a').or(null as any), msg);
    expectMalformed(
      () =>
        Pattern.begin<Event>('a')
          .oneOrMore()
          .until(null as any),
      msg,
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').where({} as any),
      'The condition must be a function (event, ctx) => boolean or an object with filter(), got object.',
    );
    expectMalformed(
      () => Pattern.begin<Event>('a').subtype(42 as any),
      'The subtype must be a class, a type guard or a SubtypeCondition. (stage "a")',
    );
  });

  it('a group takes no condition', () => {
    const g = () => Pattern.begin<Event>('a').next(Pattern.begin<Event>('x'));
    for (const [clause, call] of [
      ['where', () => g().where(() => true)],
      ['or', () => g().or(() => true)],
      ['subtype', () => g().subtype(Payment)],
      [
        'until',
        () =>
          g()
            .oneOrMore()
            .until(() => true),
      ],
    ] as const) {
      expectMalformed(
        call,
        `Cannot add a condition to a group pattern: GroupPattern does not support ${clause} clause. ` +
          'Put it on a stage inside the group. (stage "GroupPattern(x)")',
      );
    }
  });
});

describe('validation: whole pattern', () => {
  it('rejects patterns that can match no event', () => {
    const msg =
      'The pattern can produce empty matches: every stage is optional. There must be at least one non-optional stage.';
    expectMalformed(() => validatePattern(Pattern.begin<Event>('a').optional()), msg);
    expectMalformed(() => validatePattern(Pattern.begin<Event>('a').times(0, 3).next('b').optional()), msg);
    expectMalformed(
      () => validatePattern(Pattern.begin(Pattern.begin<Event>('a').optional()).next('b').timesOrMore(0)),
      msg,
    );
    expect(() => validatePattern(Pattern.begin<Event>('a').optional().next('b'))).not.toThrow();
  });

  it('skipToFirst/skipToLast must name a stage that takes events', () => {
    expectMalformed(
      () => validatePattern(Pattern.begin<Event>('a', AfterMatchSkipStrategy.skipToFirst('zz')).next('b')),
      'The pattern name specified in AfterMatchSkipStrategy zz does not exist in the given pattern (stages: a, b).',
    );
    expectMalformed(
      () =>
        validatePattern(
          Pattern.begin<Event>('a', AfterMatchSkipStrategy.skipToLast('n').throwExceptionOnMiss())
            .notNext('n')
            .next('b'),
        ),
      'The pattern name specified in AfterMatchSkipStrategy n is a NOT stage, which never holds events.',
    );
    // a stage inside a group is a stage of the pattern (Flink only looks at the top level)
    expect(() =>
      validatePattern(
        Pattern.begin<Event>('a', AfterMatchSkipStrategy.skipToFirst('y'))
          .next(Pattern.begin<Event>('x').next('y'))
          .next('b'),
      ),
    ).not.toThrow();
  });

  it("a group's inner pattern keeps the default skip strategy (it would be ignored)", () => {
    expectMalformed(
      () =>
        validatePattern(
          Pattern.begin<Event>('a').next(
            Pattern.begin<Event>('x', AfterMatchSkipStrategy.skipPastLastEvent()),
          ),
        ),
      "The after-match skip strategy of a group's inner pattern is ignored (got SKIP_PAST_LAST_EVENT); " +
        'pass it to the outer Pattern.begin(). (stage "GroupPattern(x)")',
    );
  });

  it('checks the stages inside groups like top-level ones', () => {
    const x = Pattern.begin<Event>('x').oneOrMore();
    const inner = x.next('y').optional();
    const p = Pattern.begin<Event>('a').next(inner).next('b');
    x.greedy();
    expectMalformed(
      () => validatePattern(p),
      'Optional pattern cannot be preceded by greedy pattern (stage "y")',
    );
  });

  it('validatePattern wants a Pattern', () => {
    expectMalformed(() => validatePattern({} as any), 'validatePattern expects a Pattern (its last stage).');
  });

  it('accepts a pattern using every feature', () => {
    const p = Pattern.begin<Event>(
      'start',
      AfterMatchSkipStrategy.skipToLast('middle').throwExceptionOnMiss(),
    )
      .where((e) => e.type === 'login')
      .next('middle')
      .subtype(Payment)
      .where((pay) => pay.amount > 10)
      .timesOrMore(2)
      .consecutive()
      .greedy()
      .until((e) => e.type === 'logout')
      .followedByAny(Pattern.begin<Event>('g1').followedBy('g2').times(1, 2).allowCombinations())
      .times(2)
      .notNext('never')
      .followedBy('end')
      .oneOrMore()
      .optional()
      .within(1000, WithinType.PREVIOUS_AND_CURRENT)
      .followedBy('last')
      .within(60_000)
      .notFollowedBy('absent')
      .within(10_000);
    expect(() => validatePattern(p)).not.toThrow();
  });

  it('errors name the stage', () => {
    const e = expectMalformed(
      () => Pattern.begin<Event>('a').times(0),
      'You should give a positive number greater than 0. (stage "a")',
    );
    expect(e.stage).toBe('a');
    expect(e.reason).toBe('You should give a positive number greater than 0.');
    expect(e.name).toBe('MalformedPatternError');
    expect(e).toBeInstanceOf(Error);
  });
});
