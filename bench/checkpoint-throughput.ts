/**
 * Checkpoint costs of the streaming core, on one core, with FileCheckpointStorage in a temp dir:
 *   1. duration and size of a checkpoint against state size: a keyed ValueState job holding 1k,
 *      10k, 100k and 1M keys; CHECKPOINTS checkpoints triggered on the idle job, median duration
 *      (trigger -> stored, from getCheckpointStats) and size;
 *   2. throughput of bench/core-throughput.ts's keyed counter (keyBy + ValueState over 10k keys,
 *      parallelism 1) with checkpointing off vs every 1 s: the 1e6-event job itself, which ends
 *      before its first periodic checkpoint (only the final checkpoint runs), and the same job over
 *      LONG_EVENTS events from a sequence source, long enough for periodic checkpoints. Median of
 *      RUNS runs each after a warm-up, events/s and the overhead.
 *
 *   npm run bench:checkpoint      # RUNS=7 KEY_SIZES=1000,10000 LONG_EVENTS=30000000 npm run bench:checkpoint
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  AsyncIterableSource,
  type Collector,
  type JobClient,
  type KeyedProcessContext,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../src/core/index.js';
import { CountingSink } from './counting-sink.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const LONG_EVENTS = Number(process.env.LONG_EVENTS ?? 20_000_000);
const KEYS = Number(process.env.KEYS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);
const CHECKPOINTS = Number(process.env.CHECKPOINTS ?? 5);
const INTERVAL = Number(process.env.INTERVAL ?? 1000);
const KEY_SIZES = (process.env.KEY_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number);

interface Event {
  readonly key: string;
  readonly amount: number;
}

const keys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const events: Event[] = Array.from({ length: EVENTS }, (_, i) => ({ key: keys[i % KEYS]!, amount: i % 100 }));

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bench-chk-'));
}

/** bench/core-throughput.ts's counter, over any input. */
class Counter<T> extends KeyedProcessFunction<string, T, number> {
  private count!: ValueState<number>;

  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }

  processElement(_e: T, _ctx: KeyedProcessContext<string>, out: Collector<number>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    if (n % 1000 === 0) out.collect(n);
  }
}

// 1. Checkpoint duration and size against state size -------------------------------------------

/** Holds one ValueState<number> per key; counts the records it saw. */
class Holder extends KeyedProcessFunction<number, number, never> {
  static seen = 0;
  private value!: ValueState<number>;

  override open(): void {
    this.value = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('value'));
  }

  processElement(n: number): void {
    this.value.update(n);
    Holder.seen++;
  }
}

interface SizeRow {
  readonly keys: number;
  readonly stateBytes: number;
  readonly medianMs: number;
  readonly wallMs: number;
  readonly durations: readonly number[];
}

async function checkpointAgainstStateSize(n: number): Promise<SizeRow> {
  const dir = tempDir();
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  async function* input(): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) yield i;
    await done; // unbounded: the job stays up for the checkpoints
  }
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  env.getCheckpointConfig().setCheckpointStorage(dir);
  env
    .fromSource(
      new AsyncIterableSource(input, { bounded: false, maxBufferedItems: 10_000 }),
      WatermarkStrategy.noWatermarks(),
      'keys',
    )
    .keyBy((i) => i)
    .process(new Holder());
  Holder.seen = 0;
  const job: JobClient = env.execute(`state-${n}`);
  while (Holder.seen < n) await nextTurn();
  const durations: number[] = [];
  const walls: number[] = [];
  let stateBytes = 0;
  await job.triggerCheckpoint(); // warm-up
  for (let i = 0; i < CHECKPOINTS; i++) {
    const t0 = performance.now();
    await job.triggerCheckpoint();
    walls.push(performance.now() - t0);
    const last = job.getCheckpointStats().lastCompleted!;
    durations.push(last.duration);
    stateBytes = last.stateSize;
  }
  release();
  await job.cancel();
  rmSync(dir, { recursive: true, force: true });
  return { keys: n, stateBytes, medianMs: median(durations), wallMs: median(walls), durations };
}

// 2. Throughput with checkpointing off vs every INTERVAL ms ---------------------------------------

