/**
 * CEP throughput and memory on one core, at two levels:
 *   - "NFA": the library directly (compileNFA, NFA, a Map<key, NFAState>; per event advanceTime then
 *     process; a key's state is dropped once the NFA says it is empty);
 *   - "job": a job on the engine (parallelism 1): pre-generated events from a collection,
 *     monotonous event-time watermarks (periodic, default 200 ms interval), keyBy, CEP.pattern,
 *     select into a sink that only counts matches.
 * Workloads are described in bench/cep-workloads.ts (W1 strict sequence, W2 skip-till-any of
 * length 2..6, W3 Kleene a b+ c, W4 absence over 100k keys with a memory check).
 * Each workload/level: one warm-up run, then CEP_BENCH_RUNS timed runs (default 5); the median,
 * min and max events/s and the matches are printed. Bytes per partial match: heap delta after
 * global.gc() / live partial matches (needs node --expose-gc).
 *
 *   npm run bench:cep                       # everything
 *   npm run bench:cep -- W2                 # only W2 (also W1, W2/L3, W3, W4; nfa / job for one level)
 *   CEP_BENCH_RUNS=3 CEP_W1_EVENTS=1000000 npm run bench:cep -- W1 nfa
 *
 * Event counts: CEP_W1_EVENTS, CEP_W2_L<n>_EVENTS (or CEP_W2_SCALE), CEP_W3_EVENTS, CEP_W4_EVENTS;
 * keys: CEP_W1_KEYS, CEP_W4_KEYS.
 */
import { CEP } from '../src/cep/index.js';
import { compileNFA, NFA, type NFAState } from '../src/cep/nfa/index.js';
import type { Pattern } from '../src/cep/pattern/index.js';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../src/core/index.js';
import {
  fmtInt,
  fmtMiB,
  fmtRate,
  hasGc,
  heapAfterGc,
  printTable,
  type Summary,
  sleep,
  summarize,
} from './cep-stats.js';
import {
  allWorkloads,
  type Ev,
  memoryEvents,
  W4_KEYS,
  W4_WINDOW,
  type Workload,
  w4MemoryEvents,
  w4Pattern,
} from './cep-workloads.js';
import { CountingSink } from './counting-sink.js';

const RUNS = Number(process.env.CEP_BENCH_RUNS ?? 5);

interface RunResult {
  readonly ms: number;
  readonly matches: number;
}

// ---------------------------------------------------------------------------------------------
// NFA level
// ---------------------------------------------------------------------------------------------

/** The per-key driver of the NFA level (what the CEP operator does, minus the engine). */
class NfaDriver {
  readonly nfa: NFA<Ev>;
  readonly states = new Map<string, NFAState<Ev>>();
  matches = 0;

  constructor(pattern: Pattern<Ev, any>) {
    this.nfa = new NFA<Ev>(compileNFA(pattern));
  }

  feed(events: readonly Ev[], from = 0, to = events.length): void {
    const { nfa, states } = this;
    let matches = 0;
    for (let i = from; i < to; i++) {
      const e = events[i]!;
      let state = states.get(e.key);
      if (state === undefined) {
        state = nfa.createInitialState();
        states.set(e.key, state);
      }
      matches += nfa.advanceTime(state, e.ts).matches.length;
      matches += nfa.process(state, e, e.ts).length;
      if (nfa.isStateEmpty(state)) states.delete(e.key);
    }
    this.matches += matches;
  }

  /** Advances every live key to `ts` (timeouts, completed absences) and drops emptied keys. */
  advanceAll(ts: number): void {
    const { nfa, states } = this;
    for (const [key, state] of states) {
      this.matches += nfa.advanceTime(state, ts).matches.length;
      if (nfa.isStateEmpty(state)) states.delete(key);
    }
  }

