import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import { TimeEvictor } from '../../../../src/core/windows/evictors/time-evictor.js';
import { TimeWindow } from '../../../../src/core/windows/window.js';
import { evictorCtx, stamped, unstamped, values } from './evictor-helpers.js';

const w = new TimeWindow(0, 1000);

describe('TimeEvictor', () => {
  it('keeps the elements with timestamp > newest - windowSize, in order, whatever the arrival order', () => {
    const evictor = TimeEvictor.of<number>(10);
    const elements = stamped(5, 25, 14, 15, 16, 30, 20);
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    // newest 30, cutoff 20: 20 itself goes.
    expect(elements.map((e) => e.timestamp)).toEqual([25, 30]);
    expect(values(elements)).toEqual([1, 5]);
  });

  it('with windowSize 1 keeps only the newest elements, with 0 none (the cutoff is exclusive)', () => {
    const elements = stamped(1, 7, 3, 7);
    TimeEvictor.of<number>(1).evictBefore(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual([1, 3]);
    TimeEvictor.of<number>(0).evictBefore(elements, elements.length, w, evictorCtx);
    expect(elements).toEqual([]);
  });

  it('evicts after the window function with doEvictAfter', () => {
    const evictor = TimeEvictor.of<number>(5, true);
    const elements = stamped(0, 10);
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    expect(elements).toHaveLength(2);
    evictor.evictAfter(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual([1]);
  });

  it('does nothing when the elements have no timestamps (checked on the first, as Flink)', () => {
    const evictor = TimeEvictor.of<string>(1);
    const elements = unstamped('a', 'b');
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual(['a', 'b']);
    const empty = unstamped<string>();
    evictor.evictBefore(empty, 0, w, evictorCtx);
    expect(empty).toEqual([]);
  });

  it('evicts an element without timestamp that follows timestamped ones', () => {
    const elements = [...stamped(5, 6), { value: 99, timestamp: NO_TIMESTAMP }];
    TimeEvictor.of<number>(100).evictBefore(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual([0, 1]);
  });

  it('handles negative timestamps', () => {
    const elements = stamped(-30, -25, -21, -20);
    TimeEvictor.of<number>(5).evictBefore(elements, elements.length, w, evictorCtx);
    expect(elements.map((e) => e.timestamp)).toEqual([-21, -20]);
  });

  it('property: keeps exactly the elements within windowSize of the newest, in their order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 500 }),
        (timestamps, size) => {
          const elements = stamped(...timestamps);
          TimeEvictor.of<number>(size).evictBefore(elements, elements.length, w, evictorCtx);
          const newest = Math.max(...timestamps);
          const expected = timestamps.flatMap((ts, i) => (ts > newest - size ? [i] : []));
          expect(values(elements)).toEqual(expected);
        },
      ),
    );
  });

  it('validates windowSize and prints its settings', () => {
    expect(() => TimeEvictor.of(-1)).toThrow(RangeError);
    expect(() => TimeEvictor.of(Number.NaN)).toThrow(RangeError);
    expect(TimeEvictor.of(10).windowSize).toBe(10);
    expect(String(TimeEvictor.of(10, true))).toBe('TimeEvictor(10, after)');
  });
});
