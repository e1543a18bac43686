import { describe, expect, it } from 'vitest';
import { CountEvictor } from '../../../../src/core/windows/evictors/count-evictor.js';
import { GlobalWindow } from '../../../../src/core/windows/window.js';
import { evictorCtx, unstamped, values } from './evictor-helpers.js';

const w = GlobalWindow.get();

describe('CountEvictor', () => {
  it('keeps the last maxCount elements, before the window function by default', () => {
    const evictor = CountEvictor.of<string>(3);
    const elements = unstamped('a', 'b', 'c', 'd', 'e');
    evictor.evictAfter(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual(['a', 'b', 'c', 'd', 'e']);
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual(['c', 'd', 'e']);
  });

  it('evicts after the window function with doEvictAfter', () => {
    const evictor = CountEvictor.of<string>(2, true);
    const elements = unstamped('a', 'b', 'c');
    evictor.evictBefore(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual(['a', 'b', 'c']);
    evictor.evictAfter(elements, elements.length, w, evictorCtx);
    expect(values(elements)).toEqual(['b', 'c']);
  });

  it('keeps everything when there are at most maxCount elements', () => {
    const evictor = CountEvictor.of<string>(3);
    for (const elements of [unstamped<string>(), unstamped('a'), unstamped('a', 'b', 'c')]) {
      const before = values(elements);
      evictor.evictBefore(elements, elements.length, w, evictorCtx);
      expect(values(elements)).toEqual(before);
    }
  });

  it('evicts everything with maxCount 0', () => {
    const elements = unstamped(1, 2, 3);
    CountEvictor.of<number>(0).evictBefore(elements, elements.length, w, evictorCtx);
    expect(elements).toEqual([]);
  });

  it('validates maxCount and prints its settings', () => {
    expect(() => CountEvictor.of(-1)).toThrow(RangeError);
    expect(() => CountEvictor.of(1.5)).toThrow(RangeError);
    expect(CountEvictor.of(4).maxCount).toBe(4);
    expect(CountEvictor.of(4).doEvictAfter).toBe(false);
    expect(String(CountEvictor.of(4))).toBe('CountEvictor(4)');
    expect(String(CountEvictor.of(4, true))).toBe('CountEvictor(4, after)');
  });
});
