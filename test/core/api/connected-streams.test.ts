import { describe, expect, it } from 'vitest';
import {
  AbstractRichFunction,
  type Collector,
  CollectSink,
  CoProcessFunction,
  JobExecutionError,
  KeyedCoProcessFunction,
  type KeyedProcessContext,
  type ProcessContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/core/index.js';

/** mulberry32: a seeded PRNG for reproducible shuffles. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const rnd = prng(seed);
  const a = [...values];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('connect + CoMapFunction', () => {
  it('maps each input with its own method, keeping the order of each input', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const numbers = env.fromElements(1, 2, 3, 4);
    const words = env.fromElements('a', 'b', 'c');
    const out = await numbers
      .connect(words)
      .map({
        map1: (n: number) => `n${n * 10}`,
        map2: (w: string) => `w${w.toUpperCase()}`,
      })
      .executeAndCollect();
    expect(out).toHaveLength(7);
    expect(out.filter((s) => s.startsWith('n'))).toEqual(['n10', 'n20', 'n30', 'n40']);
    expect(out.filter((s) => s.startsWith('w'))).toEqual(['wA', 'wB', 'wC']);
  });

  it('works at parallelism 3 and a rich CoMap sees its subtask index', async () => {
    class Tagger extends AbstractRichFunction {
      map1(n: number): [string, number, number] {
        return ['left', n, this.getRuntimeContext().getIndexOfThisSubtask()];
      }
      map2(n: number): [string, number, number] {
        return ['right', n, this.getRuntimeContext().getIndexOfThisSubtask()];
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const out = await env
      .fromSequence(0, 299)
      .connect(env.fromSequence(1000, 1149))
      .map(new Tagger())
      .executeAndCollect();
    expect(out).toHaveLength(450);
    const left = out.filter((t) => t[0] === 'left').map((t) => t[1]);
    const right = out.filter((t) => t[0] === 'right').map((t) => t[1]);
    expect(left.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(right.sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => 1000 + i));
    expect(new Set(out.map((t) => t[2]))).toEqual(new Set([0, 1, 2]));
  });
});

describe('connect + CoFlatMapFunction', () => {
  it('emits zero or more records per input element from either side', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env
      .fromElements(1, 2, 3)
      .connect(env.fromElements('x y', '', 'z'))
      .flatMap({
        flatMap1(n: number, c: Collector<string>) {
          for (let i = 0; i < n; i++) c.collect(`#${n}`);
        },
        flatMap2(line: string, c: Collector<string>) {
          for (const w of line.split(' ')) if (w) c.collect(w);
        },
      })
      .executeAndCollect();
    expect(out.filter((s) => s.startsWith('#'))).toEqual(['#1', '#2', '#2', '#3', '#3', '#3']);
    expect(out.filter((s) => !s.startsWith('#'))).toEqual(['x', 'y', 'z']);
  });
});

describe('connect + CoProcessFunction (non-keyed)', () => {
  it('processes both inputs with per-instance fields and sees element timestamps', async () => {
    class Counter extends CoProcessFunction<number, string, string> {
      private lefts = 0;
      private rights = 0;
      processElement1(v: number, ctx: ProcessContext, out: Collector<string>): void {
        this.lefts++;
        out.collect(`L${v}@${ctx.timestamp()}#${this.lefts}`);
      }
      processElement2(v: string, _ctx: ProcessContext, out: Collector<string>): void {
        this.rights++;
        out.collect(`R${v}#${this.rights}`);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env
      .fromElements(1, 2)
      .connect(env.fromElements('a', 'b', 'c'))
      .process(new Counter())
      .executeAndCollect();
    // fromElements records carry no timestamp.
    expect(out.filter((s) => s.startsWith('L'))).toEqual(['L1@null#1', 'L2@null#2']);
    expect(out.filter((s) => s.startsWith('R'))).toEqual(['Ra#1', 'Rb#2', 'Rc#3']);
  });

  it('registering a timer on non-keyed connected streams fails the job with a clear error', async () => {
    class WithTimer extends CoProcessFunction<number, number, number> {
      processElement1(v: number, ctx: ProcessContext, out: Collector<number>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 10);
        out.collect(v);
      }
      processElement2(v: number, _ctx: ProcessContext, out: Collector<number>): void {
        out.collect(v);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.fromElements(1).connect(env.fromElements(2)).process(new WithTimer()).sinkTo(new CollectSink());
    const err = await env.execute('co-timer').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobExecutionError);
    expect(((err as Error).cause as Error).message).toMatch(/timers is only supported on keyed streams/i);
  });

  it('current processing time and watermark are readable without keying', async () => {
    class Clocks extends CoProcessFunction<number, number, boolean> {
      processElement1(_v: number, ctx: ProcessContext, out: Collector<boolean>): void {
        out.collect(typeof ctx.timerService().currentProcessingTime() === 'number');
      }
      processElement2(_v: number, ctx: ProcessContext, out: Collector<boolean>): void {
        out.collect(typeof ctx.timerService().currentWatermark() === 'number');
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env
      .fromElements(1)
      .connect(env.fromElements(2))
      .process(new Clocks())
      .executeAndCollect();
    expect(out).toEqual([true, true]);
  });

  it('rejects connecting a keyed stream with a non-keyed one', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const keyed = env.fromElements(1, 2).keyBy((n) => n);
    const plain = env.fromElements(3);
    expect(() => keyed.connect(plain).map({ map1: (n: number) => n, map2: (n: number) => n })).toThrow(
      /both be keyed or both be non-keyed/,
    );
  });
});

interface Order {
  readonly id: number;
  readonly item: string;
  readonly qty: number;
}

interface Payment {
  readonly orderId: number;
  readonly amount: number;
}

interface Paid {
  readonly id: number;
  readonly item: string;
  readonly amount: number;
  readonly firstSeen: 'order' | 'payment';
  readonly subtask: number;
}

/** Emits when both the order and its payment arrived, whichever came first; state is shared per key. */
class OrderPaymentJoin extends KeyedCoProcessFunction<number, Order, Payment, Paid> {
  private order!: ValueState<Order>;
  private payment!: ValueState<Payment>;

  override open(): void {
    this.order = this.getRuntimeContext().getState(new ValueStateDescriptor<Order>('order'));
    this.payment = this.getRuntimeContext().getState(new ValueStateDescriptor<Payment>('payment'));
  }

  processElement1(o: Order, ctx: KeyedProcessContext<number>, out: Collector<Paid>): void {
    if (ctx.getCurrentKey() !== o.id) throw new Error(`key ${ctx.getCurrentKey()} for order ${o.id}`);
    const p = this.payment.value();
    if (p === undefined) {
      this.order.update(o);
      return;
    }
    this.payment.update(undefined);
    out.collect(this.joined(o, p, 'payment'));
  }

  processElement2(p: Payment, ctx: KeyedProcessContext<number>, out: Collector<Paid>): void {
    if (ctx.getCurrentKey() !== p.orderId)
      throw new Error(`key ${ctx.getCurrentKey()} for payment ${p.orderId}`);
    const o = this.order.value();
    if (o === undefined) {
      this.payment.update(p);
      return;
    }
    this.order.update(undefined);
    out.collect(this.joined(o, p, 'order'));
  }

  private joined(o: Order, p: Payment, firstSeen: 'order' | 'payment'): Paid {
    return {
      id: o.id,
      item: o.item,
      amount: p.amount,
      firstSeen,
      subtask: this.getRuntimeContext().getIndexOfThisSubtask(),
    };
  }
}

describe('connect(...).keyBy(k1, k2).process(KeyedCoProcessFunction)', () => {
  it('joins orders and payments by id in either arrival order, sharing keyed state across inputs', async () => {
    const n = 600;
    const orders: Order[] = shuffled(
      Array.from({ length: n }, (_, id) => ({ id, item: `item-${id % 17}`, qty: 1 + (id % 5) })),
      7,
    );
    // Every id but the multiples of 10 gets paid; the amounts tell the pairs apart.
    const payments: Payment[] = shuffled(
      Array.from({ length: n }, (_, id) => id)
        .filter((id) => id % 10 !== 0)
        .map((id) => ({ orderId: id, amount: id * 100 + 1 })),
      11,
    );

    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
    const out = await env
      .fromCollection(orders)
      .connect(env.fromCollection(payments))
      .keyBy(
        (o) => o.id,
        (p) => p.orderId,
      )
      .process(new OrderPaymentJoin())
      .executeAndCollect('order-payment join');

    const expectedIds = payments.map((p) => p.orderId).sort((a, b) => a - b);
    expect(out.map((r) => r.id).sort((a, b) => a - b)).toEqual(expectedIds);
    for (const r of out) {
      expect(r.amount).toBe(r.id * 100 + 1);
      expect(r.item).toBe(`item-${r.id % 17}`);
    }
    // All four subtasks took part.
    expect(new Set(out.map((r) => r.subtask))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('joins when all payments come strictly before their orders (payment stored first)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    // Orders are released only after every payment has been seen by the join.
    let paymentsSeen = 0;
    let release!: () => void;
    const allPaymentsSeen = new Promise<void>((r) => {
      release = r;
    });
    const ids = [5, 3, 9, 1];
    async function* orders(): AsyncGenerator<Order> {
      await allPaymentsSeen;
      for (const id of ids) yield { id, item: `i${id}`, qty: 1 };
    }
    const payments = env.fromCollection(ids.map((id) => ({ orderId: id, amount: id })));
    const out = await env
      .fromAsyncIterable(orders)
      .connect(
        payments.map((p) => {
          if (++paymentsSeen === ids.length) release();
          return p;
        }),
      )
      .keyBy('id', 'orderId')
      .process(new OrderPaymentJoin())
      .executeAndCollect();
    expect(out.map((r) => r.id).sort((a, b) => a - b)).toEqual([1, 3, 5, 9]);
    expect(out.every((r) => r.firstSeen === 'payment')).toBe(true);
  });

  it('joins when all orders come strictly before their payments (order stored first)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    let ordersSeen = 0;
    let release!: () => void;
    const allOrdersSeen = new Promise<void>((r) => {
      release = r;
    });
    const ids = [2, 4, 6, 8, 10];
    async function* payments(): AsyncGenerator<Payment> {
      await allOrdersSeen;
      for (const id of ids) yield { orderId: id, amount: id };
    }
    const out = await env
      .fromCollection(ids.map((id): Order => ({ id, item: `i${id}`, qty: 1 })))
      .map((o) => {
        if (++ordersSeen === ids.length) release();
        return o;
      })
      .connect(env.fromAsyncIterable(payments))
      .keyBy('id', 'orderId')
      .process(new OrderPaymentJoin())
      .executeAndCollect();
    expect(out.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
    expect(out.every((r) => r.firstSeen === 'order')).toBe(true);
  });

  it('keyed timers work on keyed connected streams (fire at end of input)', async () => {
    class Timeout extends KeyedCoProcessFunction<string, [string, number], [string, number], string> {
      processElement1(v: [string, number], ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerEventTimeTimer(v[1] + 100);
      }
      processElement2(v: [string, number], ctx: KeyedProcessContext<string>): void {
        ctx.timerService().registerEventTimeTimer(v[1] + 200);
      }
      override onTimer(ts: number, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
        out.collect(`${ctx.getCurrentKey()}@${ts}`);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const out = await env
      .fromElements<[string, number]>(['a', 1], ['b', 2])
      .connect(env.fromElements<[string, number]>(['a', 3]))
      .keyBy(
        (t) => t[0],
        (t) => t[0],
      )
      .process(new Timeout())
      .executeAndCollect();
    expect(out.sort()).toEqual(['a@101', 'a@203', 'b@102']);
  });
});
