import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import { SlidingEventTimeWindows } from '../../../../src/core/windows/assigners/sliding-event-time-windows.js';
import { SlidingProcessingTimeWindows } from '../../../../src/core/windows/assigners/sliding-processing-time-windows.js';
import { EventTimeTrigger } from '../../../../src/core/windows/triggers/event-time-trigger.js';
import { ProcessingTimeTrigger } from '../../../../src/core/windows/triggers/processing-time-trigger.js';
import type { TimeWindow } from '../../../../src/core/windows/window.js';
import type { WindowAssignerContext } from '../../../../src/core/windows/window-assigner.js';

const clock = (now: number): WindowAssignerContext => ({ getCurrentProcessingTime: () => now });
const noClock = clock(Number.NaN);
const bounds = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]);

describe('SlidingEventTimeWindows', () => {
  it('assigns size/slide windows, latest start first', () => {
    const a = SlidingEventTimeWindows.of(10, 5);
    expect(bounds(a.assignWindows('x', 7, noClock))).toEqual([
      [5, 15],
      [0, 10],
    ]);
    expect(bounds(a.assignWindows('x', 5, noClock))).toEqual([
      [5, 15],
      [0, 10],
    ]);
    expect(bounds(a.assignWindows('x', 4, noClock))).toEqual([
      [0, 10],
      [-5, 5],
    ]);
    expect(bounds(SlidingEventTimeWindows.of(6, 2).assignWindows('x', 0, noClock))).toEqual([
      [0, 6],
      [-2, 4],
      [-4, 2],
    ]);
  });

  it('handles negative timestamps', () => {
    const a = SlidingEventTimeWindows.of(10, 5);
    expect(bounds(a.assignWindows('x', -1, noClock))).toEqual([
      [-5, 5],
      [-10, 0],
    ]);
    expect(bounds(a.assignWindows('x', -10, noClock))).toEqual([
      [-10, 0],
      [-15, -5],
    ]);
  });

  it('shifts windows by an offset', () => {
    const a = SlidingEventTimeWindows.of(10, 5, 2);
    expect(bounds(a.assignWindows('x', 7, noClock))).toEqual([
      [7, 17],
      [2, 12],
    ]);
    expect(bounds(a.assignWindows('x', 1, noClock))).toEqual([
      [-3, 7],
      [-8, 2],
    ]);
    const b = SlidingEventTimeWindows.of(10, 5, -2);
    expect(bounds(b.assignWindows('x', 0, noClock))).toEqual([
      [-2, 8],
      [-7, 3],
    ]);
  });

  it('handles a size that is not a multiple of the slide (floor or ceil of size/slide windows)', () => {
    const a = SlidingEventTimeWindows.of(10, 3);
    expect(bounds(a.assignWindows('x', 0, noClock))).toEqual([
      [0, 10],
      [-3, 7],
      [-6, 4],
      [-9, 1],
    ]);
    expect(bounds(a.assignWindows('x', 2, noClock))).toEqual([
      [0, 10],
      [-3, 7],
      [-6, 4],
    ]);
  });

  it('handles a slide larger than the size (gaps between windows)', () => {
    const a = SlidingEventTimeWindows.of(5, 10);
    expect(bounds(a.assignWindows('x', 3, noClock))).toEqual([[0, 5]]);
    expect(a.assignWindows('x', 7, noClock)).toEqual([]);
  });

  it('property: size/slide windows when slide divides size, all containing ts, descending starts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: -49, max: 49 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (slide, n, rawOffset, ts) => {
          const size = slide * n;
          const offset = rawOffset % slide;
          const ws = SlidingEventTimeWindows.of(size, slide, offset).assignWindows(null, ts, noClock);
          expect(ws).toHaveLength(n);
          ws.forEach((w, i) => {
            expect(w.end - w.start).toBe(size);
            expect(w.start <= ts && ts < w.end).toBe(true);
            expect((((w.start - offset) % slide) + slide) % slide).toBe(0);
            if (i > 0) expect(ws[i - 1]!.start - w.start).toBe(slide);
          });
        },
      ),
    );
  });

  it('throws the Flink error for elements without timestamp', () => {
    expect(() => SlidingEventTimeWindows.of(10, 5).assignWindows('x', NO_TIMESTAMP, noClock)).toThrow(
      /Record has no timestamp/,
    );
  });

  it('validates its arguments', () => {
    expect(() => SlidingEventTimeWindows.of(0, 5)).toThrow(RangeError);
    expect(() => SlidingEventTimeWindows.of(10, 0)).toThrow(/slide > 0/);
    expect(() => SlidingEventTimeWindows.of(10, -5)).toThrow(/slide > 0/);
    expect(() => SlidingEventTimeWindows.of(10, 5, 5)).toThrow(/abs\(offset\) < slide/);
    expect(() => SlidingEventTimeWindows.of(10, 5, -5)).toThrow(/abs\(offset\) < slide/);
    expect(() => SlidingEventTimeWindows.of(10, 2.5)).toThrow(/integer/);
    expect(() => SlidingEventTimeWindows.of(10, 5, 4)).not.toThrow();
  });

  it('is an event-time assigner with the event-time trigger', () => {
    const a = SlidingEventTimeWindows.of(10, 5);
    expect(a.isEventTime()).toBe(true);
    expect(a.isMerging()).toBe(false);
    expect(a.getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(String(a)).toBe('SlidingEventTimeWindows(10, 5)');
    const [w] = a.assignWindows('x', -3, noClock);
    expect(a.windowFromNamespace(w!.namespace()).equals(w)).toBe(true);
  });
});

describe('SlidingProcessingTimeWindows', () => {
  it('assigns by the current processing time, latest start first', () => {
    const a = SlidingProcessingTimeWindows.of(1000, 500);
    expect(bounds(a.assignWindows('x', NO_TIMESTAMP, clock(1200)))).toEqual([
      [1000, 2000],
      [500, 1500],
    ]);
    expect(bounds(SlidingProcessingTimeWindows.of(1000, 500, 100).assignWindows('x', 0, clock(50)))).toEqual([
      [-400, 600],
      [-900, 100],
    ]);
  });

  it('validates its arguments', () => {
    expect(() => SlidingProcessingTimeWindows.of(-1, 5)).toThrow(RangeError);
    expect(() => SlidingProcessingTimeWindows.of(10, 5, 6)).toThrow(/abs\(offset\) < slide/);
  });

  it('is a processing-time assigner with the processing-time trigger', () => {
    const a = SlidingProcessingTimeWindows.of(10, 5);
    expect(a.isEventTime()).toBe(false);
    expect(a.getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
    expect(String(a)).toBe('SlidingProcessingTimeWindows(10, 5)');
  });
});
