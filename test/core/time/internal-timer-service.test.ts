import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WATERMARK } from '../../../src/core/api/timestamps.js';
import { assignToKeyGroup, KeyGroupRange } from '../../../src/core/state/key-groups.js';
import type { KeyGroupedSnapshot, Namespace } from '../../../src/core/state/keyed-state-backend.js';
import { VOID_NAMESPACE } from '../../../src/core/state/keyed-state-backend.js';
import type { InternalTimer, Triggerable } from '../../../src/core/time/internal-timer-service.js';
import { InternalTimerServiceImpl } from '../../../src/core/time/internal-timer-service.js';
import { ManualClock } from '../../../src/core/time/processing-time-service.js';
import { SimpleTimerService } from '../../../src/core/time/timer-service.js';
import { ManualProcessingTimeService } from './manual-processing-time-service.js';

interface Fired<K> {
  domain: 'event' | 'processing';
  timestamp: number;
  key: K;
  namespace: Namespace;
  /** The key context's current key when the timer fired. */
  currentKey: K;
}

class Harness<K> implements Triggerable<K> {
  currentKey!: K;
  readonly fired: Array<Fired<K>> = [];
  onEvent: ((timer: InternalTimer<K>) => void) | undefined;
  onProcessing: ((timer: InternalTimer<K>) => void) | undefined;
  readonly service: InternalTimerServiceImpl<K>;

  constructor(
    readonly pts = new ManualProcessingTimeService(),
    keyGroupRange = new KeyGroupRange(0, 127),
    maxParallelism = 128,
  ) {
    const self = this;
    this.service = new InternalTimerServiceImpl<K>({
      keyContext: {
        setCurrentKey(k: K) {
          self.currentKey = k;
        },
        getCurrentKey() {
          return self.currentKey;
        },
      },
      triggerable: this,
      processingTimeService: pts,
      maxParallelism,
      keyGroupRange,
    });
  }

  withKey(key: K): this {
    this.currentKey = key;
    return this;
  }

  onEventTime(timer: InternalTimer<K>): void {
    this.fired.push({ domain: 'event', ...pick(timer), currentKey: this.currentKey });
    this.onEvent?.(timer);
  }

  onProcessingTime(timer: InternalTimer<K>): void {
    this.fired.push({ domain: 'processing', ...pick(timer), currentKey: this.currentKey });
    this.onProcessing?.(timer);
  }

  take(): Array<[K, Namespace, number]> {
    const out = this.fired.map((f) => [f.key, f.namespace, f.timestamp] as [K, Namespace, number]);
    this.fired.length = 0;
    return out;
  }
}

function pick<K>(t: InternalTimer<K>) {
  return { timestamp: t.timestamp, key: t.key, namespace: t.namespace };
}

