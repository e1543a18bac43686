/**
 * Throughput and alert latency of the partitioned Kafka mode (`KafkaPartitionedRunner`, DESIGN §4)
 * against a real broker (issue 6). One process runs all tasks: it joins the group on the input
 * topic and runs one task per partition; each task's job is
 * `CEP.pattern(input.keyBy(e => e.user), a followedBy b within 10 min).inProcessingTime().select(alert)`
 * (see `kafka-workload.ts`), writing alerts to the output topic.
 *
 * Per configuration (guarantee x commit interval, CONFIGS) and run (RUNS, interleaved across
 * configurations), on fresh topics:
 * - pre-fill: EVENTS events of 256 bytes over KEYS users (user = Kafka key) into an input topic
 *   of PARTITIONS partitions (2% new-device logins, 2% large payouts: 0.7% of events alert);
 * - throughput: a new runner; events/s = EVENTS / (first task started -> every input partition's
 *   offset committed at its end and every expected alert read by a read_committed consumer);
 *   "processed": EVENTS / (first task started -> the last pre-filled event went through the job),
 *   i.e. without the wait for the final commit (up to a commit interval plus a commit);
 * - latency: the same runner keeps running while a producer appends LATENCY_RATE events/s for
 *   LATENCY_SECONDS (5% + 5% alerting stages), each carrying its send time; latency = from
 *   sending the event that completes a match to reading its alert with read_committed;
 * - RSS of the process at the end of the run (and its peak), CPU of the process over the
 *   throughput phase (1.00 = one core) and events per CPU-second of it (less sensitive to other
 *   load on the machine), commits and changelog bytes per commit.
 * Medians over the runs; every run in the detail lines. The broker: KAFKA_BROKERS, or one started
 * with the tests' CLI and stopped at the end (see `kafka-bench-broker.ts`).
 *
 *   npm run bench:kafka
 *   KAFKA_BROKERS=127.0.0.1:9092 RUNS=5 EVENTS=500000 npm run bench:kafka
 *   CONFIGS=eos-1000 RUNS=1 node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/kafka-throughput.js
 *
 * Knobs: EVENTS (500000), RUNS (3), PARTITIONS (4), KEYS (10000), CONFIGS
 * (`alo-1000,eos-1000,alo-100,eos-100`: `alo`/`eos` and the commit interval in ms), WARMUP_EVENTS
 * (50000; a warm-up run first, 0 for none), LATENCY_RATE (2000), LATENCY_SECONDS (10),
 * DRAIN_TIMEOUT_MS (300000), MAX_BUFFERED and MAX_POLL (the runner's
 * `maxBufferedRecordsPerPartition` and `maxRecordsPerPoll`), PROFILE_MARKS=1 (prints the
 * throughput phase on the clock of a `--cpu-prof` profile, to look at that span only).
 */

import { cpus, loadavg } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { CEP } from '../src/cep/index.js';
import { KafkajsPort } from '../src/core/connectors/kafka/kafkajs-port.js';
import {
  KafkaPartitionedRunner,
  type PartitionRunnerEvent,
} from '../src/core/connectors/kafka/partitioned/index.js';
import { fmtInt, fmtMiB, fmtRate, printTable, sleep, summarize } from './cep-stats.js';
import { benchBroker } from './kafka-bench-broker.js';
import { AlertReader, createTopics, prefill, steadyProduce } from './kafka-bench-io.js';
import { type BenchAlert, type BenchEvent, EventGenerator, fraudPattern, toAlert } from './kafka-workload.js';

const env = process.env;
const num = (name: string, dflt: number): number => {
  const v = env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
};

const EVENTS = num('EVENTS', 500_000);
const RUNS = num('RUNS', 3);
const PARTITIONS = num('PARTITIONS', 4);
const KEYS = num('KEYS', 10_000);
const WARMUP_EVENTS = num('WARMUP_EVENTS', 50_000);
const LATENCY_RATE = num('LATENCY_RATE', 2000);
const LATENCY_SECONDS = num('LATENCY_SECONDS', 10);
const DRAIN_TIMEOUT_MS = num('DRAIN_TIMEOUT_MS', 300_000);
/** Runner options (unset: the runner's defaults). */
const MAX_BUFFERED = env.MAX_BUFFERED ? num('MAX_BUFFERED', 0) : undefined;
const MAX_POLL = env.MAX_POLL ? num('MAX_POLL', 0) : undefined;
/** Fraction of events per alerting stage: pre-filled input, latency phase. */
const STAGES = 0.02;
const LATENCY_STAGES = 0.05;
/** `within` of the pattern: nothing times out during a run. */
const WITHIN_MS = 600_000;

