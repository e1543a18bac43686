import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregatingState,
  AggregatingStateDescriptor,
  assignKeyToParallelOperator,
  type Collector,
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type KeyedOnTimerContext,
  type KeyedProcessContext,
  KeyedProcessFunction,
  KeyedProcessOperator,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  type OperatorSnapshot,
  OperatorTestHarness,
  type ReducingState,
  ReducingStateDescriptor,
  StateTtlConfig,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/core/index.js';

interface Ev {
  readonly key: string;
  readonly v: number;
}

/** Touches every kind of keyed state, TTL, and both kinds of timers; emits what it reads. */
class EveryState extends KeyedProcessFunction<string, Ev, string> {
  private value!: ValueState<number>;
  private list!: ListState<number>;
  private map!: MapState<string, number>;
  private reducing!: ReducingState<number>;
  private aggregating!: AggregatingState<number, string>;
  private ttl!: ValueState<number>;

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.value = ctx.getState(new ValueStateDescriptor<number>('value'));
    this.list = ctx.getListState(new ListStateDescriptor<number>('list'));
    this.map = ctx.getMapState(new MapStateDescriptor<string, number>('map'));
    this.reducing = ctx.getReducingState(
      new ReducingStateDescriptor<number>('max', (a, b) => Math.max(a, b)),
    );
    this.aggregating = ctx.getAggregatingState(
      new AggregatingStateDescriptor<number, [number, number], string>('avg', {
        createAccumulator: () => [0, 0],
        add: (v, [s, n]) => [s + v, n + 1],
        getResult: ([s, n]) => (s / n).toFixed(2),
        merge: ([s1, n1], [s2, n2]) => [s1 + s2, n1 + n2],
      }),
    );
    const ttlDesc = new ValueStateDescriptor<number>('ttl');
    ttlDesc.enableTimeToLive(StateTtlConfig.newBuilder(50).build());
    this.ttl = ctx.getState(ttlDesc);
  }

  processElement(e: Ev, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const n = (this.value.value() ?? 0) + 1;
    this.value.update(n);
    this.list.add(e.v);
    if (e.v % 3 === 0) this.map.remove(String(e.v % 5));
    else this.map.put(String(e.v % 5), (this.map.get(String(e.v % 5)) ?? 0) + e.v);
    this.reducing.add(e.v);
    this.aggregating.add(e.v);
    const seenRecently = this.ttl.value();
    this.ttl.update(e.v);
    if (e.v % 4 === 0) this.list.update([...this.list.get()].slice(-2));
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5);
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 7);
    out.collect(
      `${e.key} n=${n} list=${[...this.list.get()]} map=${JSON.stringify([...this.map.entries()].sort())} max=${this.reducing.get()} avg=${this.aggregating.get()} recent=${seenRecently}`,
    );
  }

  override onTimer(ts: number, ctx: KeyedOnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()} timer ${ctx.timeDomain()}@${ts} n=${this.value.value()}`);
    if (ts % 2 === 0) this.value.clear();
  }
}

type Op = { k: 'el'; key: string; v: number; dt: number } | { k: 'wm'; dt: number } | { k: 'pt'; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('el' as const),
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      v: fc.integer({ min: 0, max: 30 }),
      dt: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('wm' as const), dt: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('pt' as const), dt: fc.integer({ min: 0, max: 30 }) }) },
);

const factory = () => new KeyedProcessOperator<string, Ev, string>(new EveryState(), (e) => e.key);

/** Applies ops to the instances (routing elements to the key's owner); returns each instance's output. */
function apply(
  ops: readonly Op[],
  harnesses: OperatorTestHarness<string>[],
  clock: { ts: number; wm: number; pt: number },
): void {
  for (const op of ops) {
    if (op.k === 'el') {
      clock.ts += op.dt;
      const owner = assignKeyToParallelOperator(op.key, 128, harnesses.length);
      harnesses[owner]!.processElement({ key: op.key, v: op.v }, clock.ts);
    } else if (op.k === 'wm') {
      clock.wm = Math.max(clock.wm, clock.ts - op.dt);
      for (const h of harnesses) h.processWatermark(clock.wm);
    } else {
      clock.pt += op.dt;
      for (const h of harnesses) h.setProcessingTime(clock.pt);
    }
  }
}

function perKey(lines: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of lines) {
    const key = l.split(' ')[0]!;
    m.set(key, [...(m.get(key) ?? []), l]);
  }
  return m;
}

async function harnesses(
  n: number,
  pt: number,
  restored?: OperatorSnapshot[],
): Promise<OperatorTestHarness<string>[]> {
  const hs = Array.from(
    { length: n },
    (_, i) =>
      new OperatorTestHarness<string>(factory, {
        keyed: true,
        parallelism: n,
        subtaskIndex: i,
        processingTime: pt,
      }),
  );
  for (const h of hs) await h.open(restored);
  return hs;
}

describe('snapshot -> restore of operator state', () => {
  it('continues with output identical to an uninterrupted run (every state kind, TTL, both timer kinds)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 80 }), fc.nat(), async (ops, cutSeed) => {
        const cut = ops.length === 0 ? 0 : cutSeed % (ops.length + 1);
        const [whole] = await harnesses(1, 0);
        apply(ops, [whole!], { ts: 0, wm: -Infinity, pt: 0 });

        const clock = { ts: 0, wm: -Infinity, pt: 0 };
        const [first] = await harnesses(1, 0);
        apply(ops.slice(0, cut), [first!], clock);
        // Through bytes, as a checkpoint would store it.
        const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(first!.snapshot()));
        const [second] = await harnesses(1, clock.pt, [snapshot]);
        apply(ops.slice(cut), [second!], clock);

        expect([...first!.extractOutputValues(), ...second!.extractOutputValues()]).toEqual(
          whole!.extractOutputValues(),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('restores into another parallelism with every key continuing where it was (1 -> 3 -> 2)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.nat(),
        fc.nat(),
        async (ops, s1, s2) => {
          const c1 = s1 % (ops.length + 1);
          const c2 = c1 + (s2 % (ops.length - c1 + 1));
          const [whole] = await harnesses(1, 0);
          apply(ops, [whole!], { ts: 0, wm: -Infinity, pt: 0 });

          const clock = { ts: 0, wm: -Infinity, pt: 0 };
          const one = await harnesses(1, 0);
          apply(ops.slice(0, c1), one, clock);
          const three = await harnesses(
            3,
            clock.pt,
            one.map((h) => h.snapshot()),
          );
          apply(ops.slice(c1, c2), three, clock);
          const two = await harnesses(
            2,
            clock.pt,
            three.map((h) => h.snapshot()),
          );
          apply(ops.slice(c2), two, clock);

          const got = perKey([...one, ...three, ...two].flatMap((h) => h.extractOutputValues()));
          expect(got).toEqual(perKey(whole!.extractOutputValues()));
        },
      ),
      { numRuns: 100 },
    );
  });
});