describe('InternalTimerServiceImpl: event time', () => {
  it('keeps one timer per key, namespace and timestamp', () => {
    const h = new Harness<unknown>();
    const s = h.service;
    h.withKey('a');
    s.registerEventTimeTimer('w', 10);
    s.registerEventTimeTimer('w', 10);
    s.registerEventTimeTimer('x', 10);
    s.registerEventTimeTimer('w', 11);
    s.registerEventTimeTimer(1, 10);
    s.registerEventTimeTimer('1', 10); // number and string namespaces differ
    h.withKey('b');
    s.registerEventTimeTimer('w', 10);
    h.withKey(1);
    s.registerEventTimeTimer('w', 10);
    h.withKey('1'); // number and string keys differ
    s.registerEventTimeTimer('w', 10);
    expect(s.numEventTimeTimers()).toBe(8);
    s.advanceWatermark(100);
    expect(h.fired).toHaveLength(8);
    expect(s.numEventTimeTimers()).toBe(0);
  });

  it('dedups composite keys by value and hands back the key first registered', () => {
    const h = new Harness<{ user: string; region: string }>();
    const first = { user: 'u', region: 'eu' };
    h.withKey(first).service.registerEventTimeTimer(VOID_NAMESPACE, 5);
    h.withKey({ region: 'eu', user: 'u' }).service.registerEventTimeTimer(VOID_NAMESPACE, 5);
    expect(h.service.numEventTimeTimers()).toBe(1);
    h.withKey({ region: 'eu', user: 'u' }).service.deleteEventTimeTimer(VOID_NAMESPACE, 6); // other time: nothing
    h.service.advanceWatermark(5);
    expect(h.fired).toHaveLength(1);
    expect(h.fired[0]!.key).toBe(first);
    expect(h.fired[0]!.currentKey).toBe(first);
  });

  it('deletes timers of the current key only', () => {
    const h = new Harness<string>();
    const s = h.service;
    h.withKey('a');
    s.registerEventTimeTimer('', 10);
    s.registerEventTimeTimer('', 20);
    h.withKey('b');
    s.registerEventTimeTimer('', 10);
    s.deleteEventTimeTimer('', 20); // 'b' has no timer at 20
    s.deleteEventTimeTimer('', 99);
    h.withKey('a');
    s.deleteEventTimeTimer('', 10);
    expect(s.numEventTimeTimers()).toBe(2);
    s.advanceWatermark(100);
    expect(h.take()).toEqual([
      ['b', '', 10],
      ['a', '', 20],
    ]);
  });

  it('fires due timers in timestamp order, ties in registration order, each exactly once', () => {
    const h = new Harness<string>();
    const s = h.service;
    for (const [key, ts] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['z', 10],
      ['a', 40],
      ['y', 20],
    ] as const) {
      h.withKey(key);
      s.registerEventTimeTimer('', ts);
    }
    s.advanceWatermark(5);
    expect(h.take()).toEqual([]);
    s.advanceWatermark(20);
    expect(h.take()).toEqual([
      ['a', '', 10],
      ['z', '', 10],
      ['b', '', 20],
      ['y', '', 20],
    ]);
    s.advanceWatermark(20);
    s.advanceWatermark(25);
    expect(h.take()).toEqual([]);
    expect(s.currentWatermark()).toBe(25);
    s.advanceWatermark(MAX_WATERMARK);
    expect(h.take()).toEqual([
      ['c', '', 30],
      ['a', '', 40],
    ]);
  });

  it('sets the current key before each timer fires', () => {
    const h = new Harness<string>();
    h.withKey('k1').service.registerEventTimeTimer('', 1);
    h.withKey('k2').service.registerEventTimeTimer('', 2);
    h.withKey('other');
    h.service.advanceWatermark(10);
    expect(h.fired.map((f) => f.currentKey)).toEqual(['k1', 'k2']);
  });

  it('fires timers registered while firing when they are already due', () => {
    const h = new Harness<string>();
    const s = h.service;
    h.onEvent = (t) => {
      // the current key is the firing timer's key, so these belong to it
      if (t.timestamp === 10 && t.namespace === '') {
        s.registerEventTimeTimer('again', 10); // at the firing time: due
        s.registerEventTimeTimer('later', 15); // due in this round too
        s.registerEventTimeTimer('future', 50); // not due
      }
    };
    h.withKey('a').service.registerEventTimeTimer('', 10);
    h.withKey('b').service.registerEventTimeTimer('', 12);
    s.advanceWatermark(20);
    expect(h.take()).toEqual([
      ['a', '', 10],
      ['a', 'again', 10],
      ['b', '', 12],
      ['a', 'later', 15],
    ]);
    expect(s.numEventTimeTimers()).toBe(1);
  });

  it('fires a timer registered at or below the watermark on the next advance', () => {
    const h = new Harness<string>();
    h.service.advanceWatermark(100);
    h.withKey('a').service.registerEventTimeTimer('', 50);
    expect(h.take()).toEqual([]);
    h.service.advanceWatermark(101);
    expect(h.take()).toEqual([['a', '', 50]]);
  });

  it('never moves the watermark back and rejects NaN timers', () => {
    const h = new Harness<string>();
    h.service.advanceWatermark(10);
    h.service.advanceWatermark(5);
    expect(h.service.currentWatermark()).toBe(10);
    expect(() => h.withKey('a').service.registerEventTimeTimer('', Number.NaN)).toThrow();
  });

  type Op =
    | { kind: 'register'; key: string | number; ns: Namespace; ts: number }
    | { kind: 'delete'; key: string | number; ns: Namespace; ts: number }
    | { kind: 'advance'; wm: number };

  it('matches a naive model (property)', () => {
    const keyArb = fc.constantFrom<string | number>('a', 'b', 1, '1');
    const nsArb = fc.constantFrom<Namespace>('', 'w1', 7);
    const tsArb = fc.integer({ min: 0, max: 20 });
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({ kind: fc.constant('register' as const), key: keyArb, ns: nsArb, ts: tsArb }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb, ns: nsArb, ts: tsArb }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), wm: tsArb }) },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const h = new Harness<string | number>();
        const model: Array<{ key: string | number; ns: Namespace; ts: number }> = [];
        let wm = Number.NEGATIVE_INFINITY;
        const same = (a: { key: unknown; ns: Namespace; ts: number }, b: typeof a) =>
          a.key === b.key && a.ns === b.ns && a.ts === b.ts;
        for (const op of ops) {
          if (op.kind === 'register') {
            h.withKey(op.key).service.registerEventTimeTimer(op.ns, op.ts);
            if (!model.some((t) => same(t, op))) model.push({ key: op.key, ns: op.ns, ts: op.ts });
          } else if (op.kind === 'delete') {
            h.withKey(op.key).service.deleteEventTimeTimer(op.ns, op.ts);
            const i = model.findIndex((t) => same(t, op));
            if (i >= 0) model.splice(i, 1);
          } else {
            h.service.advanceWatermark(op.wm);
            wm = Math.max(wm, op.wm);
            // stable sort keeps registration order for ties
            const due = model.filter((t) => t.ts <= wm).sort((x, y) => x.ts - y.ts);
            for (const t of due) model.splice(model.indexOf(t), 1);
            expect(h.take()).toEqual(due.map((t) => [t.key, t.ns, t.ts]));
          }
          expect(h.service.numEventTimeTimers()).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('InternalTimerServiceImpl: processing time', () => {
  it('registers only the earliest timer with the service and fires in order as the clock moves', () => {
    const clock = new ManualClock(0);
    const pts = new ManualProcessingTimeService(clock);
    const h = new Harness<string>(pts);
    const s = h.service;
    h.withKey('a');
    s.registerProcessingTimeTimer('', 100);
    s.registerProcessingTimeTimer('', 200); // later: no new service timer
    s.registerProcessingTimeTimer('', 100); // duplicate
    expect(pts.activeTimers()).toEqual([100]);
    h.withKey('b');
    s.registerProcessingTimeTimer('', 50); // earlier: reschedule
    expect(pts.activeTimers()).toEqual([50]);
    expect(s.numProcessingTimeTimers()).toBe(3);
    clock.advance(60);
    expect(h.take()).toEqual([['b', '', 50]]);
    expect(pts.activeTimers()).toEqual([100]);
    clock.setTime(500);
    expect(h.take()).toEqual([
      ['a', '', 100],
      ['a', '', 200],
    ]);
    expect(pts.activeTimers()).toEqual([]);
    expect(h.fired).toEqual([]);
    expect(s.currentProcessingTime()).toBe(500);
  });

  it('fires each timer once and sets the current key', () => {
    const clock = new ManualClock(0);
    const h = new Harness<string>(new ManualProcessingTimeService(clock));
    h.withKey('x').service.registerProcessingTimeTimer('', 10);
    h.withKey('y').service.registerProcessingTimeTimer('', 10);
    h.withKey('z');
    clock.advance(10);
    clock.advance(10);
    expect(h.fired.map((f) => [f.key, f.currentKey, f.domain])).toEqual([
      ['x', 'x', 'processing'],
      ['y', 'y', 'processing'],
    ]);
  });

  it('deleted timers do not fire; the stale service timer is harmless', () => {
    const clock = new ManualClock(0);
    const pts = new ManualProcessingTimeService(clock);
    const h = new Harness<string>(pts);
    h.withKey('a').service.registerProcessingTimeTimer('', 10);
    h.service.registerProcessingTimeTimer('', 30);
    h.service.deleteProcessingTimeTimer('', 10);
    clock.advance(15);
    expect(h.take()).toEqual([]);
    expect(pts.activeTimers()).toEqual([30]);
    clock.advance(15);
    expect(h.take()).toEqual([['a', '', 30]]);
  });

  it('fires timers registered while firing when due, schedules the others', () => {
    const clock = new ManualClock(0);
    const pts = new ManualProcessingTimeService(clock);
    const h = new Harness<string>(pts);
    const s = h.service;
    h.onProcessing = (t) => {
      if (t.timestamp === 10 && t.namespace === '') {
        s.registerProcessingTimeTimer('now', clock.now()); // due: same round
        s.registerProcessingTimeTimer('next', clock.now() + 100);
      }
    };
    h.withKey('a').service.registerProcessingTimeTimer('', 10);
    clock.setTime(20);
    expect(h.take()).toEqual([
      ['a', '', 10],
      ['a', 'now', 20],
    ]);
    expect(pts.activeTimers()).toEqual([120]);
    clock.setTime(120);
    expect(h.take()).toEqual([['a', 'next', 120]]);
  });

  it('keeps processing-time firing out of event-time firing', () => {
    const clock = new ManualClock(0);
    const pts = new ManualProcessingTimeService(clock, true);
    const h = new Harness<string>(pts);
    const s = h.service;
    h.onEvent = () => {
      // due at once; a synchronous service calls back inside this registration
      s.registerProcessingTimeTimer('p', 0);
      h.fired.push({
        domain: 'event',
        timestamp: -1,
        key: 'marker',
        namespace: '',
        currentKey: h.currentKey,
      });
    };
    h.withKey('a').service.registerEventTimeTimer('', 1);
    h.withKey('b').service.registerEventTimeTimer('', 2);
    s.advanceWatermark(5);
    // the event-time round completes (with its keys intact) before processing-time timers fire
    expect(h.fired.map((f) => [f.domain, f.key, f.currentKey])).toEqual([
      ['event', 'a', 'a'],
      ['event', 'marker', 'a'],
      ['event', 'b', 'b'],
      ['event', 'marker', 'b'],
      ['processing', 'a', 'a'],
      ['processing', 'b', 'b'],
    ]);
  });

  it('works with a service that calls back synchronously when the time has passed', () => {
    const clock = new ManualClock(100);
    const pts = new ManualProcessingTimeService(clock, true);
    const h = new Harness<string>(pts);
    h.withKey('a').service.registerProcessingTimeTimer('', 50); // fires inside the registration
    expect(h.take()).toEqual([['a', '', 50]]);
    h.service.registerProcessingTimeTimer('', 150);
    h.service.registerProcessingTimeTimer('', 300);
    expect(pts.activeTimers()).toEqual([150]);
    clock.setTime(400);
    expect(h.take()).toEqual([
      ['a', '', 150],
      ['a', '', 300],
    ]);
    h.service.registerProcessingTimeTimer('', 450);
    expect(pts.activeTimers()).toEqual([450]);
  });

  it('dispose cancels the service timer and drops timers', () => {
    const clock = new ManualClock(0);
    const pts = new ManualProcessingTimeService(clock);
    const h = new Harness<string>(pts);
    h.withKey('a').service.registerProcessingTimeTimer('', 10);
    h.service.registerEventTimeTimer('', 10);
    h.service.dispose();
    expect(pts.activeTimers()).toEqual([]);
    clock.advance(100);
    h.service.advanceWatermark(100);
    expect(h.fired).toEqual([]);
  });
});

describe('InternalTimerServiceImpl: snapshot and restore', () => {
  const MAX_PAR = 128;
  const keys = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? i : `key-${i}`));

  function filled(pts = new ManualProcessingTimeService()): Harness<string | number> {
    const h = new Harness<string | number>(pts, new KeyGroupRange(0, MAX_PAR - 1), MAX_PAR);
    for (const [i, key] of keys.entries()) {
      h.withKey(key);
      h.service.registerEventTimeTimer('', 1_000 + i);
      h.service.registerEventTimeTimer(i, 2_000); // same timestamp for all: ties
      h.service.registerProcessingTimeTimer('p', 5_000 + i);
    }
    return h;
  }

  function instances(parallelism: number, snapshots: KeyGroupedSnapshot[], clock: ManualClock) {
    return Array.from({ length: parallelism }, (_, index) => {
      const range = KeyGroupRange.forOperatorIndex(MAX_PAR, parallelism, index);
      const h = new Harness<string | number>(new ManualProcessingTimeService(clock), range, MAX_PAR);
      h.service.restore(snapshots);
      return { h, range };
    });
  }

  it('groups timers by key group', () => {
    const snap = filled().service.snapshot();
    expect(snap.maxParallelism).toBe(MAX_PAR);
    const groups = new Set(snap.groups.map(([g]) => g));
    expect(groups).toEqual(new Set(keys.map((k) => assignToKeyGroup(k, MAX_PAR))));
  });

  it('restores into the same parallelism with identical behaviour', () => {
    const original = filled();
    const clock = new ManualClock(0);
    const { h } = instances(1, [original.service.snapshot()], clock)[0]!;
    expect(h.service.numEventTimeTimers()).toBe(original.service.numEventTimeTimers());
    expect(h.service.numProcessingTimeTimers()).toBe(keys.length);
    original.service.advanceWatermark(MAX_WATERMARK);
    h.service.advanceWatermark(MAX_WATERMARK);
    // ties at one timestamp keep their order only within a key group, so compare as sets
    expect(new Set(h.take().map((t) => JSON.stringify(t)))).toEqual(
      new Set(original.take().map((t) => JSON.stringify(t))),
    );
  });

  it('rescales up: each timer ends up in the instance owning its key group, processing timers rescheduled', () => {
    const clock = new ManualClock(0);
    const snap = filled().service.snapshot();
    const parts = instances(3, [snap], clock);
    let total = 0;
    for (const { h, range } of parts) {
      total += h.service.numEventTimeTimers();
      h.service.advanceWatermark(MAX_WATERMARK);
      const fired = h.take();
      for (const [key] of fired) expect(range.contains(assignToKeyGroup(key, MAX_PAR))).toBe(true);
      const owned = keys.filter((k) => range.contains(assignToKeyGroup(k, MAX_PAR)));
      expect(fired).toHaveLength(owned.length * 2);
      // timestamp order holds within each instance
      const ts = fired.map(([, , t]) => t);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    expect(total).toBe(keys.length * 2);

    clock.setTime(10_000);
    const processing = parts.flatMap(({ h, range }) => {
      const fired = h.take();
      for (const [key] of fired) expect(range.contains(assignToKeyGroup(key, MAX_PAR))).toBe(true);
      return fired;
    });
    expect(processing.map(([k]) => k).sort()).toEqual([...keys].sort());
  });

  it('rescales down: merges snapshots of several instances', () => {
    const clock = new ManualClock(0);
    const up = instances(4, [filled().service.snapshot()], clock).map(({ h }) => h.service.snapshot());
    const { h } = instances(1, up, clock)[0]!;
    expect(h.service.numEventTimeTimers()).toBe(keys.length * 2);
    expect(h.service.numProcessingTimeTimers()).toBe(keys.length);
    h.service.advanceWatermark(1_000 + keys.length);
    expect(h.take().map(([k, , t]) => [k, t])).toEqual(keys.map((k, i) => [k, 1_000 + i]));
  });

  it('rejects another maxParallelism', () => {
    const snap = filled().service.snapshot();
    const h = new Harness<string>(new ManualProcessingTimeService(), new KeyGroupRange(0, 63), 64);
    expect(() => h.service.restore([snap])).toThrow(/maxParallelism/);
  });

  it('restores composite keys by value', () => {
    const h = new Harness<{ a: number; b: string }>();
    h.withKey({ a: 1, b: 'x' }).service.registerEventTimeTimer('', 5);
    const restored = new Harness<{ a: number; b: string }>();
    restored.service.restore([h.service.snapshot()]);
    restored.withKey({ b: 'x', a: 1 }).service.registerEventTimeTimer('', 5); // same timer
    expect(restored.service.numEventTimeTimers()).toBe(1);
    restored.service.advanceWatermark(5);
    expect(restored.take()).toEqual([[{ a: 1, b: 'x' }, '', 5]]);
  });
});

describe('SimpleTimerService', () => {
  it('registers in the void namespace for the current key', () => {
    const clock = new ManualClock(7);
    const h = new Harness<string>(new ManualProcessingTimeService(clock));
    const timers = new SimpleTimerService(h.service);
    h.withKey('a');
    expect(timers.currentProcessingTime()).toBe(7);
    expect(timers.currentWatermark()).toBe(Number.NEGATIVE_INFINITY);
    timers.registerEventTimeTimer(10);
    timers.registerEventTimeTimer(11);
    timers.deleteEventTimeTimer(11);
    timers.registerProcessingTimeTimer(20);
    timers.registerProcessingTimeTimer(21);
    timers.deleteProcessingTimeTimer(21);
    h.service.advanceWatermark(100);
    expect(timers.currentWatermark()).toBe(100);
    clock.setTime(100);
    expect(h.fired.map((f) => [f.domain, f.key, f.namespace, f.timestamp])).toEqual([
      ['event', 'a', VOID_NAMESPACE, 10],
      ['processing', 'a', VOID_NAMESPACE, 20],
    ]);
  });
});
