import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Duration } from '../../../../src/core/api/duration.js';
import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import { TumblingEventTimeWindows } from '../../../../src/core/windows/assigners/tumbling-event-time-windows.js';
import { TumblingProcessingTimeWindows } from '../../../../src/core/windows/assigners/tumbling-processing-time-windows.js';
import { EventTimeTrigger } from '../../../../src/core/windows/triggers/event-time-trigger.js';
import { ProcessingTimeTrigger } from '../../../../src/core/windows/triggers/processing-time-trigger.js';
import { TimeWindow } from '../../../../src/core/windows/window.js';
import type { WindowAssignerContext } from '../../../../src/core/windows/window-assigner.js';

const clock = (now: number): WindowAssignerContext => ({ getCurrentProcessingTime: () => now });
const noClock: WindowAssignerContext = {
  getCurrentProcessingTime: () => {
    throw new Error('event-time assigners must not read the clock');
  },
};
const bounds = (ws: readonly TimeWindow[]) => ws.map((w) => [w.start, w.end]);

describe('TumblingEventTimeWindows', () => {
  it('assigns the window of `size` containing the timestamp, aligned to the epoch', () => {
    const a = TumblingEventTimeWindows.of(10);
    const at = (ts: number) => bounds(a.assignWindows('x', ts, noClock));
    expect(at(0)).toEqual([[0, 10]]);
    expect(at(9)).toEqual([[0, 10]]);
    expect(at(10)).toEqual([[10, 20]]);
    expect(at(27)).toEqual([[20, 30]]);
  });

  it('handles negative timestamps (floor, not truncation)', () => {
    const a = TumblingEventTimeWindows.of(10);
    const at = (ts: number) => bounds(a.assignWindows('x', ts, noClock));
    expect(at(-1)).toEqual([[-10, 0]]);
    expect(at(-10)).toEqual([[-10, 0]]);
    expect(at(-11)).toEqual([[-20, -10]]);
    expect(at(-20)).toEqual([[-20, -10]]);
  });

  it('shifts windows by a positive or negative offset', () => {
    const plus = TumblingEventTimeWindows.of(10, 3);
    expect(bounds(plus.assignWindows('x', 2, noClock))).toEqual([[-7, 3]]);
    expect(bounds(plus.assignWindows('x', 3, noClock))).toEqual([[3, 13]]);
    expect(bounds(plus.assignWindows('x', -8, noClock))).toEqual([[-17, -7]]);
    const minus = TumblingEventTimeWindows.of(10, -3);
    expect(bounds(minus.assignWindows('x', 0, noClock))).toEqual([[-3, 7]]);
    expect(bounds(minus.assignWindows('x', 7, noClock))).toEqual([[7, 17]]);
    expect(bounds(minus.assignWindows('x', -4, noClock))).toEqual([[-13, -3]]);
  });

  it('makes days of a time zone with an hour offset (Flink docs example)', () => {
    const days = TumblingEventTimeWindows.of(Duration.ofDays(1), Duration.ofHours(-8));
    const noonUtc = Date.UTC(2024, 0, 15, 12);
    const [w] = days.assignWindows('x', noonUtc, noClock);
    expect(w!.start).toBe(Date.UTC(2024, 0, 14, 16)); // midnight in UTC+8
    expect(w!.end - w!.start).toBe(Duration.ofDays(1));
  });

  it('property: exactly one window, of `size`, containing ts, starting at offset mod size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: -999, max: 999 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (size, rawOffset, ts) => {
          const offset = rawOffset % size;
          const ws = TumblingEventTimeWindows.of(size, offset).assignWindows(null, ts, noClock);
          expect(ws).toHaveLength(1);
          const w = ws[0]!;
          expect(w.end - w.start).toBe(size);
          expect(w.start <= ts && ts < w.end).toBe(true);
          expect((((w.start - offset) % size) + size) % size).toBe(0);
        },
      ),
    );
  });

  it('throws the Flink error for elements without timestamp', () => {
    expect(() => TumblingEventTimeWindows.of(10).assignWindows('x', NO_TIMESTAMP, noClock)).toThrow(
      "Record has no timestamp. Is the time characteristic set to 'ProcessingTime', or did you forget to call 'assignTimestampsAndWatermarks(...)'?",
    );
  });

  it('validates its arguments', () => {
    expect(() => TumblingEventTimeWindows.of(0)).toThrow(RangeError);
    expect(() => TumblingEventTimeWindows.of(-5)).toThrow(/size > 0/);
    expect(() => TumblingEventTimeWindows.of(10, 10)).toThrow(/abs\(offset\) < size/);
    expect(() => TumblingEventTimeWindows.of(10, -10)).toThrow(/abs\(offset\) < size/);
    expect(() => TumblingEventTimeWindows.of(1.5)).toThrow(/integer/);
    expect(() => TumblingEventTimeWindows.of(Number.NaN)).toThrow(RangeError);
    expect(() => TumblingEventTimeWindows.of(10, 9)).not.toThrow();
    expect(() => TumblingEventTimeWindows.of(10, -9)).not.toThrow();
  });

  it('is an event-time, non-merging assigner with the event-time trigger', () => {
    const a = TumblingEventTimeWindows.of(10);
    expect(a.isEventTime()).toBe(true);
    expect(a.isMerging()).toBe(false);
    expect(a.getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(String(a)).toBe('TumblingEventTimeWindows(10)');
    expect(String(TumblingEventTimeWindows.of(10, 2))).toBe('TumblingEventTimeWindows(10, offset=2)');
    expect(a.size).toBe(10);
    expect(a.offset).toBe(0);
  });

  it('rebuilds windows from their namespace', () => {
    const a = TumblingEventTimeWindows.of(10);
    const [w] = a.assignWindows('x', -15, noClock);
    expect(a.windowFromNamespace(w!.namespace()).equals(w)).toBe(true);
  });
});

