import { describe, expect, it } from 'vitest';
import {
  AbstractRichFunction,
  DataGeneratorSource,
  DEFAULT_MAX_RECORDS_PER_POLL,
  type Sink,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';

/**
 * Backpressure: a slow sink must slow its source down instead of letting records pile up.
 *
 * How the runtime bounds the records in flight (src/core/runtime/channel.ts, stream-task.ts):
 * - An exchange channel is "full" once it holds `bufferCapacity` (C) elements and becomes
 *   writable again when drained to C/2. While any output channel is full the producing task is
 *   not scheduled and takes no input.
 * - A source task checks that flag only between polls, and one `pollNext` emits up to
 *   `maxRecordsPerPoll` (P, default 256) records. A poll starts only while the channel is not
 *   full, i.e. holds at most C - 1 elements, so the channel after a source never holds more than
 *   C - 1 + P elements.
 * - A one-input task checks the flag after every input element; a map emits one record per
 *   element, so its output channel never exceeds C.
 * - A sink whose `write` returns a promise blocks its task until the promise settles: it takes the
 *   next element only after the previous write completed.
 *
 * When the sink is called with record r, r has already been taken out of its input channel; the
 * records the source emitted but the sink has not yet been called with are exactly those still in
 * the channels. Hence at every write:
 *   source -> [C] -> sink:               emitted - written <= C - 2 + P
 *   source -> [C] -> map -> [C] -> sink: emitted - written <= (C - 1 + P) + (C - 1) = 2C + P - 2
 * Without backpressure the difference would grow to nearly the whole input (20k).
 *
 * (With P >= C a poll always fills the channel, so polls start only after a drain to C/2 and the
 * single-exchange case actually peaks at C/2 + P - 1 = 287 here; the tests assert the general
 * bound above.)
 */

const N = 20_000;
const CAPACITY = 64;

/**
 * Shared by reference with every parallel copy of the counting function: a class instance, since
 * plain-data fields of a function object are deep-copied per instance (as Flink's serialization does).
 */
class EmitCounter {
  emitted = 0;
}

/** Counts the records taken from the source (chained to it, so counted as they are emitted). */
class CountEmitted extends AbstractRichFunction {
  constructor(private readonly counter: EmitCounter) {
    super();
  }
  map(v: number): number {
    this.counter.emitted++;
    return v;
  }
}

interface SlowSinkStats {
  written: number[];
  maxLag: number;
  maxInFlight: number;
}

/** A sink whose writes complete on the next event-loop turn; records the lag at every write. */
function slowSink(counter: EmitCounter, stats: SlowSinkStats): Sink<number> {
  let inFlight = 0;
  return {
    createWriter: () => ({
      write(v: number): Promise<void> {
        stats.written.push(v);
        const lag = counter.emitted - stats.written.length;
        if (lag > stats.maxLag) stats.maxLag = lag;
        inFlight++;
        if (inFlight > stats.maxInFlight) stats.maxInFlight = inFlight;
        return new Promise<void>((resolve) =>
          setImmediate(() => {
            inFlight--;
            resolve();
          }),
        );
      },
      flush: () => {},
      close: () => {},
    }),
  };
}

function newStats(): SlowSinkStats {
  return { written: [], maxLag: 0, maxInFlight: 0 };
}

function expectAllInOrder(written: readonly number[]): void {
  expect(written).toHaveLength(N);
  for (let i = 0; i < N; i++) {
    if (written[i] !== i) expect.fail(`record ${i} is ${written[i]}`);
  }
}

describe('backpressure from a slow sink', () => {
  it('source -> slow sink over one exchange: the lag stays within C - 2 + P', async () => {
    const counter = new EmitCounter();
    const stats = newStats();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 }).setBufferCapacity(
      CAPACITY,
    );
    env
      .fromSequence(0, N - 1)
      .map(new CountEmitted(counter))
      .rebalance()
      .sinkTo(slowSink(counter, stats));
    const result = await env.execute('slow sink');
    expect(result.status).toBe('FINISHED');

    const P = DEFAULT_MAX_RECORDS_PER_POLL;
    expect(counter.emitted).toBe(N);
    expectAllInOrder(stats.written);
    expect(stats.maxLag).toBeLessThanOrEqual(CAPACITY - 2 + P);
    // The source did run ahead by a poll (so the bound is really exercised), no more.
    expect(stats.maxLag).toBeGreaterThanOrEqual(P - 1);
    expect(stats.maxInFlight).toBe(1);
  });

  it('a smaller poll batch gives a bound of a small multiple of the capacity', async () => {
    const P = 16;
    const counter = new EmitCounter();
    const stats = newStats();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 }).setBufferCapacity(
      CAPACITY,
    );
    env
      .fromSource(
        new DataGeneratorSource((i) => i, N, { maxRecordsPerPoll: P }),
        WatermarkStrategy.noWatermarks(),
        'gen',
      )
      .map(new CountEmitted(counter))
      .rebalance()
      .sinkTo(slowSink(counter, stats));
    await env.execute();

    expectAllInOrder(stats.written);
    expect(stats.maxLag).toBeLessThanOrEqual(CAPACITY - 2 + P);
    expect(stats.maxLag).toBeLessThanOrEqual(2 * CAPACITY);
    // The channel filled up to its capacity at least once before the source was paused.
    expect(stats.maxLag).toBeGreaterThanOrEqual(CAPACITY - 1);
  });

  it('two exchanges (source -> map -> sink as three tasks): the lag stays within 2C + P - 2', async () => {
    const counter = new EmitCounter();
    const stats = newStats();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 }).setBufferCapacity(
      CAPACITY,
    );
    env
      .fromSequence(0, N - 1)
      .map(new CountEmitted(counter))
      .rebalance()
      .map((v) => v)
      .rebalance()
      .sinkTo(slowSink(counter, stats));
    expect(env.getJobGraph().vertices).toHaveLength(3);
    await env.execute();

    const P = DEFAULT_MAX_RECORDS_PER_POLL;
    expectAllInOrder(stats.written);
    expect(stats.maxLag).toBeLessThanOrEqual(2 * CAPACITY + P - 2);
    expect(stats.maxInFlight).toBe(1);
  });

  it('a parallel source feeding one slow sink: the lag stays within p * (C - 2 + P)', async () => {
    // Each of the 2 source instances has its own channel to the sink.
    const counter = new EmitCounter();
    const stats = newStats();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 }).setBufferCapacity(
      CAPACITY,
    );
    env
      .fromSequence(0, N - 1)
      .map(new CountEmitted(counter))
      .rebalance()
      .sinkTo(slowSink(counter, stats))
      .setParallelism(1);
    await env.execute();

    const P = DEFAULT_MAX_RECORDS_PER_POLL;
    expect(stats.written).toHaveLength(N);
    expect([...stats.written].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    // Each source instance's records arrive in order.
    const half = N / 2;
    const low = stats.written.filter((v) => v < half);
    const high = stats.written.filter((v) => v >= half);
    expect(low).toEqual([...low].sort((a, b) => a - b));
    expect(high).toEqual([...high].sort((a, b) => a - b));
    expect(stats.maxLag).toBeLessThanOrEqual(2 * (CAPACITY - 1 + P));
  });

  it('a slow sink chained to its source gets one write at a time (waits for each write promise)', async () => {
    // SinkWriter contract: "When `write` returns a promise the task waits for it before the next
    // record". Here the sink is chained to the source (no exchange): the source emits a whole
    // poll batch through the chain, so the sink must not be handed the next record of that batch
    // before the previous write settled.
    const counter = new EmitCounter();
    const stats = newStats();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 }).setBufferCapacity(
      CAPACITY,
    );
    env.fromSequence(0, 999).map(new CountEmitted(counter)).sinkTo(slowSink(counter, stats));
    expect(env.getJobGraph().vertices).toHaveLength(1);
    await env.execute();
    expect(stats.written).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(stats.maxInFlight).toBe(1);
  });
});