  /** Live partial matches (not the start state), held matches and shared-buffer sizes. */
  census(): { keys: number; partial: number; held: number; bufferEvents: number; bufferNodes: number } {
    let partial = 0;
    let held = 0;
    let bufferEvents = 0;
    let bufferNodes = 0;
    for (const s of this.states.values()) {
      for (const cs of s.partialMatches) if (cs.previous !== null) partial++;
      held += s.completedMatches.length;
      bufferEvents += s.buffer.eventCount();
      bufferNodes += s.buffer.nodeCount();
    }
    return { keys: this.states.size, partial, held, bufferEvents, bufferNodes };
  }
}

function runNfa(w: Workload, events: readonly Ev[]): RunResult {
  const t0 = performance.now();
  const d = new NfaDriver(w.pattern());
  d.feed(events);
  if (w.flushAt) d.advanceAll(w.flushAt(events));
  return { ms: performance.now() - t0, matches: d.matches };
}

interface MemorySample {
  readonly at: number;
  readonly heapDelta: number;
  readonly keys: number;
  readonly partial: number;
  readonly bufferEvents: number;
  readonly bufferNodes: number;
}

/**
 * Feeds the stream once more, stopping at 25/50/75/100% to measure the heap after GC and count the
 * live partial matches; returns the sample with the most partial matches (the peak).
 */
function nfaMemory(w: Workload, stream: readonly Ev[]): MemorySample {
  const events = memoryEvents(w, stream);
  const d0 = heapAfterGc();
  const d = new NfaDriver(w.pattern());
  let best: MemorySample | undefined;
  let from = 0;
  for (const frac of [0.25, 0.5, 0.75, 1]) {
    const to = Math.round(events.length * frac);
    d.feed(events, from, to);
    from = to;
    const heap = heapAfterGc();
    const c = d.census();
    const sample = { at: to, heapDelta: heap - d0, ...c };
    if (best === undefined || sample.partial > best.partial) best = sample;
  }
  if (d.matches < 0) console.log('unreachable'); // keeps `d` alive through the last measurement
  return best!;
}

// ---------------------------------------------------------------------------------------------
// Job level
// ---------------------------------------------------------------------------------------------

const monotonous = () => WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);

async function runJob(w: Workload, events: readonly Ev[]): Promise<RunResult> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const sink = new CountingSink<number>();
  CEP.pattern(
    env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e.key),
    w.pattern(),
  )
    .select(() => 1)
    .sinkTo(sink);
  const t0 = performance.now();
  await env.execute(`cep-${w.id}`);
  return { ms: performance.now() - t0, matches: sink.count };
}

// ---------------------------------------------------------------------------------------------
// Running and printing
// ---------------------------------------------------------------------------------------------

interface LevelResult {
  readonly level: string;
  readonly events: number;
  readonly rate: Summary;
  readonly matches: number;
  readonly consistent: boolean;
}

async function measure(
  level: string,
  events: readonly Ev[],
  run: () => RunResult | Promise<RunResult>,
): Promise<LevelResult> {
  const warm = await run();
  const rates: number[] = [];
  let consistent = true;
  for (let i = 0; i < RUNS; i++) {
    const r = await run();
    rates.push(events.length / (r.ms / 1000));
    if (r.matches !== warm.matches) consistent = false;
  }
  return { level, events: events.length, rate: summarize(rates), matches: warm.matches, consistent };
}

function barCell(w: Workload, r: LevelResult): string {
  if (w.bar === undefined) return '-';
  return `>= ${fmtRate(w.bar)} ${r.rate.median >= w.bar ? 'OK' : 'BELOW'}`;
}