/** A guarantee and a commit interval. */
interface BenchConfig {
  readonly name: string;
  readonly guarantee: 'exactly-once' | 'at-least-once';
  readonly commitMs: number;
}

function parseConfigs(spec: string): BenchConfig[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(alo|eos)-(\d+)$/.exec(s);
      if (m === null) throw new Error(`CONFIGS: expected alo-<ms> or eos-<ms>, got ${s}`);
      return {
        name: s,
        guarantee: m[1] === 'eos' ? 'exactly-once' : 'at-least-once',
        commitMs: Number(m[2]),
      };
    });
}

const CONFIGS = parseConfigs(env.CONFIGS ?? 'alo-1000,eos-1000,alo-100,eos-100');

/** What one run measured. */
interface RunResult {
  readonly rate: number;
  /** To the last pre-filled event through the job (before its final commit): EVENTS / (first task started -> then). */
  readonly processedRate: number;
  /** Including the runner's start (group join, restore): EVENTS / (start() -> done). */
  readonly rateWithStart: number;
  readonly startMs: number;
  readonly drainMs: number;
  readonly prefillRate: number;
  readonly alertsSeen: number;
  readonly alertsExpected: number;
  readonly latenciesMs: number[];
  readonly latencyAlertsSeen: number;
  readonly latencyAlertsExpected: number;
  /** Process CPU over the throughput phase, in cores. */
  readonly cpu: number;
  /** EVENTS / process CPU seconds of the throughput phase: less sensitive to other load on the machine. */
  readonly perCpuSecond: number;
  readonly commits: number;
  readonly commitMsMedian: number;
  readonly changelogBytesPerCommit: number;
  readonly rss: number;
  readonly peakRss: number;
}

/**
 * The client every run starts from. A run makes its own admin and producer: kafkajs keeps
 * refreshing the metadata of every topic a client used, and fails once a topic was deleted.
 */
interface Clients {
  readonly kafka: Kafka;
  readonly port: KafkajsPort;
}

const RUN_PREFIX = `bench-kafka-${Date.now().toString(36)}`;

