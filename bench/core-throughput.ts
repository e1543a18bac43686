/**
 * Throughput of the streaming core on one core, in-memory input:
 *   1. map -> filter chain over 1e6 events;
 *   2. keyBy + ValueState counter over 1e6 events and 10k keys.
 * Each job runs RUNS times (default 5) after a warm-up; the median events/s is reported.
 *
 *   npm run bench:core            # RUNS=7 EVENTS=2000000 npm run bench:core
 */
import {
  type Collector,
  type KeyedProcessContext,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from '../src/core/index.js';
import { CountingSink } from './counting-sink.js';

interface Event {
  readonly key: string;
  readonly amount: number;
}

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const KEYS = Number(process.env.KEYS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);

const keys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const events: Event[] = Array.from({ length: EVENTS }, (_, i) => ({ key: keys[i % KEYS]!, amount: i % 100 }));

class Counter extends KeyedProcessFunction<string, Event, number> {
  private count!: ValueState<number>;

  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }

  processElement(_e: Event, _ctx: KeyedProcessContext<string>, out: Collector<number>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    if (n % 1000 === 0) out.collect(n);
  }
}

async function chain(): Promise<number> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const sink = new CountingSink<number>();
  env
    .fromCollection(events)
    .map((e) => e.amount * 2)
    .filter((x) => x % 3 !== 0)
    .sinkTo(sink);
  const t0 = performance.now();
  await env.execute('map-filter');
  const dt = performance.now() - t0;
  if (sink.count === 0) throw new Error('chain produced nothing');
  return EVENTS / (dt / 1000);
}

async function keyedCounter(): Promise<number> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const sink = new CountingSink<number>();
  env
    .fromCollection(events)
    .keyBy((e) => e.key)
    .process(new Counter())
    .sinkTo(sink);
  const t0 = performance.now();
  await env.execute('keyed-counter');
  const dt = performance.now() - t0;
  if (sink.count !== Math.floor(EVENTS / KEYS / 1000) * KEYS)
    throw new Error(`unexpected count ${sink.count}`);
  return EVENTS / (dt / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(name: string, job: () => Promise<number>, bar: number): Promise<void> {
  await job(); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) rates.push(await job());
  const m = median(rates);
  const heap = process.memoryUsage().heapUsed / 1024 / 1024;
  console.log(
    `${name.padEnd(28)} median ${(m / 1e6).toFixed(2)}M events/s  (runs: ${rates.map((r) => (r / 1e6).toFixed(2)).join(', ')})  heap ${heap.toFixed(0)} MiB  bar ${(bar / 1e6).toFixed(1)}M ${m >= bar ? 'OK' : 'BELOW'}`,
  );
}

console.log(`node ${process.version}, ${EVENTS} events, ${KEYS} keys, ${RUNS} runs`);
await measure('map -> filter chain', chain, 2_000_000);
await measure('keyBy + ValueState counter', keyedCounter, 1_000_000);
