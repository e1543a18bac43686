import { describe, expect, it } from 'vitest';
import { DynamicCEP, type PatternUpdate } from '../../../../src/cep/index.js';
import { CollectSink, ManualClock, StreamExecutionEnvironment } from '../../../../src/core/index.js';
import { Pushable } from '../../../util/pushable.js';
import { waitFor } from '../../../util/wait-for.js';
import {
  compileCalls,
  compileDef,
  type Def,
  Describe,
  type Ev,
  ev,
  lateTag,
  punctuated,
  recordSeen,
  rejectedTag,
  seenKinds,
  seq,
  timedOutTag,
  upsert,
} from './helpers.js';

// Dynamic CEP in real jobs. Updates come from a bounded collection without watermarks unless
// said otherwise: the operator's event time (the minimum of both inputs) then stays put until
// every update is in, so all patterns see all events.

function env(parallelism = 2): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
}

function events(...specs: string[]): Ev[] {
  return specs.map(ev);
}

type Item = { readonly ev?: Ev; readonly update?: PatternUpdate<Def>; readonly ts: number };

/**
 * One source carrying events ('key:id@ts') and updates (with their event time, 0 by default),
 * split in two: watermarks then reach the operator on both inputs in step with the records, so
 * which events each update sees is decided by event time, not by scheduling.
 */
function split(
  e: StreamExecutionEnvironment,
  script: Array<string | PatternUpdate<Def> | [PatternUpdate<Def>, number]>,
) {
  const items: Item[] = script.map((s) => {
    if (typeof s === 'string') {
      const x = ev(s);
      return { ev: x, ts: x.ts };
    }
    return Array.isArray(s) ? { update: s[0], ts: s[1] } : { update: s, ts: 0 };
  });
  const src = e.fromCollection(items).setParallelism(1).assignTimestampsAndWatermarks(punctuated<Item>(0));
  const updates = src.filter((i) => i.update !== undefined).map((i) => i.update!);
  const input = src
    .filter((i) => i.ev !== undefined)
    .map((i) => i.ev!)
    .keyBy((x) => x.key);
  return { input, updates };
}