async function benchWorkload(w: Workload, levels: ReadonlySet<string>): Promise<void> {
  console.log(`\n## ${w.id}: ${w.description}`);
  const events = w.generate();
  const results: LevelResult[] = [];
  if (levels.has('nfa')) results.push(await measure('NFA', events, () => runNfa(w, events)));
  if (levels.has('job')) results.push(await measure('job', events, () => runJob(w, events)));
  printTable(
    ['level', 'events', 'median ev/s', 'min ev/s', 'max ev/s', 'matches/run', 'matches/event', 'bar'],
    results.map((r) => [
      r.level,
      fmtInt(r.events),
      fmtRate(r.rate.median),
      fmtRate(r.rate.min),
      fmtRate(r.rate.max),
      fmtInt(r.matches) + (r.consistent ? '' : ' (VARIES between runs!)'),
      (r.matches / r.events).toFixed(3),
      barCell(w, r),
    ]),
  );
  if (results.length === 2 && results[0]!.matches !== results[1]!.matches) {
    console.log(
      `  WARNING: NFA and job levels disagree on matches (${results[0]!.matches} vs ${results[1]!.matches})`,
    );
  }
  if (levels.has('nfa') && hasGc) {
    const m = nfaMemory(w, events);
    const perPartial = m.partial > 0 ? `${fmtInt(m.heapDelta / m.partial)} B` : 'n/a';
    const replay =
      w.memoryReplicas === undefined
        ? 'the stream'
        : `first ${w.memoryPrefix ?? 400} events replayed on ${w.memoryReplicas} keys`;
    console.log(
      `  memory (NFA level, ${replay}; heap after gc, peak of 4 samples, at ${fmtInt(m.at)} events): +${fmtMiB(m.heapDelta)}, ` +
        `${fmtInt(m.keys)} live keys, ${fmtInt(m.partial)} live partial matches, shared buffer ` +
        `${fmtInt(m.bufferEvents)} events / ${fmtInt(m.bufferNodes)} nodes -> ${perPartial} per partial match ` +
        '(incl. per-key state and Map entry)',
    );
  }
}

/** W4 memory, NFA level: baseline, peak (one partial match per key), after the window passed. */
function w4NfaMemory(keys = W4_KEYS): string[] {
  const events = w4MemoryEvents(keys);
  const flushAt = events[events.length - 1]!.ts + W4_WINDOW + 1;
  const baseline = heapAfterGc();
  const d = new NfaDriver(w4Pattern());
  d.feed(events);
  const peak = heapAfterGc();
  const c = d.census();
  d.advanceAll(flushAt);
  const after = heapAfterGc();
  const after2 = d.census();
  return [
    'NFA',
    fmtMiB(baseline),
    fmtMiB(peak),
    fmtMiB(after),
    `+${fmtMiB(peak - baseline)}`,
    `${after - baseline >= 0 ? '+' : ''}${fmtMiB(after - baseline)}`,
    fmtInt(c.partial),
    c.partial > 0 ? `${fmtInt((peak - baseline) / c.partial)} B` : 'n/a',
    fmtInt(d.matches),
    `${fmtInt(after2.keys)} keys / ${fmtInt(after2.partial)} partial`,
  ];
}

/**
 * W4 memory, job level: an async source that waits at a gate before the events, after the `a` per
 * key (until the heap is stable: the watermark has moved and the CEP operator holds every key), and
 * after one far-future event (until every key's absence has completed), so the heap can be measured
 * while the job runs.
 */
