import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  decodeOperatorSnapshot,
  EventTimeSessionWindows,
  encodeOperatorSnapshot,
  OperatorTestHarness,
  OutputTag,
  type ProcessWindowContext,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
  type WindowAssigner,
  WindowOperator,
} from '../../../src/core/index.js';
import { processWindowFunction } from '../../../src/core/windows/internal-window-function.js';

interface Ev {
  readonly key: string;
  readonly v: number;
}

class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${[...els].map((e) => e.v).join(',')}`);
  }
}

const late = new OutputTag<Ev>('late');

type Op = { k: 'el'; key: string; v: number; ts: number } | { k: 'wm'; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('el' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      v: fc.integer({ min: 0, max: 99 }),
      ts: fc.integer({ min: 0, max: 120 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('wm' as const), dt: fc.integer({ min: 1, max: 25 }) }) },
);

const assigners: Array<() => WindowAssigner<Ev, TimeWindow>> = [
  () => TumblingEventTimeWindows.of(10),
  () => SlidingEventTimeWindows.of(15, 5),
  () => EventTimeSessionWindows.withGap(7),
];

function harness(
  assigner: () => WindowAssigner<Ev, TimeWindow>,
  lateness: number,
): OperatorTestHarness<string, Ev> {
  return new OperatorTestHarness<string, Ev>(
    () => {
      const a = assigner();
      return new WindowOperator<Ev, Ev, string, string, TimeWindow>({
        assigner: a,
        trigger: a.getDefaultTrigger(),
        evictor: undefined,
        allowedLateness: lateness,
        lateDataTag: late,
        keySelector: (e) => e.key,
        contents: { kind: 'list' },
        windowFunction: processWindowFunction(new Describe()),
      });
    },
    { keyed: true },
  );
}

function apply(ops: readonly Op[], h: OperatorTestHarness<string, Ev>, clock: { wm: number }): void {
  for (const op of ops) {
    if (op.k === 'el') h.processElement({ key: op.key, v: op.v }, op.ts);
    else {
      clock.wm += op.dt;
      h.processWatermark(clock.wm);
    }
  }
}

describe('window state across snapshot and restore', () => {
  it('tumbling, sliding and session windows with lateness continue identically after a restore', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 60 }),
        fc.nat(),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(0, 8),
        async (ops, cutSeed, which, lateness) => {
          const cut = cutSeed % (ops.length + 1);
          const whole = harness(assigners[which]!, lateness);
          await whole.open();
          apply(ops, whole, { wm: 0 });
          whole.processWatermark(1_000);

          const clock = { wm: 0 };
          const first = harness(assigners[which]!, lateness);
          await first.open();
          apply(ops.slice(0, cut), first, clock);
          const second = harness(assigners[which]!, lateness);
          await second.open([decodeOperatorSnapshot(encodeOperatorSnapshot(first.snapshot()))]);
          apply(ops.slice(cut), second, clock);
          second.processWatermark(1_000);

          const strip = (h: OperatorTestHarness<string, Ev>) =>
            h.events.filter((e) => e.kind !== 'watermark');
          expect([...strip(first), ...strip(second)]).toEqual(strip(whole));
        },
      ),
      { numRuns: 150 },
    );
  });
});