describe('DynamicCEP.patterns in a job', () => {
  it('runs two patterns on the same keyed stream, outputs tagged by pattern id', async () => {
    const e = env();
    const input = e
      .fromCollection(
        events('k1:a1@1000', 'k2:a2@1500', 'k1:b1@2000', 'k2:b2@2500', 'k1:c1@3000', 'k2:x@3500'),
      )
      .assignTimestampsAndWatermarks(punctuated<Ev>())
      .keyBy((x) => x.key);
    const updates = e.fromCollection<PatternUpdate<Def>>([
      upsert('ab', 1, seq('a', 'b')),
      upsert('abc', 1, seq('a', 'b', 'c')),
    ]);
    const out = await DynamicCEP.patterns(input, updates, compileDef)
      .process(new Describe())
      .executeAndCollect();
    expect([...out].sort()).toEqual([
      'ab@v1 k1: a1 b1 @2000',
      'ab@v1 k2: a2 b2 @2500',
      'abc@v1 k1: a1 b1 c1 @3000',
    ]);
  });

  it('patternOfKey: keys routed per pattern run only their own pattern', async () => {
    const e = env();
    // Keys name their pattern ('ab_k1' belongs to ab): without the option both patterns would
    // match on both keys.
    const input = e
      .fromCollection(
        events(
          'ab_k1:a1@1000',
          'ac_k1:a2@1100',
          'ab_k1:b1@2000',
          'ac_k1:b2@2100',
          'ab_k1:c1@3000',
          'ac_k1:c2@3100',
        ),
      )
      .assignTimestampsAndWatermarks(punctuated<Ev>())
      .keyBy((x) => x.key);
    const updates = e.fromCollection<PatternUpdate<Def>>([
      upsert('ab', 1, seq('a', 'b')),
      upsert('ac', 1, seq('a', 'c')),
    ]);
    const routed = await DynamicCEP.patterns(input, updates, compileDef, {
      patternOfKey: (key: string) => key.slice(0, key.indexOf('_')),
    })
      .process(new Describe())
      .executeAndCollect();
    expect([...routed].sort()).toEqual(['ab@v1 ab_k1: a1 b1 @2000', 'ac@v1 ac_k1: a2 c2 @3100']);
  });

  it('takes updates from the event stream itself: each applies from its own event time on', async () => {
    const e = env();
    const { input, updates } = split(e, [
      upsert('ab', 1, seq('a', 'b')),
      'k1:a1@1000',
      'k2:a2@1000',
      [upsert('ac', 1, seq('a', 'c')), 1500],
      'k1:b1@2000',
      'k1:c1@2100',
      'k2:a3@2200',
      // Replaces ab while k2 waits for a b: those partial matches go, ac's stay.
      [upsert('ab', 2, seq('a', 'b')), 2500],
      'k2:b2@3000',
      'k2:c2@3100',
      'k2:a4@3200',
      'k2:b3@3300',
    ]);
    const out = await DynamicCEP.patterns(input, updates, compileDef)
      .process(new Describe())
      .executeAndCollect();
    expect([...out].sort()).toEqual([
      'ab@v1 k1: a1 b1 @2000',
      'ab@v2 k2: a4 b3 @3300',
      'ac@v1 k2: a3 c2 @3100',
    ]);
  });

  it('rejects bad definitions to a side output once, keeps running the previous version', async () => {
    const e = env();
    const input = e
      .fromCollection(events('k1:a1@1000', 'k1:b1@2000', 'k2:a2@2500', 'k2:b2@3000'))
      .assignTimestampsAndWatermarks(punctuated<Ev>())
      .keyBy((x) => x.key);
    const updates = e.fromCollection<PatternUpdate<Def>>([
      upsert('ab', 1, seq('a', 'b')),
      upsert('ab', 2, { stages: [] }),
      upsert('ab', 3, {
        stages: [
          { name: 'a', kind: 'a' },
          { name: 'a', kind: 'b' },
        ],
      }),
    ]);
    const main = DynamicCEP.patterns(input, updates, compileDef, { rejectedUpdates: rejectedTag }).process(
      new Describe(),
    );
    const rejected = new CollectSink<string>();
    main
      .getSideOutput(rejectedTag)
      .map((r) => `${r.update.id} v${r.update.version}: ${r.reason}`)
      .sinkTo(rejected);
    const out = await main.executeAndCollect();
    expect([...out].sort()).toEqual(['ab@v1 k1: a1 b1 @2000', 'ab@v1 k2: a2 b2 @3000']);
    expect(rejected.values).toEqual([
      'ab v2: Error: stages must be a non-empty array',
      'ab v3: MalformedPatternError: Duplicate pattern name: a. Names must be unique.',
    ]);
  });

  it('fires within timeouts and absence by watermark; late events go to their side output', async () => {
    const e = env(1);
    const evIn = new Pushable<Ev>();
    const updates = e.fromCollection<PatternUpdate<Def>>([
      upsert('ab', 1, { ...seq('a', 'b'), within: 1000 }),
      upsert('absent', 1, { ...seq('a', ['b', 'notFollowedBy']), within: 1000 }),
    ]);
    const input = e
      .fromAsyncIterable(() => evIn)
      .assignTimestampsAndWatermarks(punctuated<Ev>(1))
      .keyBy((x) => x.key);
    const main = DynamicCEP.patterns(input, updates, compileDef)
      .sideOutputLateData(lateTag)
      .process(new Describe());
    const out = new CollectSink<string>();
    const timedOut = new CollectSink<string>();
    const late = new CollectSink<Ev>();
    main.sinkTo(out);
    main.getSideOutput(timedOutTag).sinkTo(timedOut);
    main.getSideOutput(lateTag).sinkTo(late);
    const job = e.execute('dynamic cep timeouts');
    evIn.push(ev('k1:a1@1000'), ev('k2:a2@1000'), ev('k1:b1@1500'), ev('k5:z@1600'));
    // This match needs the operator's event time at 1500, so both inputs' watermarks are there.
    await waitFor(() => out.values.length === 1, 'the k1 match');
    evIn.push(ev('k1:b9@100'), ev('k3:a3@5000'), ev('k3:b3@5500'), ev('k4:z@9000'));
    evIn.end();
    await job;
    // The absence is found when the watermark (4999 after a3) passes 2000 and is stamped with it,
    // as in CepOperator; a timed-out partial match carries the end of its window.
    expect(out.values).toEqual(['ab@v1 k1: a1 b1 @1500', 'absent@v1 k2: a2 @4999', 'ab@v1 k3: a3 b3 @5500']);
    expect(timedOut.values).toEqual(['ab@v1 k2: a2 timed out @2000']);
    expect(late.values.map((x) => x.id)).toEqual(['b9']);
  });

  it('processing time on a ManualClock: matches on arrival, timeouts when the clock passes them', async () => {
    const clock = new ManualClock(0);
    const e = new StreamExecutionEnvironment({ parallelism: 1, clock, autoWatermarkInterval: 0 });
    const evIn = new Pushable<Ev>();
    const upIn = new Pushable<PatternUpdate<Def>>();
    const main = DynamicCEP.patterns(
      e.fromAsyncIterable(() => evIn).keyBy((x) => x.key),
      e.fromAsyncIterable(() => upIn),
      compileDef,
    )
      .inProcessingTime()
      .process(new Describe());
    const out = new CollectSink<string>();
    const timedOut = new CollectSink<string>();
    main.sinkTo(out);
    main.getSideOutput(timedOutTag).sinkTo(timedOut);
    compileCalls.length = 0;
    seenKinds.length = 0;
    recordSeen.on = true;
    const job = e.execute('dynamic cep in processing time');

    upIn.push(upsert('ab', 1, { ...seq('a', 'b'), within: 100 }));
    await waitFor(() => compileCalls.length === 1, 'the pattern to be compiled');
    evIn.push(ev('k1:a1@0'), ev('k1:b1@0'));
    await waitFor(() => out.values.length === 1, 'the k1 match');
    clock.setTime(30);
    evIn.push(ev('k2:a2@0'));
    await waitFor(() => seenKinds.includes('a2'), 'a2 at the operator');
    clock.setTime(129);
    evIn.push(ev('k3:x1@0'));
    await waitFor(() => seenKinds.includes('x1'), 'x1 at the operator');
    expect(timedOut.values).toEqual([]);
    clock.setTime(130);
    await waitFor(() => timedOut.values.length === 1, 'the k2 timeout');
    expect(out.values).toEqual(['ab@v1 k1: a1 b1 @0']);
    expect(timedOut.values).toEqual(['ab@v1 k2: a2 timed out @130']);
    evIn.end();
    upIn.end();
    expect((await job).status).toBe('FINISHED');
    recordSeen.on = false;
  });
});