interface RunResult {
  readonly rate: number;
  readonly checkpoints: number;
}

async function keyedCounter(source: 'collection' | 'sequence', checkpointing: boolean): Promise<RunResult> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const dir = checkpointing ? tempDir() : undefined;
  if (dir) {
    env.enableCheckpointing(INTERVAL);
    env.getCheckpointConfig().setCheckpointStorage(dir);
  }
  const sink = new CountingSink<number>();
  const n = source === 'collection' ? EVENTS : LONG_EVENTS;
  if (source === 'collection') {
    env
      .fromCollection(events)
      .keyBy((e) => e.key)
      .process(new Counter<Event>())
      .sinkTo(sink);
  } else {
    env
      .fromSequence(0, n - 1)
      .keyBy((i) => keys[i % KEYS]!)
      .process(new Counter<number>())
      .sinkTo(sink);
  }
  const t0 = performance.now();
  const job = env.execute('keyed-counter');
  await job;
  const dt = performance.now() - t0;
  const checkpoints = job.getCheckpointStats().numberOfCompletedCheckpoints;
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (sink.count !== Math.floor(n / KEYS / 1000) * KEYS) throw new Error(`unexpected count ${sink.count}`);
  return { rate: n / (dt / 1000), checkpoints };
}

interface ThroughputRow {
  readonly job: string;
  readonly off: number;
  readonly on: number;
  readonly checkpoints: number;
  readonly offRuns: readonly number[];
  readonly onRuns: readonly number[];
}

async function throughput(source: 'collection' | 'sequence'): Promise<ThroughputRow> {
  await keyedCounter(source, false); // warm-up
  await keyedCounter(source, true);
  const off: number[] = [];
  const on: number[] = [];
  const cps: number[] = [];
  // Interleaved, so drift of the machine hits both sides alike.
  for (let i = 0; i < RUNS; i++) {
    off.push((await keyedCounter(source, false)).rate);
    const r = await keyedCounter(source, true);
    on.push(r.rate);
    cps.push(r.checkpoints);
  }
  const n = source === 'collection' ? EVENTS : LONG_EVENTS;
  return {
    job: `${source === 'collection' ? 'fromCollection' : 'fromSequence'}, ${fmtCount(n)} events`,
    off: median(off),
    on: median(on),
    checkpoints: median(cps),
    offRuns: off,
    onRuns: on,
  };
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function fmtBytes(b: number): string {
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  if (b >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${b} B`;
}

console.log(
  `node ${process.version}; FileCheckpointStorage in ${tmpdir()}; ${RUNS} runs, ${CHECKPOINTS} checkpoints per state size`,
);
console.log('\ncheckpoint duration against state size (keyed ValueState<number>, parallelism 1)');
console.log('| keys | state bytes | median duration (stats) | median trigger -> resolved | runs (ms) |');
console.log('| ---: | ---: | ---: | ---: | --- |');
for (const n of KEY_SIZES) {
  const r = await checkpointAgainstStateSize(n);
  console.log(
    `| ${fmtCount(r.keys)} | ${fmtBytes(r.stateBytes)} | ${r.medianMs} ms | ${r.wallMs.toFixed(1)} ms | ${r.durations.join(', ')} |`,
  );
}

console.log(
  `\nkeyed counter (keyBy + ValueState, ${fmtCount(KEYS)} keys, parallelism 1): checkpointing off vs every ${INTERVAL} ms`,
);
console.log('| job | off events/s | on events/s | overhead | checkpoints per run | bar |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
for (const source of ['collection', 'sequence'] as const) {
  const r = await throughput(source);
  const overhead = (1 - r.on / r.off) * 100;
  console.log(
    `| ${r.job} | ${(r.off / 1e6).toFixed(2)}M | ${(r.on / 1e6).toFixed(2)}M | ${overhead.toFixed(1)}% | ${r.checkpoints} | ${overhead <= 10 ? 'OK' : 'ABOVE 10%'} |`,
  );
  console.log(
    `    off runs: ${r.offRuns.map((x) => (x / 1e6).toFixed(2)).join(', ')}; on runs: ${r.onRuns.map((x) => (x / 1e6).toFixed(2)).join(', ')}`,
  );
}
