import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AsyncFunction, ResultFuture } from '../../../../src/core/api/async-function.js';
import { AsyncOutputMode } from '../../../../src/core/api/async-output-mode.js';
import {
  AsyncRetryStrategies,
  ExponentialBackoffDelayRetryStrategyBuilder,
} from '../../../../src/core/api/async-retry-strategies.js';
import type { AsyncRetryStrategy } from '../../../../src/core/api/async-retry-strategy.js';
import { AsyncTimeoutError } from '../../../../src/core/api/async-timeout-error.js';
import { RetryPredicates } from '../../../../src/core/api/retry-predicates.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
} from '../../../../src/core/runtime/operator-snapshot-codec.js';
import { AsyncWaitOperator } from '../../../../src/core/runtime/operators/async-wait-operator.js';
import type { OperatorSnapshot } from '../../../../src/core/runtime/stream-operator.js';
import {
  type HarnessEvent,
  OperatorTestHarness,
} from '../../../../src/core/testing/operator-test-harness.js';

interface Call {
  readonly input: number;
  readonly future: ResultFuture<string>;
}

/**
 * An async function whose requests complete only when the test says so. Tracks what was called
 * and the most requests it ever had open at once.
 */
class Controlled {
  readonly open: Call[] = [];
  readonly calls: number[] = [];
  maxOpen = 0;
  readonly fn: AsyncFunction<number, string> = (input, future) => {
    this.calls.push(input);
    this.open.push({ input, future });
    this.maxOpen = Math.max(this.maxOpen, this.open.length);
  };

  /** Completes the open request at `index` (mod the number open) with the results of its input. */
  completeAt(index: number): void {
    const [call] = this.open.splice(index % this.open.length, 1);
    call!.future.complete(resultsOf(call!.input));
  }
}

/** Zero, one or two results per input, so flat results are covered. */
function resultsOf(input: number): string[] {
  if (input % 5 === 3) return [];
  if (input % 5 === 4) return [`${input}a`, `${input}b`];
  return [`${input}`];
}

function harnessFor(
  fn: AsyncFunction<number, string>,
  mode: AsyncOutputMode,
  capacity: number,
  timeout = 0,
  retryStrategy?: AsyncRetryStrategy<string>,
): OperatorTestHarness<string, number> {
  return new OperatorTestHarness<string, number>(
    () => new AsyncWaitOperator<number, string>(fn, { outputMode: mode, timeout, capacity, retryStrategy }),
  );
}

type Op = { kind: 'record'; id: number; ts: number } | { kind: 'watermark'; wm: number };

/** Records get increasing ids and timestamps; a watermark covers every record before it. */
function toOps(kinds: readonly ('r' | 'w')[]): Op[] {
  let id = 0;
  return kinds.map((k, i) =>
    k === 'r' ? { kind: 'record', id: id++, ts: i * 10 } : { kind: 'watermark', wm: i * 10 },
  );
}

type Norm = { r: string; ts: number | null } | { w: number };

/** Consecutive watermarks collapse to the last one: the queue may merge them, and it means the same. */
function collapse(events: readonly Norm[]): Norm[] {
  const out: Norm[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if ('w' in e && last && 'w' in last) out[out.length - 1] = e;
    else out.push(e);
  }
  return out;
}

function normalize(events: readonly HarnessEvent<string>[]): Norm[] {
  return collapse(
    events.flatMap((e): Norm[] =>
      e.kind === 'record'
        ? [{ r: e.value, ts: e.timestamp }]
        : e.kind === 'watermark'
          ? [{ w: e.watermark }]
          : [],
    ),
  );
}

/** What an operator that emits in input order must produce for `ops`. */
function expectedOrdered(ops: readonly Op[]): Norm[] {
  return collapse(
    ops.flatMap((o): Norm[] =>
      o.kind === 'record' ? resultsOf(o.id).map((r) => ({ r, ts: o.ts })) : [{ w: o.wm }],
    ),
  );
}

function feed(h: OperatorTestHarness<string, number>, op: Op): void {
  if (op.kind === 'record') h.processElement(op.id, op.ts);
  else h.processWatermark(op.wm);
}

/**
 * The unordered contract: the same records, each between the same two watermarks as its input.
 * Record results carry their input's timestamp, so the segment of a result is found from it.
 */
