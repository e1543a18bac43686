import { describe, expect, it } from 'vitest';
import {
  type BroadcastContext,
  BroadcastProcessFunction,
  type BroadcastReadOnlyContext,
  type Collector,
  type KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
  MapStateDescriptor,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/core/index.js';
import { Pushable } from '../../util/pushable.js';
import { waitFor } from '../../util/wait-for.js';

interface Payment {
  readonly user: string;
  readonly amount: number;
}

interface Rule {
  readonly id: string;
  /** Alert when a user's running total reaches this. */
  readonly limit: number;
  /** Reset every user's running total when the rule arrives. */
  readonly reset?: boolean;
}

type Out =
  | { kind: 'alert'; user: string; total: number; rule: string }
  | { kind: 'ack'; rule: string; subtask: number };

const rulesDesc = new MapStateDescriptor<string, Rule>('rules');
const totalDesc = new ValueStateDescriptor<number>('total');

class LimitRules extends KeyedBroadcastProcessFunction<string, Payment, Rule, Out> {
  private total!: ValueState<number>;

  override open(): void {
    this.total = this.getRuntimeContext().getState(totalDesc);
  }

  processElement(p: Payment, ctx: KeyedBroadcastReadOnlyContext<string>, out: Collector<Out>): void {
    const total = (this.total.value() ?? 0) + p.amount;
    this.total.update(total);
    for (const [, rule] of ctx.getBroadcastState(rulesDesc).immutableEntries()) {
      if (total >= rule.limit)
        out.collect({ kind: 'alert', user: ctx.getCurrentKey(), total, rule: rule.id });
    }
  }

  processBroadcastElement(rule: Rule, ctx: KeyedBroadcastContext, out: Collector<Out>): void {
    ctx.getBroadcastState(rulesDesc).put(rule.id, rule);
    if (rule.reset) ctx.applyToKeyedState(totalDesc, (_key, state: ValueState<number>) => state.clear());
    out.collect({ kind: 'ack', rule: rule.id, subtask: this.getRuntimeContext().getIndexOfThisSubtask() });
  }
}

describe('broadcast state', () => {
  it('a rule pushed mid-stream changes how every parallel instance processes its keys', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 3 });
    const payments = new Pushable<Payment>();
    const rules = new Pushable<Rule>();
    const out: Out[] = [];
    const sink = {
      createWriter: () => ({ write: (v: Out) => void out.push(v), flush() {}, close() {} }),
    };
    env
      .fromAsyncIterable(() => payments)
      .keyBy((p) => p.user)
      .connect(env.fromAsyncIterable(() => rules).broadcast(rulesDesc))
      .process(new LimitRules())
      .sinkTo(sink);
    const job = env.execute('rules');
    const users = ['ann', 'bob', 'cid', 'dan', 'eve', 'fay'];
    const acks = (rule: string) => out.filter((o) => o.kind === 'ack' && o.rule === rule).length;
    const alerts = () => out.filter((o) => o.kind === 'alert') as Extract<Out, { kind: 'alert' }>[];

    // Phase 1: no rule yet, totals grow to 100 per user and nothing alerts.
    for (const user of users) payments.push({ user, amount: 100 });
    await waitFor(() => payments.pulled === users.length, 'phase-1 payments pulled');
    rules.push({ id: 'r1', limit: 150 });
    await waitFor(() => acks('r1') === 3, 'every instance to receive r1');
    expect(alerts()).toEqual([]);

    // Phase 2: every user crosses 150 under r1, whichever instance owns the key.
    for (const user of users) payments.push({ user, amount: 60 });
    await waitFor(() => alerts().length === users.length, 'one alert per user');
    expect(
      alerts()
        .map((a) => a.user)
        .sort(),
    ).toEqual([...users].sort());
    expect(alerts().every((a) => a.total === 160 && a.rule === 'r1')).toBe(true);

    // Phase 3: a replacing rule resets all keyed totals through applyToKeyedState.
    rules.push({ id: 'r1', limit: 50, reset: true });
    await waitFor(() => acks('r1') === 6, 'every instance to receive the new r1');
    for (const user of users) payments.push({ user, amount: 40 });
    await waitFor(() => payments.pulled === users.length * 3, 'phase-3 payments pulled');
    payments.push({ user: 'ann', amount: 20 });
    await waitFor(() => alerts().length === users.length + 1, 'the alert after the reset');
    expect(alerts().at(-1)).toEqual({ kind: 'alert', user: 'ann', total: 60, rule: 'r1' });

    await job.cancel();
  });

  it('the element side of a non-keyed connection sees broadcast state read only', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    const words = new Pushable<string>();
    const rules = new Pushable<Rule>();
    const errors: string[] = [];
    const seen: string[] = [];
    env
      .fromAsyncIterable(() => words)
      .connect(env.fromAsyncIterable(() => rules).broadcast(rulesDesc))
      .process(
        new (class extends BroadcastProcessFunction<string, Rule, string> {
          processElement(w: string, ctx: BroadcastReadOnlyContext, out: Collector<string>): void {
            const state = ctx.getBroadcastState(rulesDesc) as any;
            if (typeof state.put === 'function') errors.push('writable on the element side');
            out.collect(`${w}:${state.size()}`);
          }
          processBroadcastElement(r: Rule, ctx: BroadcastContext): void {
            ctx.getBroadcastState(rulesDesc).put(r.id, r);
            try {
              ctx.getBroadcastState(new MapStateDescriptor<string, Rule>('undeclared'));
            } catch (e) {
              errors.push((e as Error).message);
            }
          }
        })(),
      )
      .sinkTo({ createWriter: () => ({ write: (v: string) => void seen.push(v), flush() {}, close() {} }) });
    const job = env.execute();
    rules.push({ id: 'a', limit: 1 }, { id: 'b', limit: 2 });
    await waitFor(() => errors.length === 4, 'both instances to reject the undeclared descriptor twice');
    words.push('x', 'y');
    await waitFor(() => seen.length === 2, 'both words');
    expect(seen.sort()).toEqual(['x:2', 'y:2']);
    expect(errors.every((e) => e.includes("broadcast state 'undeclared' was not declared"))).toBe(true);
    await job.cancel();
  });
});
