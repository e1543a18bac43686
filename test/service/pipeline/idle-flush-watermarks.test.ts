import { describe, expect, it } from 'vitest';
import type { RuleEvent } from '../../../src/rules/index.js';
import { idleFlushWatermarks } from '../../../src/service/pipeline/idle-flush-watermarks.js';

/** The generator on a manual clock; `emit()` runs one periodic emit and returns what it emitted. */
function harness(outOfOrdernessMs: number, idleFlushMs: number, caughtUp?: () => boolean) {
  let now = 0;
  const generator = idleFlushWatermarks(outOfOrdernessMs, idleFlushMs, {
    ...(caughtUp !== undefined ? { caughtUp } : {}),
  }).createWatermarkGenerator({
    currentProcessingTime: () => now,
  });
  const noop = (): void => {};
  return {
    advance: (ms: number) => {
      now += ms;
    },
    event: (ts: number) =>
      generator.onEvent({ type: 'x', ts } as RuleEvent, ts, {
        emitWatermark: noop,
        markIdle: noop,
        markActive: noop,
      }),
    emit: (): number | undefined => {
      let w: number | undefined;
      generator.onPeriodicEmit({ emitWatermark: (x) => (w = x), markIdle: noop, markActive: noop });
      return w;
    },
  };
}

describe('idleFlushWatermarks', () => {
  it('trails the newest event by the out-of-orderness, and catches up after emits found no event for the idle time', () => {
    const h = harness(1000, 500);
    expect(h.emit()).toBeUndefined(); // no event yet
    h.event(10_000);
    expect(h.emit()).toBe(8999);
    for (let t = 0; t < 500; t += 100) {
      h.advance(100);
      expect(h.emit()).toBe(8999); // quiet since the first of these emits, less than 500 ms
    }
    h.advance(100);
    expect(h.emit()).toBe(10_000);
    h.event(12_000); // a new event ends the quiet
    h.advance(100);
    expect(h.emit()).toBe(10_999);
  });

  it('does not flush after a stall: a backlog may be waiting behind the first emit that follows it', () => {
    const h = harness(1000, 500);
    h.event(10_000);
    expect(h.emit()).toBe(8999);
    h.advance(5000); // the task was stalled (CPU, GC, a long snapshot) with events waiting
    expect(h.emit()).toBe(8999);
    h.event(9500); // the backlog: not late
    h.advance(100);
    expect(h.emit()).toBe(8999);
  });

  it('does not flush after a quiet emit followed by a long stall: the quiet must span enough emits too', () => {
    const h = harness(1000, 500); // emits every 100 ms: 5 quiet emits needed
    h.event(10_000);
    expect(h.emit()).toBe(8999);
    h.advance(100);
    expect(h.emit()).toBe(8999); // quiet from here
    h.advance(2000); // too busy to take events in (a long snapshot, a metrics walk)
    expect(h.emit()).toBe(8999); // 2 quiet emits: not idle yet, however long the stall
    h.event(9200); // what was waiting in the meantime: not late
    h.advance(100);
    expect(h.emit()).toBe(8999);
    for (let i = 0; i < 5; i++) {
      h.advance(100);
      expect(h.emit()).toBe(8999);
    }
    h.advance(100);
    expect(h.emit()).toBe(10_000); // quiet emits for 500 ms
  });

  it('does not flush while the source is held back with input left to read (backpressure)', () => {
    let caughtUp = false;
    const h = harness(1000, 500, () => caughtUp);
    h.event(10_000);
    expect(h.emit()).toBe(8999);
    for (let i = 0; i < 20; i++) {
      h.advance(100);
      expect(h.emit()).toBe(8999); // quiet emits, but the source did not read its backlog
    }
    caughtUp = true; // its latest poll found nothing
    h.advance(100);
    expect(h.emit()).toBe(10_000);
  });
});
