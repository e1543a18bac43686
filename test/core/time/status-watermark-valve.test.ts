import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WATERMARK } from '../../../src/core/api/timestamps.js';
import { StatusWatermarkValve } from '../../../src/core/time/status-watermark-valve.js';
import type { WatermarkStatusOutput } from '../../../src/core/time/watermark-status-output.js';

type Event = number | 'idle' | 'active';

class RecordingOutput implements WatermarkStatusOutput {
  events: Event[] = [];
  emitWatermark(watermark: number): void {
    this.events.push(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.events.push(idle ? 'idle' : 'active');
  }
  take(): Event[] {
    const e = this.events;
    this.events = [];
    return e;
  }
}

function setup(n: number) {
  const out = new RecordingOutput();
  return { out, valve: new StatusWatermarkValve(n, out) };
}

describe('StatusWatermarkValve', () => {
  it('emits the minimum across channels once every channel has a watermark', () => {
    const { out, valve } = setup(3);
    valve.inputWatermark(10, 0);
    valve.inputWatermark(20, 1);
    expect(out.take()).toEqual([]);
    valve.inputWatermark(15, 2);
    expect(out.take()).toEqual([10]);
    valve.inputWatermark(30, 0);
    expect(out.take()).toEqual([15]);
    expect(valve.getCurrentWatermark()).toBe(15);
  });

  it('lets the slower channel win and ignores channel regressions', () => {
    const { out, valve } = setup(2);
    valve.inputWatermark(100, 0);
    valve.inputWatermark(5, 1);
    valve.inputWatermark(50, 0); // regression on channel 0: ignored
    valve.inputWatermark(6, 1);
    valve.inputWatermark(6, 1);
    expect(out.take()).toEqual([5, 6]);
    valve.inputWatermark(200, 1);
    expect(out.take()).toEqual([100]);
    expect(valve.getChannelWatermark(0)).toBe(100);
  });

  it('releases the minimum when the slowest channel goes idle, and goes idle when all are', () => {
    const { out, valve } = setup(2);
    valve.inputWatermark(10, 0);
    valve.inputWatermark(3, 1);
    out.take();
    valve.inputWatermarkStatus(true, 1);
    expect(out.take()).toEqual([10]);
    valve.inputWatermarkStatus(true, 1); // no change
    valve.inputWatermarkStatus(true, 0);
    // no flush of the max watermark: just idle
    expect(out.take()).toEqual(['idle']);
    expect(valve.isIdle()).toBe(true);
    expect(valve.getCurrentWatermark()).toBe(10);
  });

  it('ignores watermarks of idle channels', () => {
    const { out, valve } = setup(2);
    valve.inputWatermarkStatus(true, 1);
    valve.inputWatermark(4, 1);
    valve.inputWatermark(7, 0);
    expect(out.take()).toEqual([7]);
    expect(valve.getChannelWatermark(1)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('does not go back when a channel behind the output becomes active again', () => {
    const { out, valve } = setup(2);
    valve.inputWatermark(3, 1);
    valve.inputWatermarkStatus(true, 1);
    valve.inputWatermark(10, 0);
    expect(out.take()).toEqual([10]);
    valve.inputWatermarkStatus(false, 1); // channel 1 is at 3 < 10: not aligned
    expect(out.take()).toEqual([]);
    valve.inputWatermark(20, 0); // channel 1 does not count yet
    expect(out.take()).toEqual([20]);
    valve.inputWatermark(15, 1); // still behind 20
    valve.inputWatermark(25, 0);
    expect(out.take()).toEqual([25]);
    valve.inputWatermark(27, 1); // caught up: counts again
    valve.inputWatermark(40, 0);
    expect(out.take()).toEqual([27]);
  });

  it('emits active status when a channel wakes up an idle valve, then its watermark if ahead', () => {
    const { out, valve } = setup(2);
    valve.inputWatermark(5, 0);
    valve.inputWatermark(8, 1);
    valve.inputWatermarkStatus(true, 1);
    valve.inputWatermarkStatus(true, 0);
    expect(out.take()).toEqual([5, 'idle']);
    valve.inputWatermarkStatus(false, 1); // channel 1 at 8 > 5: the only active channel
    expect(out.take()).toEqual(['active', 8]);
    valve.inputWatermarkStatus(false, 0); // at 5 < 8: held out
    expect(out.take()).toEqual([]);
    valve.inputWatermark(9, 1);
    expect(out.take()).toEqual([9]);
  });

  it('finished channels no longer hold back the minimum', () => {
    const { out, valve } = setup(3);
    valve.inputWatermark(10, 0);
    valve.inputWatermark(20, 1);
    valve.inputWatermark(30, 2);
    expect(out.take()).toEqual([10]);
    valve.channelFinished(0);
    expect(out.take()).toEqual([20]);
    valve.inputWatermark(100, 0); // ignored after finishing
    valve.channelFinished(0);
    expect(out.take()).toEqual([]);
    valve.inputWatermark(MAX_WATERMARK, 1);
    valve.channelFinished(1);
    expect(out.take()).toEqual([30]);
    valve.inputWatermark(MAX_WATERMARK, 2);
    expect(out.take()).toEqual([MAX_WATERMARK]);
    valve.channelFinished(2); // all finished: nothing more
    expect(out.take()).toEqual([]);
  });

  it('goes idle when the last active channel finishes and the others are idle', () => {
    const { out, valve } = setup(2);
    valve.inputWatermarkStatus(true, 1);
    valve.inputWatermark(4, 0);
    valve.channelFinished(0);
    expect(out.take()).toEqual([4, 'idle']);
    valve.inputWatermarkStatus(false, 1);
    expect(out.take()).toEqual(['active']);
  });

  it('validates arguments', () => {
    expect(() => new StatusWatermarkValve(0, new RecordingOutput())).toThrow();
    const { valve } = setup(2);
    expect(() => valve.inputWatermark(1, 2)).toThrow(RangeError);
    expect(valve.numChannels).toBe(2);
  });

  /**
   * Reference model, stateless about alignment: a channel counts when it is active, unfinished and
   * not behind the last output watermark.
   */
  class ValveModel {
    readonly wm: number[];
    readonly idle: boolean[];
    readonly finished: boolean[];
    last = Number.NEGATIVE_INFINITY;
    valveIdle = false;
    readonly events: Event[] = [];

    constructor(n: number) {
      this.wm = Array.from({ length: n }, () => Number.NEGATIVE_INFINITY);
      this.idle = Array.from({ length: n }, () => false);
      this.finished = Array.from({ length: n }, () => false);
    }

    apply(op: Op): void {
      const c = op.channel;
      if (op.kind === 'wm') {
        if (!this.idle[c] && !this.finished[c] && op.value > this.wm[c]!) this.wm[c] = op.value;
      } else if (op.kind === 'status') {
        if (!this.finished[c]) this.idle[c] = op.idle;
      } else {
        this.finished[c] = true;
      }
      const n = this.wm.length;
      const unfinished = [...Array(n).keys()].filter((i) => !this.finished[i]);
      if (unfinished.length > 0) {
        const nowIdle = unfinished.every((i) => this.idle[i]);
        if (nowIdle !== this.valveIdle) {
          this.valveIdle = nowIdle;
          this.events.push(nowIdle ? 'idle' : 'active');
        }
      }
      const counting = unfinished.filter((i) => !this.idle[i] && this.wm[i]! >= this.last);
      if (counting.length > 0) {
        const min = Math.min(...counting.map((i) => this.wm[i]!));
        if (min > this.last) {
          this.last = min;
          this.events.push(min);
        }
      }
    }
  }

  type Op =
    | { kind: 'wm'; channel: number; value: number }
    | { kind: 'status'; channel: number; idle: boolean }
    | { kind: 'finish'; channel: number };

  function opArb(n: number): fc.Arbitrary<Op> {
    const channel = fc.integer({ min: 0, max: n - 1 });
    return fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('wm' as const),
          channel,
          value: fc.integer({ min: 0, max: 30 }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ kind: fc.constant('status' as const), channel, idle: fc.boolean() }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('finish' as const), channel }) },
    );
  }

  it('matches the reference model (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(opArb(n), { maxLength: 60 }))),
        ([n, ops]) => {
          const out = new RecordingOutput();
          const valve = new StatusWatermarkValve(n, out);
          const model = new ValveModel(n);
          for (const op of ops) {
            if (op.kind === 'wm') valve.inputWatermark(op.value, op.channel);
            else if (op.kind === 'status') valve.inputWatermarkStatus(op.idle, op.channel);
            else valve.channelFinished(op.channel);
            model.apply(op);
            expect(out.events).toEqual(model.events);
            expect(valve.getCurrentWatermark()).toBe(model.last);
          }
          // output watermarks strictly increase, statuses alternate
          const wms = out.events.filter((e): e is number => typeof e === 'number');
          for (let i = 1; i < wms.length; i++) expect(wms[i]!).toBeGreaterThan(wms[i - 1]!);
          const statuses = out.events.filter((e) => typeof e !== 'number');
          for (let i = 1; i < statuses.length; i++) expect(statuses[i]).not.toBe(statuses[i - 1]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
