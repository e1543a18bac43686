import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import { EventTimeSessionWindows } from '../../../../src/core/windows/assigners/event-time-session-windows.js';
import { mergeTimeWindows } from '../../../../src/core/windows/assigners/merge-time-windows.js';
import { ProcessingTimeSessionWindows } from '../../../../src/core/windows/assigners/processing-time-session-windows.js';
import { EventTimeTrigger } from '../../../../src/core/windows/triggers/event-time-trigger.js';
import { ProcessingTimeTrigger } from '../../../../src/core/windows/triggers/processing-time-trigger.js';
import { TimeWindow } from '../../../../src/core/windows/window.js';
import type { WindowAssignerContext } from '../../../../src/core/windows/window-assigner.js';

const clock = (now: number): WindowAssignerContext => ({ getCurrentProcessingTime: () => now });
const noClock = clock(Number.NaN);
const tw = (start: number, end: number) => new TimeWindow(start, end);
const bounds = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]);

/** Every merge callback, as bounds. */
function merges(windows: TimeWindow[]): Array<[number[][], number[]]> {
  const out: Array<[number[][], number[]]> = [];
  mergeTimeWindows(windows, (toBeMerged, result) =>
    out.push([bounds(toBeMerged), [result.start, result.end]]),
  );
  return out;
}

/** Applies the merge callbacks to the set of windows, as the merging window set does. */
function afterMerging(windows: TimeWindow[]): number[][] {
  let current = [...windows];
  mergeTimeWindows(windows, (toBeMerged, result) => {
    current = current.filter((w) => !toBeMerged.includes(w));
    current.push(result);
  });
  return bounds(current).sort((a, b) => a[0]! - b[0]!);
}

/** Union of the intervals [ts, ts + gap), computed the simple way (touching intervals join). */
function intervalUnion(intervals: ReadonlyArray<readonly [number, number]>): number[][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: number[][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]!) last[1] = Math.max(last[1]!, e);
    else out.push([s, e]);
  }
  return out;
}

