import { describe, expect, it } from 'vitest';
import {
  AfterMatchSkipStrategy,
  MalformedPatternError,
  NoSkipStrategy,
  Pattern,
  SkipPastLastStrategy,
  SkipStrategyKind,
  SkipToFirstStrategy,
  SkipToLastStrategy,
  SkipToNextStrategy,
} from '../../../src/cep/index.js';
import type { Event } from './fixtures.js';

describe('AfterMatchSkipStrategy', () => {
  it('the unnamed strategies are shared immutable data', () => {
    const cases = [
      [AfterMatchSkipStrategy.noSkip(), NoSkipStrategy, SkipStrategyKind.NO_SKIP],
      [AfterMatchSkipStrategy.skipToNext(), SkipToNextStrategy, SkipStrategyKind.SKIP_TO_NEXT],
      [
        AfterMatchSkipStrategy.skipPastLastEvent(),
        SkipPastLastStrategy,
        SkipStrategyKind.SKIP_PAST_LAST_EVENT,
      ],
    ] as const;
    for (const [s, cls, kind] of cases) {
      expect(s).toBeInstanceOf(cls);
      expect(s).toBeInstanceOf(AfterMatchSkipStrategy);
      expect({ kind: s.kind, patternName: s.patternName, throwOnMiss: s.throwOnMiss }).toEqual({
        kind,
        patternName: undefined,
        throwOnMiss: false,
      });
      expect(Object.isFrozen(s)).toBe(true);
      expect(String(s)).toBe(kind);
    }
    expect(AfterMatchSkipStrategy.noSkip()).toBe(AfterMatchSkipStrategy.noSkip());
    expect(AfterMatchSkipStrategy.noSkip().isSkipStrategy()).toBe(false);
    expect(AfterMatchSkipStrategy.skipToNext().isSkipStrategy()).toBe(true);
  });

  it('skipToFirst/skipToLast name a stage and fall back to no skip unless throwExceptionOnMiss', () => {
    const first = AfterMatchSkipStrategy.skipToFirst('b');
    expect(first).toBeInstanceOf(SkipToFirstStrategy);
    expect([first.kind, first.patternName, first.getPatternName(), first.throwOnMiss]).toEqual([
      SkipStrategyKind.SKIP_TO_FIRST,
      'b',
      'b',
      false,
    ]);
    const strict = first.throwExceptionOnMiss();
    expect(strict).toBeInstanceOf(SkipToFirstStrategy);
    expect(strict.throwOnMiss).toBe(true);
    expect(first.throwOnMiss).toBe(false); // immutable: a new object
    expect(Object.isFrozen(strict)).toBe(true);

    const last = AfterMatchSkipStrategy.skipToLast('c').throwExceptionOnMiss();
    expect(last).toBeInstanceOf(SkipToLastStrategy);
    expect([last.kind, last.patternName, last.throwOnMiss]).toEqual([
      SkipStrategyKind.SKIP_TO_LAST,
      'c',
      true,
    ]);
    expect(String(last)).toBe('SKIP_TO_LAST(c, throwOnMiss)');
    expect(String(AfterMatchSkipStrategy.skipToFirst('b'))).toBe('SKIP_TO_FIRST(b)');
  });

  it('a named strategy needs a name', () => {
    expect(() => AfterMatchSkipStrategy.skipToFirst('')).toThrow(MalformedPatternError);
    expect(() => AfterMatchSkipStrategy.skipToLast(undefined as any)).toThrow(
      'The pattern name of a skip-to strategy must be a non-empty string.',
    );
  });

  it('round-trips through JSON as plain data', () => {
    const all = [
      AfterMatchSkipStrategy.noSkip(),
      AfterMatchSkipStrategy.skipToNext(),
      AfterMatchSkipStrategy.skipPastLastEvent(),
      AfterMatchSkipStrategy.skipToFirst('a'),
      AfterMatchSkipStrategy.skipToFirst('a').throwExceptionOnMiss(),
      AfterMatchSkipStrategy.skipToLast('b'),
      AfterMatchSkipStrategy.skipToLast('b').throwExceptionOnMiss(),
    ];
    for (const s of all) {
      const back = AfterMatchSkipStrategy.fromData(JSON.parse(JSON.stringify(s)));
      expect(back.equals(s)).toBe(true);
      expect(back.constructor).toBe(s.constructor);
    }
    expect(JSON.parse(JSON.stringify(AfterMatchSkipStrategy.noSkip()))).toEqual({ kind: 'NO_SKIP' });
    expect(JSON.parse(JSON.stringify(AfterMatchSkipStrategy.skipToLast('b')))).toEqual({
      kind: 'SKIP_TO_LAST',
      patternName: 'b',
      throwOnMiss: false,
    });
    expect(AfterMatchSkipStrategy.skipToFirst('a').equals(AfterMatchSkipStrategy.skipToLast('a'))).toBe(
      false,
    );
    expect(() => AfterMatchSkipStrategy.fromData({ kind: 'SKIP_SOMEWHERE' as SkipStrategyKind })).toThrow(
      'Unknown after-match skip strategy: SKIP_SOMEWHERE',
    );
  });

  it('is set on begin and read from any stage', () => {
    const s = AfterMatchSkipStrategy.skipToFirst('b');
    expect(Pattern.begin<Event>('a', s).next('b').getAfterMatchSkipStrategy()).toBe(s);
  });
});