function checkUnordered(ops: readonly Op[], events: readonly Norm[]): void {
  const expected = expectedOrdered(ops);
  const sortRecords = (ns: readonly Norm[]) =>
    ns.flatMap((n) => ('r' in n ? [n.r] : [])).sort((a, b) => a.localeCompare(b));
  expect(sortRecords(events)).toEqual(sortRecords(expected));
  expect(events.filter((n) => 'w' in n)).toEqual(expected.filter((n) => 'w' in n));
  const segmentOf = (ns: readonly Norm[]) => {
    const m = new Map<string, number>();
    let seg = 0;
    for (const n of ns) {
      if ('w' in n) seg++;
      else m.set(n.r, seg);
    }
    return m;
  };
  expect(segmentOf(events)).toEqual(segmentOf(expected));
}

/**
 * Every watermark in `events` comes after exactly the records before it in the input (results
 * carry their input's timestamp, and a watermark covers the records with smaller timestamps).
 */
function checkWatermarkBarriers(expected: readonly Norm[], events: readonly Norm[]): void {
  const before: string[] = [];
  for (const n of events) {
    if ('r' in n) before.push(n.r);
    else {
      const due = expected.flatMap((e) => ('r' in e && e.ts! < n.w ? [e.r] : []));
      expect([...before].sort()).toEqual(due.sort());
    }
  }
}

const opsArb = fc.array(
  fc.oneof({ weight: 4, arbitrary: fc.constant('r' as const) }, fc.constant('w' as const)),
  {
    maxLength: 40,
  },
);

/** Feeds `ops`, completing random open requests in between, then everything left; returns when finished. */
async function runRandom(
  ctl: Controlled,
  h: OperatorTestHarness<string, number>,
  ops: readonly Op[],
  choices: readonly number[],
  capacity: number,
): Promise<void> {
  let c = 0;
  const next = () => choices[c++ % choices.length]!;
  for (const op of ops) {
    feed(h, op);
    expect(ctl.open.length).toBeLessThanOrEqual(capacity);
    while (ctl.open.length > 0 && next() % 3 === 0) ctl.completeAt(next());
  }
  const finished = h.finish();
  while (ctl.open.length > 0) ctl.completeAt(next());
  await finished;
}

describe('AsyncWaitOperator, ordered', () => {
  it('emits in input order whatever the completion order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        opsArb,
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 64 }),
        async (kinds, capacity, choices) => {
          const ops = toOps(kinds);
          const ctl = new Controlled();
          const h = harnessFor(ctl.fn, AsyncOutputMode.ORDERED, capacity);
          await h.open();
          await runRandom(ctl, h, ops, choices, capacity);
          expect(normalize(h.events)).toEqual(expectedOrdered(ops));
          expect(ctl.maxOpen).toBeLessThanOrEqual(capacity);
        },
      ),
      { seed: 20261122, numRuns: 300 },
    );
  });

  it('holds a completed result back until every earlier one is out', async () => {
    const ctl = new Controlled();
    const h = harnessFor(ctl.fn, AsyncOutputMode.ORDERED, 10);
    await h.open();
    h.processElement(0, 1);
    h.processElement(1, 2);
    ctl.completeAt(1);
    expect(h.extractOutputValues()).toEqual([]);
    ctl.completeAt(0);
    expect(h.extractOutputValues()).toEqual(['0', '1']);
  });

  it('emits synchronous results at once, with the input timestamp and no blocking', async () => {
    const h = harnessFor((n, rf) => rf.complete([`${n}`]), AsyncOutputMode.ORDERED, 1);
    await h.open();
    for (let i = 0; i < 5; i++) h.processElement(i, i * 10);
    h.processWatermark(45);
    expect(h.events).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => ({ kind: 'record', value: `${i}`, timestamp: i * 10 })),
      { kind: 'watermark', watermark: 45 },
    ]);
    await h.drainPending(); // nothing was blocked on
    await h.finish();
  });

  it('accepts a promise of the results', async () => {
    const h = harnessFor(async (n) => [`${n}`, `${n}!`], AsyncOutputMode.ORDERED, 4);
    await h.open();
    h.processElement(1);
    h.processElement(2);
    await h.finish();
    expect(h.extractOutputValues()).toEqual(['1', '1!', '2', '2!']);
  });

  it('ignores a second completion of the same request', async () => {
    const futures: ResultFuture<string>[] = [];
    const h = harnessFor((_n, rf) => void futures.push(rf), AsyncOutputMode.ORDERED, 4);
    await h.open();
    h.processElement(1);
    futures[0]!.complete(['a']);
    futures[0]!.complete(['b']);
    futures[0]!.completeExceptionally(new Error('late'));
    expect(h.extractOutputValues()).toEqual(['a']);
    await h.finish();
  });
});