describe('TumblingProcessingTimeWindows', () => {
  it('assigns by the current processing time, ignoring the timestamp', () => {
    const a = TumblingProcessingTimeWindows.of(1000);
    expect(bounds(a.assignWindows('x', 5, clock(12_345)))).toEqual([[12_000, 13_000]]);
    expect(bounds(a.assignWindows('x', NO_TIMESTAMP, clock(999)))).toEqual([[0, 1000]]);
    expect(bounds(a.assignWindows('x', 0, clock(-1)))).toEqual([[-1000, 0]]);
  });

  it('shifts windows by an offset', () => {
    const a = TumblingProcessingTimeWindows.of(1000, 250);
    expect(bounds(a.assignWindows('x', 0, clock(200)))).toEqual([[-750, 250]]);
    expect(bounds(a.assignWindows('x', 0, clock(250)))).toEqual([[250, 1250]]);
    const b = TumblingProcessingTimeWindows.of(1000, -250);
    expect(bounds(b.assignWindows('x', 0, clock(800)))).toEqual([[750, 1750]]);
  });

  it('validates its arguments', () => {
    expect(() => TumblingProcessingTimeWindows.of(0)).toThrow(RangeError);
    expect(() => TumblingProcessingTimeWindows.of(10, 11)).toThrow(/abs\(offset\) < size/);
    expect(() => TumblingProcessingTimeWindows.of(10, 0.5)).toThrow(/integer/);
  });

  it('is a processing-time, non-merging assigner with the processing-time trigger', () => {
    const a = TumblingProcessingTimeWindows.of(10);
    expect(a.isEventTime()).toBe(false);
    expect(a.isMerging()).toBe(false);
    expect(a.getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
    expect(String(a)).toBe('TumblingProcessingTimeWindows(10)');
    expect(a.windowFromNamespace(new TimeWindow(10, 20).namespace())).toEqual(new TimeWindow(10, 20));
  });
});
