import { afterEach, describe, expect, it } from 'vitest';
import { CEP, Pattern } from '../../../src/cep/index.js';
import { CollectSink, ManualClock, StreamExecutionEnvironment } from '../../../src/core/index.js';
import { Pushable } from '../../util/pushable.js';
import { waitFor } from '../../util/wait-for.js';
import { type Ev, is, type KEv, keyed, punctuated, Report, sorted, TIMED_OUT } from './support.js';

// Event time against processing time in real jobs (Flink's CEPITCase runs the same patterns in
// both; CEPOperatorTest has processing-time variants). In event time the NFA sees events in
// timestamp order and time moves with watermarks; in processing time it sees them in arrival order,
// stamped with the processing time, and time moves with the clock: a ManualClock here.

const aNextB = () => Pattern.begin<Ev>('a').where(is('a')).next('b').where(is('b'));
/** b1 arrives before a1, though a1 has the earlier timestamp. */
const outOfOrder = keyed('A', 'b1@2 a1@1');

async function collect(inProcessingTime: boolean, input: KEv[], clock?: ManualClock) {
  const env = new StreamExecutionEnvironment({ parallelism: 1, autoWatermarkInterval: 0, clock });
  const ps = CEP.pattern(
    env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(punctuated<KEv>(5))
      .keyBy((e) => e.key),
    aNextB() as unknown as Pattern<KEv, any>,
  );
  return (inProcessingTime ? ps.inProcessingTime() : ps).process(new Report()).executeAndCollect();
}

describe('event time vs processing time', () => {
  it('event time: matches in timestamp order, stamped with the event timestamp', async () => {
    expect(await collect(false, outOfOrder)).toEqual(['A: a1 b1 @2']);
  });

  it('processing time: arrival order, so b1 before a1 is no "a next b"', async () => {
    expect(await collect(true, outOfOrder, new ManualClock(1000))).toEqual([]);
  });

  it('processing time: in arrival order it matches, stamped with the processing time', async () => {
    expect(await collect(true, keyed('A', 'a1@1 b1@2'), new ManualClock(1000))).toEqual(['A: a1 b1 @1000']);
  });

  it('processing time ignores watermarks: nothing is late', async () => {
    // With a delay of 5, z@100 moves the watermark to 95; a1@1 and b1@2 would be late in event time.
    const input = [...keyed('Z', 'z@100'), ...keyed('A', 'a1@1 b1@2')];
    expect(await collect(true, input, new ManualClock(7))).toEqual(['A: a1 b1 @7']);
    expect(await collect(false, input)).toEqual([]);
  });
});

describe('processing-time windows on a ManualClock', () => {
  const arrived: string[] = [];
  /** The first stage's condition sees every event when the CEP operator processes it. */
  const pattern = () =>
    Pattern.begin<Ev>('a')
      .where((e) => {
        arrived.push(e.name);
        return e.type === 'a';
      })
      .followedBy('b')
      .where(is('b'))
      .within(100);

  let input: Pushable<KEv> | undefined;
  afterEach(() => input?.end());

  function start(clock: ManualClock) {
    arrived.length = 0;
    const env = new StreamExecutionEnvironment({ parallelism: 1, autoWatermarkInterval: 0, clock });
    input = new Pushable<KEv>();
    const source = input;
    const main = CEP.pattern(
      env.fromAsyncIterable(() => source).keyBy((e) => e.key),
      pattern() as unknown as Pattern<KEv, any>,
    )
      .inProcessingTime()
      .process(new Report());
    const out = new CollectSink<string>();
    const timedOut = new CollectSink<string>();
    main.sinkTo(out);
    main.getSideOutput(TIMED_OUT).sinkTo(timedOut);
    const job = env.execute('cep processing time');
    const push = async (...evs: KEv[]) => {
      source.push(...evs);
      await waitFor(
        () => evs.every((e) => arrived.includes(e.name)),
        `${evs.map((e) => e.name)} at the CEP operator`,
      );
    };
    return { source, out, timedOut, job, push };
  }

  it('matches inside the window, times out by the clock alone, and a late b does not match', async () => {
    const clock = new ManualClock(1000);
    const { source, out, timedOut, job, push } = start(clock);
    await push(...keyed('A', 'a1'));
    clock.setTime(1050);
    await push(...keyed('A', 'b1'));
    await waitFor(() => out.values.length === 1, 'the match');
    expect(out.values).toEqual(['A: a1 b1 @1050']);

    // a2 at 1050: its window is [1050, 1150). Moving the clock past it times it out without events.
    await push(...keyed('A', 'a2'));
    clock.setTime(1149);
    expect(timedOut.values).toEqual([]);
    clock.setTime(1200);
    await waitFor(() => timedOut.values.length === 1, 'the timeout');
    expect(timedOut.values).toEqual(['A: a2 @1150']);

    // A b after the timeout starts nothing and completes nothing.
    await push(...keyed('A', 'b2'));
    source.end();
    await job;
    expect(out.values).toEqual(['A: a1 b1 @1050']);
    expect(sorted(timedOut.values)).toEqual(['A: a2 @1150']);
  });

  it('keys time out independently, each at its own first event + window', async () => {
    const clock = new ManualClock(0);
    const { source, timedOut, job, push } = start(clock);
    await push(...keyed('A', 'a1'));
    clock.setTime(30);
    await push(...keyed('B', 'a2'));
    clock.setTime(100);
    await waitFor(() => timedOut.values.length === 1, "A's timeout");
    expect(timedOut.values).toEqual(['A: a1 @100']);
    clock.setTime(500);
    await waitFor(() => timedOut.values.length === 2, "B's timeout");
    expect(timedOut.values).toEqual(['A: a1 @100', 'B: a2 @130']);
    source.end();
    await job;
  });
});