describe('AsyncWaitOperator, unordered', () => {
  it('never lets a record cross a watermark, whatever the completion order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        opsArb,
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 64 }),
        async (kinds, capacity, choices) => {
          const ops = toOps(kinds);
          const ctl = new Controlled();
          const h = harnessFor(ctl.fn, AsyncOutputMode.UNORDERED, capacity);
          await h.open();
          await runRandom(ctl, h, ops, choices, capacity);
          checkUnordered(ops, normalize(h.events));
          checkWatermarkBarriers(expectedOrdered(ops), normalize(h.events));
          expect(ctl.maxOpen).toBeLessThanOrEqual(capacity);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('emits in completion order between watermarks, and holds later records behind a watermark', async () => {
    const ctl = new Controlled();
    const h = harnessFor(ctl.fn, AsyncOutputMode.UNORDERED, 10);
    await h.open();
    h.processElement(0, 1);
    h.processElement(1, 2);
    h.processWatermark(5);
    h.processElement(2, 6);
    ctl.completeAt(1); // input 1 overtakes input 0
    ctl.completeAt(1); // input 2: after the watermark, must wait for input 0
    expect(normalize(h.events)).toEqual([{ r: '1', ts: 2 }]);
    ctl.completeAt(0);
    expect(normalize(h.events)).toEqual([{ r: '1', ts: 2 }, { r: '0', ts: 1 }, { w: 5 }, { r: '2', ts: 6 }]);
  });
});

describe('AsyncWaitOperator, capacity', () => {
  it('starts no request beyond the capacity and blocks its input while full', async () => {
    const ctl = new Controlled();
    const blocked: PromiseLike<unknown>[] = [];
    const h = harnessFor(ctl.fn, AsyncOutputMode.ORDERED, 2);
    const setupParams = (h.operator as any).params;
    const realBlockOn = setupParams.blockOn;
    (h.operator as any).params = {
      ...setupParams,
      blockOn: (p: PromiseLike<unknown>) => {
        blocked.push(p);
        realBlockOn(p);
      },
    };
    await h.open();
    h.processElement(0);
    expect(blocked).toHaveLength(0);
    h.processElement(1);
    expect(blocked).toHaveLength(1); // full: the task must stop taking input
    h.processElement(2); // a burst still arriving waits unstarted
    h.processWatermark(10);
    expect(ctl.calls).toEqual([0, 1]);
    let released = false;
    void blocked[0]!.then(() => {
      released = true;
    });
    ctl.completeAt(0);
    expect(ctl.calls).toEqual([0, 1, 2]);
    await Promise.resolve();
    expect(released).toBe(false); // still full: 1 and 2 are in flight
    ctl.completeAt(0);
    ctl.completeAt(0);
    await Promise.resolve();
    expect(released).toBe(true);
    expect(normalize(h.events)).toEqual([
      { r: '0', ts: null },
      { r: '1', ts: null },
      { r: '2', ts: null },
      { w: 10 },
    ]);
  });
});

describe('AsyncWaitOperator, timeouts', () => {
  it('fails with AsyncTimeoutError by default when processing time passes the timeout', async () => {
    const ctl = new Controlled();
    const h = harnessFor(ctl.fn, AsyncOutputMode.ORDERED, 4, 100);
    await h.open();
    h.processElement(1);
    h.setProcessingTime(99);
    const finished = h.finish();
    h.setProcessingTime(100);
    await expect(finished).rejects.toBeInstanceOf(AsyncTimeoutError);
    await expect(h.drainPending()).rejects.toBeInstanceOf(AsyncTimeoutError);
  });

  it('lets the timeout handler complete with a fallback; the late answer is ignored', async () => {
    const ctl = new Controlled();
    const fn: AsyncFunction<number, string> = {
      asyncInvoke: ctl.fn as (n: number, rf: ResultFuture<string>) => void,
      timeout: (n, rf) => rf.complete([`fallback-${n}`]),
    };
    const h = harnessFor(fn, AsyncOutputMode.ORDERED, 4, 100);
    await h.open();
    h.processElement(1);
    h.setProcessingTime(50);
    h.processElement(2);
    h.setProcessingTime(100); // 1 times out, 2 not yet
    expect(h.extractOutputValues()).toEqual(['fallback-1']);
    ctl.completeAt(0); // the late answer for 1
    ctl.completeAt(0); // 2 in time
    expect(h.extractOutputValues()).toEqual(['fallback-1', '2']);
    await h.finish();
  });

  it('cancels the timeout of a request that completed', async () => {
    const ctl = new Controlled();
    const h = harnessFor(ctl.fn, AsyncOutputMode.ORDERED, 4, 100);
    await h.open();
    h.processElement(1);
    ctl.completeAt(0);
    h.setProcessingTime(1000);
    await h.finish();
    await h.drainPending();
    expect(h.extractOutputValues()).toEqual(['1']);
  });
});

