import { describe, expect, it } from 'vitest';
import { BarrierAligner } from '../../../src/core/checkpoint/barrier-aligner.js';

const b = (checkpointId: number) => ({ checkpointId, timestamp: 0 });

describe('BarrierAligner', () => {
  it('blocks each channel after its barrier and releases all when the last one arrives', () => {
    const a = new BarrierAligner<string>(3);
    expect(a.onBarrier('x', b(1))).toBeUndefined();
    expect(a.aligning).toBe(true);
    expect(a.isBlocked('x')).toBe(true);
    expect(a.isBlocked('y')).toBe(false);
    expect(a.onBarrier('y', b(1))).toBeUndefined();
    expect(a.onBarrier('z', b(1))).toEqual(b(1));
    expect(a.aligning).toBe(false);
    expect(a.isBlocked('x')).toBe(false);
  });

  it('a single channel aligns at once', () => {
    expect(new BarrierAligner<string>(1).onBarrier('x', b(4))).toEqual(b(4));
  });

  it('finished channels count as aligned, before or during an alignment', () => {
    const a = new BarrierAligner<string>(3);
    expect(a.onChannelFinished('z')).toBeUndefined();
    expect(a.onBarrier('x', b(1))).toBeUndefined();
    expect(a.onChannelFinished('y')).toEqual(b(1));
    expect(a.onBarrier('x', b(2))).toEqual(b(2));
  });

  it('a newer barrier abandons an alignment that cannot finish; older ones are ignored', () => {
    const a = new BarrierAligner<string>(2);
    a.onBarrier('x', b(1));
    expect(a.onBarrier('y', b(2))).toBeUndefined();
    expect(a.isBlocked('x')).toBe(false);
    expect(a.isBlocked('y')).toBe(true);
    expect(a.onBarrier('x', b(1))).toBeUndefined();
    expect(a.onBarrier('x', b(2))).toEqual(b(2));
  });
});
