/**
 * Window throughput on one core, in-memory input, 1e6 events over 10k keys, event time 1 ms per
 * event (1000 s in all), periodic bounded-out-of-orderness watermarks:
 *   1. keyed tumbling-window sum (60 s windows);
 *   2. keyed sliding-window sum with 10 panes (60 s windows sliding every 6 s).
 * Median of RUNS runs after a warm-up.
 *
 *   npm run bench:windows         # RUNS=7 EVENTS=2000000 npm run bench:windows
 */
import { StreamExecutionEnvironment, WatermarkStrategy } from '../src/core/index.js';
import { SlidingEventTimeWindows } from '../src/core/windows/assigners/sliding-event-time-windows.js';
import { TumblingEventTimeWindows } from '../src/core/windows/assigners/tumbling-event-time-windows.js';
import type { TimeWindow } from '../src/core/windows/window.js';
import type { WindowAssigner } from '../src/core/windows/window-assigner.js';
import { CountingSink } from './counting-sink.js';

interface Event {
  readonly key: string;
  readonly ts: number;
  readonly amount: number;
}

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const KEYS = Number(process.env.KEYS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);

const keys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const events: Event[] = Array.from({ length: EVENTS }, (_, i) => ({
  key: keys[(i * 7919) % KEYS]!,
  ts: i,
  amount: i % 100,
}));

async function windowSum(
  assigner: WindowAssigner<Event, TimeWindow>,
): Promise<{ rate: number; outputs: number }> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const sink = new CountingSink<Event>();
  env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(1000).withTimestampAssigner((e) => e.ts),
    )
    .keyBy((e) => e.key)
    .window(assigner)
    .sum('amount')
    .sinkTo(sink);
  const t0 = performance.now();
  await env.execute('window-sum');
  const dt = performance.now() - t0;
  return { rate: EVENTS / (dt / 1000), outputs: sink.count };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(
  name: string,
  assigner: () => WindowAssigner<Event, TimeWindow>,
  bar?: number,
): Promise<void> {
  await windowSum(assigner());
  const rates: number[] = [];
  let outputs = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await windowSum(assigner());
    rates.push(r.rate);
    outputs = r.outputs;
  }
  const m = median(rates);
  const heap = process.memoryUsage().heapUsed / 1024 / 1024;
  const verdict = bar === undefined ? '' : `  bar ${(bar / 1000).toFixed(0)}k ${m >= bar ? 'OK' : 'BELOW'}`;
  console.log(
    `${name.padEnd(34)} median ${(m / 1000).toFixed(0)}k events/s  (runs: ${rates.map((r) => (r / 1000).toFixed(0)).join(', ')})  ${outputs} results  heap ${heap.toFixed(0)} MiB${verdict}`,
  );
}

console.log(`node ${process.version}, ${EVENTS} events, ${KEYS} keys, ${RUNS} runs`);
await measure('tumbling 60 s window sum', () => TumblingEventTimeWindows.of(60_000), 500_000);
await measure('sliding 60 s / 6 s (10 panes) sum', () => SlidingEventTimeWindows.of(60_000, 6_000));
