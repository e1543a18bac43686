import { describe, expect, it } from 'vitest';
import {
  getPatternWindowTime,
  getPreviousAndCurrentWindowTimes,
  MalformedPatternError,
  Pattern,
  validatePattern,
  WithinType,
} from '../../../src/cep/index.js';
import { Duration } from '../../../src/core/index.js';
import type { Event } from './fixtures.js';

describe('within', () => {
  it('defaults to FIRST_AND_LAST and is read per type on the stage', () => {
    const p = Pattern.begin<Event>('a').within(Duration.ofSeconds(5));
    expect(p.getWindowSize()).toBe(5000);
    expect(p.getWindowTime()).toBe(5000);
    expect(p.getWindowSize(WithinType.FIRST_AND_LAST)).toBe(5000);
    expect(p.getWindowSize(WithinType.PREVIOUS_AND_CURRENT)).toBeUndefined();
    p.within(100, WithinType.PREVIOUS_AND_CURRENT);
    expect(p.getWindowSize(WithinType.PREVIOUS_AND_CURRENT)).toBe(100);
    expect(p.getWindowSize()).toBe(5000);
  });

  it('several FIRST_AND_LAST windows: the smallest applies to the pattern, inside groups too', () => {
    const p = Pattern.begin<Event>('a')
      .within(10_000)
      .followedBy('b')
      .within(20_000)
      .followedBy(Pattern.begin<Event>('c').within(7_000).next('d'))
      .followedBy('e');
    expect(getPatternWindowTime(p)).toBe(7_000);
    expect(getPatternWindowTime(Pattern.begin<Event>('a').next('b'))).toBeUndefined();
    const g = Pattern.begin<Event>('a').next(Pattern.begin<Event>('b')).within(3_000);
    expect(getPatternWindowTime(g)).toBe(3_000);
  });

  it('the same type twice on one stage keeps the smaller', () => {
    expect(Pattern.begin<Event>('a').within(5).within(9).getWindowSize()).toBe(5);
    expect(Pattern.begin<Event>('a').within(9).within(5).getWindowSize()).toBe(5);
  });

  it('PREVIOUS_AND_CURRENT windows are collected by stage name (Flink testWindowTimesCorrectlySet)', () => {
    const p = Pattern.begin<Event>('start')
      .followedBy('middle')
      .within(Duration.ofSeconds(10), WithinType.PREVIOUS_AND_CURRENT)
      .followedBy('then')
      .within(Duration.ofSeconds(20), WithinType.PREVIOUS_AND_CURRENT)
      .followedBy(Pattern.begin<Event>('x').within(5, WithinType.PREVIOUS_AND_CURRENT))
      .followedBy('end');
    expect(getPreviousAndCurrentWindowTimes(p)).toEqual(
      new Map([
        ['middle', 10_000],
        ['then', 20_000],
        ['x', 5],
      ]),
    );
    expect(getPatternWindowTime(p)).toBeUndefined();
    expect(() => validatePattern(p)).not.toThrow();
  });

  it('rejects non-positive, non-finite and unknown windows', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => Pattern.begin<Event>('a').within(bad)).toThrow(
        `The window time must be a positive number of milliseconds, got ${bad}. (stage "a")`,
      );
    }
    expect(() => Pattern.begin<Event>('a').within(5, 'SOMETIMES' as WithinType)).toThrow(
      'Unknown within type: SOMETIMES.',
    );
  });

  it('a PREVIOUS_AND_CURRENT window larger than the FIRST_AND_LAST one is malformed', () => {
    const p = Pattern.begin<Event>('a')
      .followedBy('b')
      .within(2_000, WithinType.PREVIOUS_AND_CURRENT)
      .within(1_000);
    expect(() => validatePattern(p)).toThrow(
      'The window length between the previous and current event (2000 ms) cannot be larger than the window ' +
        'length between the first and last event (1000 ms) for a Pattern. (stage "b")',
    );
    p.within(500, WithinType.PREVIOUS_AND_CURRENT);
    expect(() => validatePattern(p)).not.toThrow();
  });

  it('a group takes FIRST_AND_LAST but not PREVIOUS_AND_CURRENT', () => {
    const g = Pattern.begin<Event>('a').next(Pattern.begin<Event>('b'));
    expect(g.within(10).getWindowSize()).toBe(10);
    expect(() => g.within(10, WithinType.PREVIOUS_AND_CURRENT)).toThrow(MalformedPatternError);
    expect(() => g.within(10, WithinType.PREVIOUS_AND_CURRENT)).toThrow(
      'A PREVIOUS_AND_CURRENT window is not applicable to a group pattern',
    );
  });

  it('a trailing notFollowedBy needs a window: the pattern one or its own PREVIOUS_AND_CURRENT', () => {
    const msg = 'NotFollowedBy is not supported without windowTime as a last part of a Pattern! (stage "b")';
    expect(() => validatePattern(Pattern.begin<Event>('a').notFollowedBy('b'))).toThrow(msg);
    expect(() => validatePattern(Pattern.begin<Event>('a').within(10).notFollowedBy('b'))).not.toThrow();
    expect(() => validatePattern(Pattern.begin<Event>('a').notFollowedBy('b').within(10))).not.toThrow();
    expect(() =>
      validatePattern(
        Pattern.begin<Event>('a').notFollowedBy('b').within(10, WithinType.PREVIOUS_AND_CURRENT),
      ),
    ).not.toThrow();
    // a PREVIOUS_AND_CURRENT window on another stage does not bound the absence
    expect(() =>
      validatePattern(
        Pattern.begin<Event>('a')
          .within(10, WithinType.PREVIOUS_AND_CURRENT)
          .followedBy('c')
          .notFollowedBy('b'),
      ),
    ).toThrow(msg);
  });
});