describe('AsyncWaitOperator, failures', () => {
  it('completeExceptionally fails the operator', async () => {
    const ctl = new Controlled();
    const h = harnessFor(ctl.fn, AsyncOutputMode.UNORDERED, 4);
    await h.open();
    h.processElement(1);
    const boom = new Error('boom');
    ctl.open[0]!.future.completeExceptionally(boom);
    await expect(h.drainPending()).rejects.toBe(boom);
    await expect(h.finish()).rejects.toBe(boom);
  });

  it('a synchronous throw from asyncInvoke propagates to the task', async () => {
    const h = harnessFor(
      () => {
        throw new Error('sync');
      },
      AsyncOutputMode.ORDERED,
      4,
    );
    await h.open();
    expect(() => h.processElement(1)).toThrow('sync');
  });

  it('rejects results that are not iterable', async () => {
    const h = harnessFor((_n, rf) => rf.complete(42 as any), AsyncOutputMode.ORDERED, 4);
    await h.open();
    h.processElement(1);
    await expect(h.finish()).rejects.toBeInstanceOf(TypeError);
  });
});

describe('AsyncWaitOperator, retries', () => {
  it('retries failed calls after the fixed delay, on processing time', async () => {
    const attempts: number[] = [];
    const fn: AsyncFunction<number, string> = (n, rf) => {
      attempts.push(0);
      if (attempts.length < 3) rf.completeExceptionally(new Error(`attempt ${attempts.length}`));
      else rf.complete([`${n}`]);
    };
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(3, 50)
      .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
      .build();
    const h = harnessFor(fn, AsyncOutputMode.ORDERED, 4, 0, strategy);
    await h.open();
    h.processElement(7);
    expect(attempts).toHaveLength(1);
    h.setProcessingTime(49);
    expect(attempts).toHaveLength(1);
    h.setProcessingTime(50);
    expect(attempts).toHaveLength(2);
    h.setProcessingTime(100);
    expect(attempts).toHaveLength(3);
    expect(h.extractOutputValues()).toEqual(['7']);
    await h.finish();
  });

  it('retries empty results and gives up after maxAttempts calls, keeping the last answer', async () => {
    let calls = 0;
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(2, 10)
      .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
      .build();
    const h = harnessFor(
      (_n, rf) => {
        calls++;
        rf.complete([]);
      },
      AsyncOutputMode.UNORDERED,
      4,
      0,
      strategy,
    );
    await h.open();
    h.processElement(1);
    const finished = h.finish();
    h.setProcessingTime(10);
    await finished;
    expect(calls).toBe(2);
    expect(h.extractOutputValues()).toEqual([]);
  });

  it('fails once the strategy gives up on errors', async () => {
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(2, 10)
      .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
      .build();
    let calls = 0;
    const h = harnessFor(
      (_n, rf) => rf.completeExceptionally(new Error(`call ${++calls}`)),
      AsyncOutputMode.ORDERED,
      4,
      0,
      strategy,
    );
    await h.open();
    h.processElement(1);
    h.setProcessingTime(10);
    await expect(h.finish()).rejects.toThrow('call 2');
  });

  it('ignores a stale answer of a call that was already retried', async () => {
    const futures: ResultFuture<string>[] = [];
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(3, 10)
      .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
      .build();
    const h = harnessFor((_n, rf) => void futures.push(rf), AsyncOutputMode.ORDERED, 4, 0, strategy);
    await h.open();
    h.processElement(1);
    futures[0]!.complete([]);
    h.setProcessingTime(10);
    expect(futures).toHaveLength(2);
    futures[0]!.complete(['stale']);
    futures[1]!.complete(['fresh']);
    expect(h.extractOutputValues()).toEqual(['fresh']);
  });

  it('the timeout covers the retries', async () => {
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(100, 30)
      .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
      .build();
    let calls = 0;
    const h = harnessFor(
      (_n, rf) => {
        calls++;
        rf.completeExceptionally(new Error('down'));
      },
      AsyncOutputMode.ORDERED,
      4,
      100,
      strategy,
    );
    await h.open();
    h.processElement(1);
    for (let t = 10; t <= 100; t += 10) h.setProcessingTime(t);
    expect(calls).toBe(4); // at 0, 30, 60, 90
    await expect(h.finish()).rejects.toBeInstanceOf(AsyncTimeoutError);
  });

  it('exponential back-off grows by the multiplier up to the maximum', () => {
    const s = new ExponentialBackoffDelayRetryStrategyBuilder<string>(7, 100, 1000, 2).build();
    expect([1, 2, 3, 4, 5, 6].map((a) => s.getBackoffTimeMillis(a))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(s.canRetry(6)).toBe(true);
    expect(s.canRetry(7)).toBe(false);
    expect(AsyncRetryStrategies.NO_RETRY_STRATEGY.canRetry(1)).toBe(false);
  });
});

describe('AsyncWaitOperator, snapshots', () => {
  function roundTrip(s: OperatorSnapshot): OperatorSnapshot {
    return decodeOperatorSnapshot(encodeOperatorSnapshot(s));
  }

  it('replays in-flight and completed-but-held requests on restore, before new input', async () => {
    const ctl1 = new Controlled();
    const h1 = harnessFor(ctl1.fn, AsyncOutputMode.ORDERED, 2);
    await h1.open();
    h1.processElement(0, 10);
    h1.processElement(1, 20);
    h1.processElement(2, 30); // over capacity: waits unstarted
    ctl1.completeAt(1); // 1 completed, held behind 0
    expect(h1.extractOutputValues()).toEqual([]);
    const snapshot = roundTrip(h1.snapshot());
    await h1.close();

    const ctl2 = new Controlled();
    const h2 = harnessFor(ctl2.fn, AsyncOutputMode.ORDERED, 2);
    await h2.open([snapshot]);
    expect(ctl2.calls).toEqual([0, 1]); // 2 waits for a slot, as before
    h2.processElement(5, 60);
    const finished = h2.finish();
    while (ctl2.open.length > 0) ctl2.completeAt(0);
    await finished;
    expect(ctl2.calls).toEqual([0, 1, 2, 5]);
    expect(h2.events.filter((e) => e.kind === 'record')).toEqual([
      { kind: 'record', value: '0', timestamp: 10 },
      { kind: 'record', value: '1', timestamp: 20 },
      { kind: 'record', value: '2', timestamp: 30 },
      { kind: 'record', value: '5', timestamp: 60 },
    ]);
  });

  for (const mode of [AsyncOutputMode.ORDERED, AsyncOutputMode.UNORDERED]) {
    it(`${mode}: snapshot at any point + restore equals an uninterrupted run (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          opsArb,
          fc.nat(40),
          fc.integer({ min: 1, max: 5 }),
          fc.array(fc.nat(1000), { minLength: 1, maxLength: 64 }),
          async (kinds, cutAt, capacity, choices) => {
            const ops = toOps(kinds);
            const cut = Math.min(cutAt, ops.length);
            const ctl1 = new Controlled();
            const h1 = harnessFor(ctl1.fn, mode, capacity);
            await h1.open();
            let c = 0;
            const next = () => choices[c++ % choices.length]!;
            for (const op of ops.slice(0, cut)) {
              feed(h1, op);
              while (ctl1.open.length > 0 && next() % 3 === 0) ctl1.completeAt(next());
            }
            const snapshot = roundTrip(h1.snapshot());
            await h1.close();
            // Answers arriving after the snapshot belong to the failed run: they must change nothing.
            while (ctl1.open.length > 0) ctl1.completeAt(0);

            const ctl2 = new Controlled();
            const h2 = harnessFor(ctl2.fn, mode, capacity);
            await h2.open([snapshot]);
            await runRandom(ctl2, h2, ops.slice(cut), choices, capacity);

            const combined = [...normalize(h1.events), ...normalize(h2.events)];
            const expected = expectedOrdered(ops);
            const records = (ns: readonly Norm[]) => ns.filter((n) => 'r' in n);
            if (mode === AsyncOutputMode.ORDERED) {
              expect(records(combined)).toEqual(records(expected));
            } else {
              const sorted = (ns: readonly Norm[]) =>
                records(ns)
                  .map((n) => (n as { r: string }).r)
                  .sort();
              expect(sorted(combined)).toEqual(sorted(expected));
              checkWatermarkBarriers(expected, combined);
            }
          },
        ),
        { seed: 99, numRuns: 200 },
      );
    });
  }
});

describe('AsyncWaitOperator, end of input', () => {
  it('finish waits for every in-flight request', async () => {
    const ctl = new Controlled();
    const h = harnessFor(ctl.fn, AsyncOutputMode.UNORDERED, 4);
    await h.open();
    h.processElement(1);
    h.processElement(2);
    let done = false;
    const finished = Promise.resolve(h.finish()).then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    ctl.completeAt(0);
    await Promise.resolve();
    expect(done).toBe(false);
    ctl.completeAt(0);
    await finished;
    expect(h.extractOutputValues().sort()).toEqual(['1', '2']);
  });
});