async function w4JobMemory(keys = W4_KEYS): Promise<string[]> {
  const events = w4MemoryEvents(keys);
  const flushTs = events[events.length - 1]!.ts + W4_WINDOW + 2;
  const gates = [0, 1, 2].map(() => {
    let open!: () => void;
    const p = new Promise<void>((resolve) => {
      open = resolve;
    });
    return { p, open };
  });
  let yielded = 0;
  async function* source(): AsyncGenerator<Ev> {
    await gates[0]!.p;
    for (const e of events) {
      yielded++;
      yield e;
    }
    await gates[1]!.p;
    yield { key: 'flush', type: 'n0', ts: flushTs };
    await gates[2]!.p;
  }
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const sink = new CountingSink<number>();
  CEP.pattern(
    env
      .fromAsyncIterable(source)
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e.key),
    w4Pattern(),
  )
    .select(() => 1)
    .sinkTo(sink);
  const job = env.execute('cep-W4-memory');
  let failed: unknown;
  const done = Promise.resolve(job).catch((e: unknown) => {
    failed = e;
  });
  await sleep(500);
  const baseline = heapAfterGc();
  gates[0]!.open();
  while (yielded < events.length && failed === undefined) await sleep(100);
  // Wait for the watermark to pass and the operator to take every event: heap stable twice.
  let peak = heapAfterGc();
  let stable = 0;
  for (let i = 0; i < 60 && stable < 2; i++) {
    await sleep(300);
    const h = heapAfterGc();
    stable = Math.abs(h - peak) < 0.01 * peak ? stable + 1 : 0;
    peak = Math.max(peak, h);
  }
  gates[1]!.open();
  const t0 = performance.now();
  while (sink.count < events.length && performance.now() - t0 < 60_000 && failed === undefined)
    await sleep(50);
  await sleep(300);
  const after = heapAfterGc();
  const matches = sink.count;
  gates[2]!.open();
  await done;
  if (failed !== undefined) throw failed;
  const end = heapAfterGc();
  return [
    'job',
    fmtMiB(baseline),
    fmtMiB(peak),
    fmtMiB(after),
    `+${fmtMiB(peak - baseline)}`,
    `${after - baseline >= 0 ? '+' : ''}${fmtMiB(after - baseline)}`,
    `${fmtInt(events.length)} (expected)`,
    `${fmtInt((peak - baseline) / events.length)} B`,
    fmtInt(matches),
    `job ended: ${fmtMiB(end)}`,
  ];
}

async function w4Memory(levels: ReadonlySet<string>): Promise<void> {
  if (!hasGc) {
    console.log('  (W4 memory skipped: run node with --expose-gc)');
    return;
  }
  console.log(
    `\n## W4 memory: one 'a' per key for ${fmtInt(W4_KEYS)} keys (all hold a partial match), then time past the 5 min window`,
  );
  const rows: string[][] = [];
  // Warm-up on a tenth of the keys (compiles the code paths, so the figures below are not JIT noise).
  const warmKeys = Math.max(1, Math.floor(W4_KEYS / 10));
  if (levels.has('nfa')) {
    w4NfaMemory(warmKeys);
    rows.push(w4NfaMemory());
  }
  if (levels.has('job')) {
    await w4JobMemory(warmKeys);
    rows.push(await w4JobMemory());
  }
  printTable(
    [
      'level',
      'baseline',
      'peak',
      'after expiry',
      'peak-base',
      'after-base',
      'partial matches',
      'bytes/partial',
      'matches',
      'left',
    ],
    rows,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).map((a) => a.toLowerCase());
  const levelArgs = args.filter((a) => a === 'nfa' || a === 'job');
  const levels = new Set(levelArgs.length > 0 ? levelArgs : ['nfa', 'job']);
  const selectors = args.filter((a) => a !== 'nfa' && a !== 'job');
  const workloads = allWorkloads().filter(
    (w) =>
      selectors.length === 0 ||
      selectors.some((s) => s === w.group.toLowerCase() || s === w.id.toLowerCase()),
  );
  if (workloads.length === 0) {
    console.error(`no workload matches ${selectors.join(' ')} (use W1, W2, W2/L3, W3, W4, nfa, job)`);
    process.exitCode = 2;
    return;
  }
  console.log(
    `node ${process.version}, ${RUNS} timed runs after 1 warm-up, levels: ${[...levels].join(', ')}, ` +
      `gc ${hasGc ? 'exposed' : 'NOT exposed (no memory figures; run with --expose-gc)'}`,
  );
  const t0 = performance.now();
  for (const w of workloads) {
    await benchWorkload(w, levels);
    if (w.group === 'W4') await w4Memory(levels);
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
