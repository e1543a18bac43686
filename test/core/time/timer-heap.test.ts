import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeapTimer } from '../../../src/core/time/timer-heap.js';
import { TimerHeap } from '../../../src/core/time/timer-heap.js';

class T implements HeapTimer {
  heapIndex = -1;
  constructor(
    readonly timestamp: number,
    readonly seq: number,
  ) {}
}

describe('TimerHeap', () => {
  it('polls in timestamp order, ties in seq order', () => {
    const heap = new TimerHeap<T>();
    const timers = [new T(5, 0), new T(1, 1), new T(5, 2), new T(3, 3), new T(1, 4)];
    for (const t of timers) heap.add(t);
    const out: T[] = [];
    for (let t = heap.poll(); t !== undefined; t = heap.poll()) out.push(t);
    expect(out.map((t) => [t.timestamp, t.seq])).toEqual([
      [1, 1],
      [1, 4],
      [3, 3],
      [5, 0],
      [5, 2],
    ]);
    expect(heap.isEmpty()).toBe(true);
    expect(heap.poll()).toBeUndefined();
  });

  it('removes arbitrary elements and refuses foreign ones', () => {
    const heap = new TimerHeap<T>();
    const a = new T(1, 0);
    const b = new T(2, 1);
    heap.add(a);
    heap.add(b);
    expect(heap.remove(a)).toBe(true);
    expect(heap.remove(a)).toBe(false);
    expect(heap.remove(new T(2, 1))).toBe(false);
    expect(heap.peek()).toBe(b);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(b.heapIndex).toBe(-1);
  });

  it('behaves like a sorted list under random adds and removes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1), fc.constant(-2)), {
          maxLength: 200,
        }),
        (ops) => {
          const heap = new TimerHeap<T>();
          let model: T[] = [];
          let seq = 0;
          for (const op of ops) {
            if (op >= 0) {
              const t = new T(op, seq++);
              heap.add(t);
              model.push(t);
            } else if (op === -1) {
              model.sort((x, y) => x.timestamp - y.timestamp || x.seq - y.seq);
              expect(heap.poll()).toBe(model.shift());
            } else if (model.length > 0) {
              const victim = model[seq % model.length]!;
              expect(heap.remove(victim)).toBe(true);
              model = model.filter((t) => t !== victim);
            }
            expect(heap.size).toBe(model.length);
            heap.elements().forEach((t, i) => {
              expect(t.heapIndex).toBe(i);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
