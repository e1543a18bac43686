import { describe, expect, it } from 'vitest';
import { CEP, Pattern } from '../../../src/cep/index.js';
import { CollectSink, OutputTag, StreamExecutionEnvironment } from '../../../src/core/index.js';
import { type Ev, is, type KEv, keyed, punctuated, Report, sorted } from './support.js';

// Late events in event time, after Flink's CEPOperatorTest.testCEPOperatorSideOutputLateElementsEventTime
// and CEPITCase's out-of-order event-time scenarios: events are buffered and sorted until the
// watermark passes them; an event at or behind the watermark is late and either dropped or sent to
// sideOutputLateData. Parallelism 1 so that the watermark sequence is exactly the arrival order's.

const LATE = new OutputTag<KEv>('late');
const ab = () => Pattern.begin<Ev>('a').where(is('a')).followedBy('b').where(is('b'));

async function job(input: KEv[], delay: number, withLateTag: boolean) {
  const env = new StreamExecutionEnvironment({ parallelism: 1, autoWatermarkInterval: 0 });
  let stream = CEP.pattern(
    env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(punctuated<KEv>(delay))
      .keyBy((e) => e.key),
    ab() as unknown as Pattern<KEv, any>,
  );
  if (withLateTag) stream = stream.sideOutputLateData(LATE);
  const main = stream.process(new Report());
  const late = new CollectSink<KEv>();
  main.getSideOutput(LATE).sinkTo(late);
  const out = await main.executeAndCollect();
  return { out: sorted(out), late: late.values.map((e) => `${e.key}: ${e.name}@${e.ts}`) };
}

/** Arrival order: A's a1@10 and b1@12, then a2@5 behind the watermark (11), then A's b2@20. */
const withLateA = [...keyed('A', 'a1@10 b1@12 a2@5 b2@20'), ...keyed('B', 'a1@21 b1@22')];

describe('late events (Flink CEPOperatorTest side output of late elements)', () => {
  it('are dropped by default: they start nothing and take part in nothing', async () => {
    const { out, late } = await job(withLateA, 1, false);
    // a2@5 would have made "a2 b2" (and "a2 b1"); dropped, only a1's match remains.
    expect(out).toEqual(['A: a1 b1 @12', 'B: a1 b1 @22']);
    expect(late).toEqual([]);
  });

  it('go to sideOutputLateData unchanged, and the matches are the same', async () => {
    const { out, late } = await job(withLateA, 1, true);
    expect(out).toEqual(['A: a1 b1 @12', 'B: a1 b1 @22']);
    expect(late).toEqual(['A: a2@5']);
  });

  it('an event exactly at the watermark is late', async () => {
    // After b1@12 the watermark is 11; a2@11 is at the watermark.
    const { out, late } = await job(keyed('A', 'a1@10 b1@12 a2@11 b2@20'), 1, true);
    expect(out).toEqual(['A: a1 b1 @12']);
    expect(late).toEqual(['A: a2@11']);
  });

  it('out-of-order events within the watermark delay are not late: they are sorted before matching', async () => {
    // b1@12 arrives before a1@10; with a delay of 5 the watermark is still 7 then.
    const { out, late } = await job(keyed('A', 'b1@12 a1@10 b2@20'), 5, true);
    expect(out).toEqual(['A: a1 b1 @12']);
    expect(late).toEqual([]);
  });

  it('the same out-of-order arrival with no delay: the earlier event is late and the match is lost', async () => {
    const { out, late } = await job(keyed('A', 'b1@12 a1@10 b2@20'), 1, true);
    expect(out).toEqual([]);
    expect(late).toEqual(['A: a1@10']);
  });

  it('lateness is per operator watermark, not per key: a key with no events of its own still sees it', async () => {
    // B's first event arrives after A moved the watermark to 29.
    const { out, late } = await job([...keyed('A', 'a1@10 b1@30'), ...keyed('B', 'a1@20 b1@31')], 1, true);
    expect(out).toEqual(['A: a1 b1 @30']);
    expect(late).toEqual(['B: a1@20']);
  });
});
