import { describe, expect, it } from 'vitest';
import type { WatermarkOutput } from '../../../src/core/time/watermark-generator.js';
import { WatermarkOutputMultiplexer } from '../../../src/core/time/watermark-output-multiplexer.js';
import type { WatermarkStatusOutput } from '../../../src/core/time/watermark-status-output.js';
import { WatermarkToDataOutput } from '../../../src/core/time/watermark-to-data-output.js';

type Event = number | 'idle' | 'active';

class RecordingOutput implements WatermarkOutput {
  readonly events: Event[] = [];
  emitWatermark(watermark: number): void {
    this.events.push(watermark);
  }
  markIdle(): void {
    this.events.push('idle');
  }
  markActive(): void {
    this.events.push('active');
  }
}

class RecordingStatusOutput implements WatermarkStatusOutput {
  readonly events: Event[] = [];
  emitWatermark(watermark: number): void {
    this.events.push(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.events.push(idle ? 'idle' : 'active');
  }
}

describe('WatermarkOutputMultiplexer', () => {
  it('emits the minimum over outputs, only when it advances', () => {
    const out = new RecordingOutput();
    const mux = new WatermarkOutputMultiplexer(out);
    const a = mux.registerNewOutput('a');
    const b = mux.registerNewOutput('b');
    a.emitWatermark(10); // b still at -Infinity
    expect(out.events).toEqual([]);
    b.emitWatermark(5);
    expect(out.events).toEqual([5]);
    b.emitWatermark(12);
    expect(out.events).toEqual([5, 10]);
    a.emitWatermark(10); // same again: nothing
    b.emitWatermark(11); // a partial output never goes back
    expect(out.events).toEqual([5, 10]);
    a.emitWatermark(20);
    expect(out.events).toEqual([5, 10, 12]);
    expect(mux.getCombinedWatermark()).toBe(12);
  });

  it('leaves idle outputs out of the minimum and marks the underlying idle when all are idle', () => {
    const out = new RecordingOutput();
    const mux = new WatermarkOutputMultiplexer(out);
    const a = mux.registerNewOutput('a');
    const b = mux.registerNewOutput('b');
    a.emitWatermark(10);
    b.emitWatermark(3);
    b.markIdle();
    expect(out.events).toEqual([3, 10]);
    a.markIdle();
    expect(out.events).toEqual([3, 10, 'idle']);
    expect(mux.isIdle()).toBe(true);
    a.markIdle();
    expect(out.events).toEqual([3, 10, 'idle']);
    // b comes back behind the combined watermark: active, but no regression
    b.markActive();
    expect(out.events).toEqual([3, 10, 'idle', 'active']);
    b.emitWatermark(8);
    expect(out.events).toEqual([3, 10, 'idle', 'active']);
    b.emitWatermark(15);
    expect(out.events).toEqual([3, 10, 'idle', 'active', 15]);
  });

  it('treats a watermark from an idle output as activity', () => {
    const out = new RecordingOutput();
    const mux = new WatermarkOutputMultiplexer(out);
    const a = mux.registerNewOutput('a');
    a.markIdle();
    a.emitWatermark(4);
    expect(out.events).toEqual(['idle', 'active', 4]);
  });

  it('unregistering the slowest output releases the combined watermark', () => {
    const out = new RecordingOutput();
    const mux = new WatermarkOutputMultiplexer(out);
    const a = mux.registerNewOutput('a');
    const b = mux.registerNewOutput('b');
    a.emitWatermark(10);
    b.emitWatermark(2);
    expect(mux.unregisterOutput('b')).toBe(true);
    expect(mux.unregisterOutput('b')).toBe(false);
    expect(out.events).toEqual([2, 10]);
    expect(mux.unregisterOutput('a')).toBe(true);
    // no outputs: nothing known, nothing emitted
    expect(out.events).toEqual([2, 10]);
    const c = mux.registerNewOutput('c');
    c.emitWatermark(5); // behind: no regression
    c.emitWatermark(11);
    expect(out.events).toEqual([2, 10, 11]);
  });

  it('rejects duplicate ids and unknown ids', () => {
    const mux = new WatermarkOutputMultiplexer(new RecordingOutput());
    mux.registerNewOutput('a');
    expect(() => mux.registerNewOutput('a')).toThrow(/a/);
    expect(() => mux.getDeferredOutput('zz')).toThrow(/zz/);
  });

  it('deferred outputs only update on onPeriodicEmit', () => {
    const out = new RecordingOutput();
    const mux = new WatermarkOutputMultiplexer(out);
    mux.registerNewOutput('a');
    mux.registerNewOutput('b');
    const a = mux.getDeferredOutput('a');
    const b = mux.getDeferredOutput('b');
    expect(mux.getImmediateOutput('a')).not.toBe(a);
    a.emitWatermark(7);
    b.emitWatermark(9);
    expect(out.events).toEqual([]);
    mux.onPeriodicEmit();
    expect(out.events).toEqual([7]);
    a.markIdle();
    b.markIdle();
    expect(out.events).toEqual([7]);
    mux.onPeriodicEmit();
    expect(out.events).toEqual([7, 'idle']);
  });
});

describe('WatermarkToDataOutput', () => {
  it('forwards only advancing watermarks and status changes, activating before a watermark', () => {
    const target = new RecordingStatusOutput();
    const out = new WatermarkToDataOutput(target);
    out.emitWatermark(5);
    out.emitWatermark(5);
    out.emitWatermark(3);
    out.markActive(); // already active
    out.markIdle();
    out.markIdle();
    out.emitWatermark(4); // not an advance: stays idle
    out.emitWatermark(6);
    expect(target.events).toEqual([5, 'idle', 'active', 6]);
    expect(out.getCurrentWatermark()).toBe(6);
    expect(out.isIdle()).toBe(false);
  });

  it('drives a stream output from a multiplexer', () => {
    const target = new RecordingStatusOutput();
    const mux = new WatermarkOutputMultiplexer(new WatermarkToDataOutput(target));
    const a = mux.registerNewOutput('a');
    a.emitWatermark(1);
    a.markIdle();
    a.emitWatermark(2);
    expect(target.events).toEqual([1, 'idle', 'active', 2]);
  });
});
