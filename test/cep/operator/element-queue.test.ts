import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drainElementQueue, type ElementQueue } from '../../../src/cep/operator/element-queue.js';

interface E {
  readonly id: number;
  readonly rank: number;
}

/** The reference: sort by timestamp, then comparator, then arrival; split at the watermark. */
function reference(queue: ElementQueue<E>, watermark: number, comparator?: (a: E, b: E) => number) {
  const items = queue.timestamps.map((ts, i) => ({ ts, e: queue.events[i]!, i }));
  const due = items
    .filter((x) => x.ts <= watermark)
    .sort((a, b) => a.ts - b.ts || (comparator ? comparator(a.e, b.e) : 0) || a.i - b.i);
  const kept = items.filter((x) => x.ts > watermark);
  return { due: due.map((x) => [x.e.id, x.ts]), kept: kept.map((x) => x.e.id) };
}

describe('drainElementQueue', () => {
  it('hands out due events by timestamp, comparator, arrival, and keeps the rest in arrival order (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 })), { maxLength: 20 }),
        fc.integer({ min: -1, max: 7 }),
        fc.boolean(),
        (raw, watermark, useComparator) => {
          const queue: ElementQueue<E> = {
            timestamps: raw.map(([ts]) => ts),
            events: raw.map(([, rank], id) => ({ id, rank })),
          };
          const comparator = useComparator ? (a: E, b: E) => a.rank - b.rank : undefined;
          const expected = reference(queue, watermark, comparator);
          const seen: Array<[number, number]> = [];
          const times: number[] = [];
          const remaining = drainElementQueue(
            queue,
            watermark,
            comparator,
            (ts) => times.push(ts),
            (e, ts) => seen.push([e.id, ts]),
          );
          expect(seen).toEqual(expected.due);
          expect(times).toEqual([...new Set(expected.due.map((x) => x[1]))]);
          expect(queue.events.map((e) => e.id)).toEqual(expected.kept);
          expect(queue.timestamps).toHaveLength(expected.kept.length);
          expect(remaining).toBe(expected.kept.length > 0);
        },
      ),
      { seed: 4242, numRuns: 500 },
    );
  });
});