describe('EventTimeSessionWindows', () => {
  it('assigns [ts, ts + gap)', () => {
    const a = EventTimeSessionWindows.withGap(10);
    expect(bounds(a.assignWindows('x', 5, noClock))).toEqual([[5, 15]]);
    expect(bounds(a.assignWindows('x', -5, noClock))).toEqual([[-5, 5]]);
  });

  it('takes the gap from each element with withDynamicGap', () => {
    const a = EventTimeSessionWindows.withDynamicGap<{ gap: number }>((e) => e.gap);
    expect(bounds(a.assignWindows({ gap: 3 }, 100, noClock))).toEqual([[100, 103]]);
    expect(bounds(a.assignWindows({ gap: 50 }, 100, noClock))).toEqual([[100, 150]]);
    expect(a.isDynamic()).toBe(true);
    expect(a.gap).toBeUndefined();
    expect(String(a)).toBe('DynamicEventTimeSessionWindows()');
  });

  it('rejects a dynamic gap <= 0 (or NaN) per element', () => {
    const a = EventTimeSessionWindows.withDynamicGap<number>((g) => g);
    expect(() => a.assignWindows(0, 1, noClock)).toThrow(/Dynamic gap can not be less than or equal to 0/);
    expect(() => a.assignWindows(-1, 1, noClock)).toThrow(RangeError);
    expect(() => a.assignWindows(Number.NaN, 1, noClock)).toThrow(RangeError);
  });

  it('throws the Flink error for elements without timestamp', () => {
    expect(() => EventTimeSessionWindows.withGap(10).assignWindows('x', NO_TIMESTAMP, noClock)).toThrow(
      /Record has no timestamp/,
    );
    expect(() =>
      EventTimeSessionWindows.withDynamicGap(() => 5).assignWindows('x', NO_TIMESTAMP, noClock),
    ).toThrow(/Record has no timestamp/);
  });

  it('validates the gap', () => {
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow(/0 < gap/);
    expect(() => EventTimeSessionWindows.withGap(-1)).toThrow(RangeError);
    expect(() => EventTimeSessionWindows.withGap(0.5)).toThrow(/integer/);
  });

  it('is a merging event-time assigner with the event-time trigger', () => {
    const a = EventTimeSessionWindows.withGap(10);
    expect(a.isEventTime()).toBe(true);
    expect(a.isMerging()).toBe(true);
    expect(a.isDynamic()).toBe(false);
    expect(a.gap).toBe(10);
    expect(a.getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(a.getDefaultTrigger().canMerge()).toBe(true);
    expect(String(a)).toBe('EventTimeSessionWindows(10)');
    expect(a.windowFromNamespace(tw(-5, 5).namespace())).toEqual(tw(-5, 5));
  });

  it('merges through mergeWindows', () => {
    const calls: Array<[number[][], number[]]> = [];
    EventTimeSessionWindows.withGap(10).mergeWindows([tw(0, 10), tw(5, 15)], (m, r) =>
      calls.push([bounds(m), [r.start, r.end]]),
    );
    expect(calls).toEqual([
      [
        [
          [0, 10],
          [5, 15],
        ],
        [0, 15],
      ],
    ]);
  });
});

describe('ProcessingTimeSessionWindows', () => {
  it('assigns [now, now + gap), ignoring the timestamp', () => {
    const a = ProcessingTimeSessionWindows.withGap(1000);
    expect(bounds(a.assignWindows('x', NO_TIMESTAMP, clock(5000)))).toEqual([[5000, 6000]]);
    const d = ProcessingTimeSessionWindows.withDynamicGap<number>((g) => g);
    expect(bounds(d.assignWindows(250, 0, clock(100)))).toEqual([[100, 350]]);
    expect(() => d.assignWindows(0, 0, clock(100))).toThrow(/Dynamic gap/);
  });

  it('is a merging processing-time assigner with the processing-time trigger', () => {
    const a = ProcessingTimeSessionWindows.withGap(10);
    expect(a.isEventTime()).toBe(false);
    expect(a.isMerging()).toBe(true);
    expect(a.getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
    expect(String(a)).toBe('ProcessingTimeSessionWindows(10)');
    expect(String(ProcessingTimeSessionWindows.withDynamicGap(() => 1))).toBe(
      'DynamicProcessingTimeSessionWindows()',
    );
    expect(() => ProcessingTimeSessionWindows.withGap(0)).toThrow(RangeError);
  });
});

describe('mergeTimeWindows', () => {
  it('calls back only for groups of more than one window', () => {
    expect(merges([])).toEqual([]);
    expect(merges([tw(0, 10)])).toEqual([]);
    expect(merges([tw(0, 10), tw(11, 20)])).toEqual([]);
  });

  it('merges overlapping and touching windows, in start order, whatever the input order', () => {
    expect(merges([tw(20, 30), tw(10, 20), tw(0, 5), tw(3, 12), tw(40, 50)])).toEqual([
      [
        [
          [0, 5],
          [3, 12],
          [10, 20],
          [20, 30],
        ],
        [0, 30],
      ],
    ]);
  });

  it('reports separate groups separately', () => {
    expect(merges([tw(0, 10), tw(5, 12), tw(20, 30), tw(25, 26), tw(40, 50)])).toEqual([
      [
        [
          [0, 10],
          [5, 12],
        ],
        [0, 12],
      ],
      [
        [
          [20, 30],
          [25, 26],
        ],
        [20, 30],
      ],
    ]);
  });

  it('keeps equal windows as two members of one group (the merging set keeps the old one)', () => {
    const old = tw(0, 10);
    const fresh = tw(0, 10);
    const calls: Array<[TimeWindow[], TimeWindow]> = [];
    mergeTimeWindows([old, fresh], (m, r) => calls.push([m, r]));
    expect(calls).toHaveLength(1);
    expect(calls[0]![0][0]).toBe(old);
    expect(calls[0]![0][1]).toBe(fresh);
    expect(calls[0]![1].equals(old)).toBe(true);
  });

  it('merges a window into one that contains it', () => {
    expect(merges([tw(0, 100), tw(10, 20)])).toEqual([
      [
        [
          [0, 100],
          [10, 20],
        ],
        [0, 100],
      ],
    ]);
  });

  it('property: merging the session windows of any timestamps gives the union of [ts, ts + gap)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -200, max: 200 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (timestamps, gap) => {
          const a = EventTimeSessionWindows.withGap(gap);
          const windows = timestamps.flatMap((ts) => a.assignWindows(null, ts, noClock));
          expect(afterMerging(windows)).toEqual(
            intervalUnion(timestamps.map((ts) => [ts, ts + gap] as const)),
          );
        },
      ),
    );
  });

  it('property: adding windows one by one (as the merging window set does) gives the union too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -200, max: 200 }), fc.integer({ min: 1, max: 30 })), {
          maxLength: 40,
        }),
        (elements) => {
          const a = EventTimeSessionWindows.withDynamicGap<number>((gap) => gap);
          let set: TimeWindow[] = [];
          for (const [ts, gap] of elements) {
            const [w] = a.assignWindows(gap, ts, noClock);
            const next = [...set, w!];
            let groups = 0;
            a.mergeWindows(next, (toBeMerged, result) => {
              groups++;
              expect(toBeMerged.length).toBeGreaterThan(1);
              expect(
                toBeMerged.reduce((c, x) => c.cover(x)),
                'the result covers exactly the merged windows',
              ).toEqual(result);
              set = set.filter((x) => !toBeMerged.includes(x));
              set.push(result);
            });
            // One new window merges into at most one group: the set was merged before.
            expect(groups).toBeLessThanOrEqual(1);
            if (groups === 0) set.push(w!);
          }
          expect(bounds(set).sort((x, y) => x[0]! - y[0]!)).toEqual(
            intervalUnion(elements.map(([ts, gap]) => [ts, ts + gap] as const)),
          );
        },
      ),
    );
  });
});
