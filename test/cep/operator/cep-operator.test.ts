import { describe, expect, it } from 'vitest';
import {
  CEP,
  Pattern,
  type PatternContext,
  PatternProcessFunction,
  type TimedOutPartialMatchHandler,
} from '../../../src/cep/index.js';
import { CollectSink } from '../../../src/core/connectors/collect-sink.js';
import {
  type Collector,
  Duration,
  OutputTag,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';

interface Pay {
  readonly card: string;
  readonly amount: number;
  readonly ts: number;
}

const minutes = Duration.ofMinutes;

function env(parallelism = 2): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
}

/** Punctuated watermarks (max timestamp - 1 s), so matching happens during the run. */
const strategy = WatermarkStrategy.forGenerator<Pay>(() => {
  let max = Number.NEGATIVE_INFINITY;
  return {
    onEvent: (_e, ts, out) => {
      max = Math.max(max, ts);
      out.emitWatermark(max - 1000);
    },
    onPeriodicEmit: () => {},
  };
}).withTimestampAssigner((p: Pay) => p.ts);

const cardTesting = Pattern.begin<Pay>('small')
  .where((p) => p.amount < 5)
  .times(3)
  .followedBy('large')
  .where((p) => p.amount > 500)
  .within(minutes(10));

class Describe extends PatternProcessFunction<Pay, string> implements TimedOutPartialMatchHandler<Pay> {
  static readonly timedOut = new OutputTag<string>('timed-out');

  processMatch(m: Map<string, Pay[]>, ctx: PatternContext, out: Collector<string>): void {
    const parts = [...m.entries()].map(([stage, ps]) => `${stage}=${ps.map((p) => p.amount).join('+')}`);
    out.collect(`${[...m.values()][0]![0]!.card}@${ctx.timestamp()} ${parts.join(' ')}`);
  }

  processTimedOutMatch(m: Map<string, Pay[]>, ctx: PatternContext): void {
    ctx.output(Describe.timedOut, `${[...m.values()][0]![0]!.card} timed out at ${ctx.timestamp()}`);
  }
}

describe('CEP.pattern on a keyed stream', () => {
  it('finds card testing per card in event time, out of order within the watermark delay', async () => {
    const e = env();
    const pays: Pay[] = [
      { card: 'A', amount: 1, ts: 1_000 },
      { card: 'B', amount: 2, ts: 1_100 },
      { card: 'A', amount: 3, ts: 2_500 },
      { card: 'A', amount: 2, ts: 2_000 }, // out of order, within the 1 s delay
      { card: 'B', amount: 900, ts: 3_000 }, // B had only one small payment
      { card: 'A', amount: 999, ts: 4_000 },
    ];
    const out = await CEP.pattern(
      e
        .fromCollection(pays)
        .assignTimestampsAndWatermarks(strategy)
        .keyBy((p) => p.card),
      cardTesting,
    )
      .process(new Describe())
      .executeAndCollect();
    expect(out).toEqual(['A@4000 small=1+2+3 large=999']);
  });

  it('reports partial matches that time out, and late events, on side outputs', async () => {
    const e = env(1);
    const late = new OutputTag<Pay>('late');
    const pays: Pay[] = [
      { card: 'A', amount: 1, ts: 0 },
      { card: 'A', amount: 1, ts: 1_000 },
      { card: 'A', amount: 1, ts: 2_000 },
      { card: 'A', amount: 600, ts: minutes(11) }, // too late for the window
      { card: 'A', amount: 1, ts: 500 }, // behind the watermark
    ];
    const main = CEP.pattern(
      e
        .fromCollection(pays)
        .assignTimestampsAndWatermarks(strategy)
        .keyBy((p) => p.card),
      cardTesting,
    )
      .sideOutputLateData(late)
      .process(new Describe());
    const timedOut = new CollectSink<string>();
    const lateSink = new CollectSink<Pay>();
    main.getSideOutput(Describe.timedOut).sinkTo(timedOut);
    main.getSideOutput(late).sinkTo(lateSink);
    const out = await main.executeAndCollect();
    expect(out).toEqual([]);
    expect(timedOut.values).toContain(`A timed out at ${minutes(10)}`);
    expect(lateSink.values).toEqual([{ card: 'A', amount: 1, ts: 500 }]);
  });

  it('detects absence: a notFollowedBy at the end fires when the watermark passes the window', async () => {
    const e = env(1);
    const dormant = Pattern.begin<Pay>('login')
      .where((p) => p.amount === 0)
      .notFollowedBy('activity')
      .where((p) => p.amount > 0)
      .within(minutes(5));
    const pays: Pay[] = [
      { card: 'A', amount: 0, ts: 0 }, // nothing follows for A
      { card: 'B', amount: 0, ts: 1_000 },
      { card: 'B', amount: 10, ts: 60_000 }, // B is active
      { card: 'C', amount: 0, ts: minutes(20) }, // only the final watermark passes C's window
    ];
    const out = await CEP.pattern(
      e
        .fromCollection(pays)
        .assignTimestampsAndWatermarks(strategy)
        .keyBy((p) => p.card),
      dormant,
    )
      .select((m) => `${m.get('login')![0]!.card} dormant`)
      .executeAndCollect();
    expect([...out].sort()).toEqual(['A dormant', 'C dormant']);
  });

  it('select and flatSelect with a timeout function', async () => {
    const e = env(1);
    const tag = new OutputTag<string>('to');
    const pays: Pay[] = [
      { card: 'A', amount: 1, ts: 0 },
      { card: 'A', amount: 1, ts: 10 },
      { card: 'A', amount: 1, ts: 20 },
      { card: 'A', amount: 700, ts: 30 },
      { card: 'B', amount: 1, ts: 40 },
    ];
    const main = CEP.pattern(
      e
        .fromCollection(pays)
        .assignTimestampsAndWatermarks(strategy)
        .keyBy((p) => p.card),
      cardTesting,
    ).flatSelect(
      tag,
      (m, ts, out) => out.collect(`${m.get('small')!.length} small then timeout@${ts}`),
      (m, out) => {
        for (const p of m.get('small')!) out.collect(`small ${p.ts}`);
      },
    );
    const timeouts = new CollectSink<string>();
    main.getSideOutput(tag).sinkTo(timeouts);
    const out = await main.executeAndCollect();
    expect(out).toEqual(['small 0', 'small 10', 'small 20']);
    expect(timeouts.values.length).toBeGreaterThan(0);
    expect(timeouts.values.every((v) => v.includes('timeout@'))).toBe(true);
  });
});