/** Samples the process RSS; `peak` is the largest seen. */
class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  sample(): number {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function runOnce(
  clients: Clients,
  config: BenchConfig,
  label: string,
  events: number,
  latencySeconds: number,
): Promise<RunResult> {
  const { kafka, port } = clients;
  const id = `${RUN_PREFIX}-${label}`;
  const input = `${id}-in`;
  const output = `${id}-out`;
  const app = `${id}-app`;
  const readerGroup = `${id}-reader`;
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const rss = new RssSampler();
  const reader = new AlertReader(kafka, readerGroup);
  let runner: KafkaPartitionedRunner<BenchEvent, BenchAlert> | undefined;
  try {
    await admin.connect();
    await producer.connect();
    await createTopics(admin, [input, output], PARTITIONS);
    const gen = new EventGenerator({ keys: KEYS, alertingStages: STAGES, seed: 42 });
    const prefillStart = Date.now();
    await prefill(producer, input, gen, events);
    const prefillRate = events / ((Date.now() - prefillStart) / 1000);
    const ends = new Map((await admin.fetchTopicOffsets(input)).map((o) => [o.partition, Number(o.high)]));
    const alertsExpected = gen.expectedAlerts;
    await reader.start(output);

    // Throughput: until every partition's offset is committed at its end.
    const committed = new Map<number, number>();
    const commitDurations: number[] = [];
    let changelogBytes = 0;
    let firstTaskAt: number | undefined;
    /** Events through the job (all tasks), and when the last pre-filled one went through. */
    let processed = 0;
    let processedAt: number | undefined;
    let drainedAt: number | undefined;
    let failure: unknown;
    let cpuBefore = process.cpuUsage();
    let cpuUsed = cpuBefore;
    let onDrained!: () => void;
    const drainedPromise = new Promise<'ok'>((resolve) => {
      onDrained = () => resolve('ok');
    });
    const onEvent = (e: PartitionRunnerEvent): void => {
      if (e.type === 'task-started') firstTaskAt ??= Date.now();
      else if (e.type === 'task-failed' || e.type === 'consumer-crashed') failure ??= e.error;
      else if (e.type === 'committed' && drainedAt === undefined) {
        committed.set(e.partition, e.offset);
        commitDurations.push(e.durationMs);
        changelogBytes += e.snapshotBytes;
        if ([...ends].every(([p, end]) => (committed.get(p) ?? -1) >= end)) {
          drainedAt = Date.now();
          cpuUsed = process.cpuUsage(cpuBefore);
          onDrained();
        }
      }
    };
    runner = new KafkaPartitionedRunner<BenchEvent, BenchAlert>({
      port,
      applicationId: app,
      inputTopic: input,
      outputTopic: output,
      guarantee: config.guarantee,
      commitIntervalMs: config.commitMs,
      ...(MAX_BUFFERED !== undefined ? { maxBufferedRecordsPerPartition: MAX_BUFFERED } : {}),
      ...(MAX_POLL !== undefined ? { maxRecordsPerPoll: MAX_POLL } : {}),
      serializer: (a) => ({ key: a.user, value: JSON.stringify(a) }),
      build: (stream, sink) => {
        const counted = stream.map((e) => {
          if (++processed === events) processedAt = Date.now();
          return e;
        });
        CEP.pattern(
          counted.keyBy((e) => e.user),
          fraudPattern(WITHIN_MS),
        )
          .inProcessingTime()
          .select(toAlert)
          .uid('fraud')
          .sinkTo(sink);
      },
      onEvent,
    });
    cpuBefore = process.cpuUsage();
    const startedAt = Date.now();
    const startedUs = process.hrtime.bigint() / 1000n;
    await runner.start();
    const timeout = sleep(DRAIN_TIMEOUT_MS).then(() => 'timeout' as const);
    if ((await Promise.race([drainedPromise, timeout])) === 'timeout') {
      throw new Error(
        `${label}: input not committed after ${DRAIN_TIMEOUT_MS} ms (committed ${JSON.stringify([...committed])}, ends ${JSON.stringify([...ends])}) ${String(failure ?? '')}`,
      );
    }
    if (env.PROFILE_MARKS === '1') {
      // For a --cpu-prof: the monotonic clock (µs) of the throughput phase, as in the profile.
      console.log(`  ${label}: throughput phase ${startedUs} .. ${process.hrtime.bigint() / 1000n} µs`);
    }
    await reader.waitFor(alertsExpected, 30_000);
    const doneAt = Math.max(drainedAt!, reader.lastBatchAt);
    const alertsSeen = reader.count;
    const drainMs = doneAt - (firstTaskAt ?? startedAt);

    // Latency: the runner keeps running; a steady producer appends events stamped with their send time.
    let latencyAlertsExpected = 0;
    if (latencySeconds > 0) {
      await sleep(1000);
      gen.alertingStages = LATENCY_STAGES;
      const before = reader.count;
      const expectedBefore = gen.expectedAlerts;
      reader.since = Date.now();
      await steadyProduce(producer, input, gen, LATENCY_RATE, latencySeconds);
      latencyAlertsExpected = gen.expectedAlerts - expectedBefore;
      await reader.waitFor(before + latencyAlertsExpected, 30_000);
    }
    const sorted = [...commitDurations].sort((a, b) => a - b);
    return {
      rate: events / (drainMs / 1000),
      processedRate: events / (((processedAt ?? doneAt) - (firstTaskAt ?? startedAt)) / 1000),
      rateWithStart: events / ((doneAt - startedAt) / 1000),
      startMs: (firstTaskAt ?? startedAt) - startedAt,
      drainMs,
      prefillRate,
      alertsSeen,
      alertsExpected,
      latenciesMs: reader.latenciesMs,
      latencyAlertsSeen: reader.latenciesMs.length,
      latencyAlertsExpected,
      cpu: (cpuUsed.user + cpuUsed.system) / 1000 / (drainedAt! - startedAt),
      perCpuSecond: events / ((cpuUsed.user + cpuUsed.system) / 1e6),
      commits: commitDurations.length,
      commitMsMedian: sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!,
      changelogBytesPerCommit: commitDurations.length === 0 ? 0 : changelogBytes / commitDurations.length,
      rss: rss.sample(),
      peakRss: rss.peak,
    };
  } finally {
    rss.stop();
    await runner?.stop().catch(() => {});
    await reader.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await deleteRun(kafka, [input, output, `${app}-changelog`, `${app}-dead-letters`], [app, readerGroup]);
  }
}

/** Deletes a run's topics and groups with a fresh admin client. */
async function deleteRun(kafka: Kafka, topics: string[], groups: string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.deleteGroups(groups).catch(() => {});
  } catch {
    // Best effort: leftovers only take disk space on a test broker.
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const fmtMs = (ms: number): string =>
  Number.isNaN(ms) ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;

function detail(config: BenchConfig, run: number, r: RunResult): string {
  const lat = [...r.latenciesMs].sort((a, b) => a - b);
  return (
    `  ${config.name} run ${run}: ${fmtRate(r.rate)} events/s (${(r.drainMs / 1000).toFixed(1)} s; ` +
    `processed ${fmtRate(r.processedRate)}/s; ` +
    `${fmtRate(r.rateWithStart)}/s with the ${fmtMs(r.startMs)} start), CPU ${r.cpu.toFixed(2)} cores (${fmtRate(r.perCpuSecond)} events per CPU-second), ` +
    `alerts ${fmtInt(r.alertsSeen)}/${fmtInt(r.alertsExpected)}, ${r.commits} commits ` +
    `(median ${fmtMs(r.commitMsMedian)}, changelog ${(r.changelogBytesPerCommit / 1024).toFixed(0)} KiB each); ` +
    `latency at ${fmtRate(LATENCY_RATE)}/s p50 ${fmtMs(percentile(lat, 50))} p99 ${fmtMs(percentile(lat, 99))} ` +
    `(${r.latencyAlertsSeen}/${r.latencyAlertsExpected} alerts); RSS ${fmtMiB(r.rss)} (peak ${fmtMiB(r.peakRss)}); ` +
    `pre-fill ${fmtRate(r.prefillRate)}/s`
  );
}

async function main(): Promise<void> {
  const broker = await benchBroker();
  const kafka = new Kafka({
    clientId: 'bench-kafka',
    brokers: broker.brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const port = new KafkajsPort(kafka);
  const clients: Clients = { kafka, port };
  try {
    console.log(
      `Kafka partitioned runner on ${broker.brokers}: ${fmtInt(EVENTS)} events of 256 B over ${fmtInt(KEYS)} keys, ` +
        `${PARTITIONS} partitions, ${RUNS} runs per configuration; latency at ${LATENCY_RATE}/s for ${LATENCY_SECONDS} s; ` +
        `node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    if (WARMUP_EVENTS > 0) {
      const r = await runOnce(clients, CONFIGS[0]!, 'warmup', WARMUP_EVENTS, 0);
      console.log(
        `  warm-up (${CONFIGS[0]!.name}, ${fmtInt(WARMUP_EVENTS)} events): ${fmtRate(r.rate)} events/s`,
      );
    }
    const results = new Map<string, RunResult[]>(CONFIGS.map((c) => [c.name, []]));
    for (let run = 1; run <= RUNS; run++) {
      for (const config of CONFIGS) {
        const r = await runOnce(clients, config, `${config.name}-r${run}`, EVENTS, LATENCY_SECONDS);
        results.get(config.name)!.push(r);
        console.log(detail(config, run, r));
      }
    }
    console.log();
    const rows = CONFIGS.map((c) => {
      const rs = results.get(c.name)!;
      const rate = summarize(rs.map((r) => r.rate));
      const lat = rs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
      return [
        c.guarantee,
        `${c.commitMs} ms`,
        `${fmtRate(rate.median)} (${rs.map((r) => fmtRate(r.rate)).join(', ')})`,
        fmtRate(summarize(rs.map((r) => r.processedRate)).median),
        fmtRate(summarize(rs.map((r) => r.rateWithStart)).median),
        summarize(rs.map((r) => r.cpu)).median.toFixed(2),
        fmtRate(summarize(rs.map((r) => r.perCpuSecond)).median),
        `${fmtInt(summarize(rs.map((r) => r.alertsSeen)).median)} / ${fmtInt(rs[0]!.alertsExpected)}`,
        `${fmtMs(percentile(lat, 50))} / ${fmtMs(percentile(lat, 99))}`,
        `${(summarize(rs.map((r) => r.changelogBytesPerCommit)).median / 1024).toFixed(0)} KiB`,
        fmtMiB(summarize(rs.map((r) => r.rss)).median),
        fmtMiB(Math.max(...rs.map((r) => r.peakRss))),
      ];
    });
    printTable(
      [
        'guarantee',
        'commit',
        'events/s median (runs)',
        'processed',
        'with start',
        'CPU cores',
        'events/CPU-s',
        'alerts seen / expected',
        'latency p50 / p99',
        'changelog/commit',
        'RSS at end',
        'peak RSS',
      ],
      rows,
    );
    for (const eos of CONFIGS.filter((c) => c.guarantee === 'exactly-once')) {
      const alo = CONFIGS.find((c) => c.guarantee === 'at-least-once' && c.commitMs === eos.commitMs);
      if (alo === undefined) continue;
      const e = summarize(results.get(eos.name)!.map((r) => r.rate)).median;
      const a = summarize(results.get(alo.name)!.map((r) => r.rate)).median;
      console.log(
        `exactly-once overhead at ${eos.commitMs} ms: ${((1 - e / a) * 100).toFixed(0)}% (bar: 25%)`,
      );
    }
  } finally {
    await broker.release();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
