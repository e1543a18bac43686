import { describe, expect, it } from 'vitest';
import { DeltaEvictor } from '../../../../src/core/windows/evictors/delta-evictor.js';
import { GlobalWindow } from '../../../../src/core/windows/window.js';
import { evictorCtx, unstamped, values } from './evictor-helpers.js';

const w = GlobalWindow.get();
const distance = (a: number, b: number) => Math.abs(a - b);

describe('DeltaEvictor', () => {
  it('evicts the elements whose delta to the last element is >= threshold', () => {
    const evictor = DeltaEvictor.of<number>(5, distance);
    const elements = unstamped(1, 10, 12, 7, 20, 15);
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    // deltas to 15: 14, 5, 3, 8, 5, 0
    expect(values(elements)).toEqual([12, 15]);
  });

  it('passes (element, last element) to the delta function', () => {
    const calls: Array<[string, string]> = [];
    const evictor = DeltaEvictor.of<string>(1, (older, newer) => {
      calls.push([older, newer]);
      return 0;
    });
    const elements = unstamped('a', 'b', 'c');
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    expect(calls).toEqual([
      ['a', 'c'],
      ['b', 'c'],
      ['c', 'c'],
    ]);
  });

  it('evicts the last element too when its own delta reaches the threshold', () => {
    const elements = unstamped(1, 2);
    DeltaEvictor.of<number>(0, distance).evictBefore(elements, elements.length, w, evictorCtx);
    expect(elements).toEqual([]);
  });

  it('evicts after the window function with doEvictAfter, and copes with empty windows', () => {
    const evictor = DeltaEvictor.of<number>(2, distance, true);
    const elements = unstamped(0, 5);
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual([0, 5]);
    evictor.evictAfter(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual([5]);
    const empty = unstamped<number>();
    evictor.evictAfter(empty, 0, w, evictorCtx);
    expect(empty).toEqual([]);
  });

  it('validates its arguments and prints its settings', () => {
    expect(() => DeltaEvictor.of<number>(Number.NaN, distance)).toThrow(RangeError);
    expect(() => DeltaEvictor.of<number>(1, undefined as unknown as typeof distance)).toThrow(TypeError);
    expect(String(DeltaEvictor.of<number>(1.5, distance))).toBe('DeltaEvictor(1.5)');
  });
});
