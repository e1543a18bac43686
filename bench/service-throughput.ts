/**
 * End-to-end throughput and alert latency of the rule service (issue 7): the compiled service
 * (`node dist/src/main.js`) runs as a child process on 127.0.0.1, in embedded mode with a temp
 * DATA_DIR, or with `MODE=kafka` in Kafka mode (see below); this process pushes 1, 10 or 100
 * generated pattern rules over HTTP (see `service-workload.ts`), then POSTs EVENTS events over
 * KEYS users in batches of BATCH with INFLIGHT requests in flight, and reads the alerts from the
 * SSE stream (`GET /alerts/stream`).
 *
 * Per configuration (rules x CHECKPOINT_INTERVAL_MS), RUNS runs each on a fresh service; printed:
 * - accepted events/s: EVENTS / (first POST sent -> last 202 received);
 * - end-to-end events/s: EVENTS / (first POST sent -> last expected alert on the stream); this
 *   includes the idle flush (IDLE_FLUSH_MS) and a checkpoint at the end of the run;
 * - alerts/s: alerts seen / the same span, and alerts seen vs expected (exactly once);
 * - alert latency p50/p99 over the marker pairs of all runs: from sending the POST holding the
 *   completing payout to reading the alert on the SSE stream. Event timestamps are the wall clock,
 *   so an alert waits for the watermark (EVENT_OUT_OF_ORDERNESS_MS behind the newest event, or
 *   the idle flush) and for the next checkpoint (alerts are committed at checkpoints);
 * - the service's RSS at the end of the run (and its peak).
 * Medians over the runs; runs' values in the detail lines.
 *
 * Kafka mode (`MODE=kafka` or `KAFKA=1`): the service gets KAFKA_BROKERS from the environment, or
 * a broker this process starts with `test/integration/kafka/broker-cli.mjs` (and stops at the
 * end), a new application id per run (its own topics and consumer groups, deleted after the run)
 * and PARTITIONS (default 4) partitions per topic: one replica running every router and
 * evaluator task. CHECKPOINT_INTERVAL_MS is then the tasks' commit interval (alerts become
 * visible when the evaluator's transaction commits). The RSS is the service's alone, not the
 * broker's.
 *
 *   npm run bench:service
 *   MODE=kafka KAFKA_BROKERS=127.0.0.1:9092 CHECKPOINTS=500 npm run bench:service
 *   RULES=100 CHECKPOINTS=500 RUNS=1 EVENTS=50000 npm run bench:service
 *   PROFILE=1 RULES=100 RUNS=1 npm run bench:service   # --cpu-prof the service, print hot spots
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtInt, fmtMiB, fmtRate, printTable, summarize } from './cep-stats.js';
import {
  openAlertStream,
  postJson,
  type ServiceChild,
  startServiceChild,
  summarizeCpuProfiles,
} from './service-client.js';
import { type BenchBroker, startBenchBroker } from './service-kafka.js';
import { bandAmount, benchRule, EventGenerator } from './service-workload.js';

const env = process.env;
const num = (name: string, dflt: number): number => {
  const v = env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
};
const list = (name: string, dflt: string): number[] =>
  (env[name] ?? dflt)
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);

const RULE_COUNTS = list('RULES', '1,10,100');
/** Events per rule count (one number for all, or a list aligned with RULES). */
const EVENT_COUNTS = list('EVENTS', '200000,50000,5000');
const KEYS = num('KEYS', 10_000);
const BATCH = num('BATCH', 500);
const INFLIGHT = num('INFLIGHT', 4);
const CHECKPOINTS = list('CHECKPOINTS', '500,100');
const RUNS = num('RUNS', 1);
const ALERT_FRACTION = num('ALERT_FRACTION', 0.01);
const OPEN_FRACTION = num('OPEN_FRACTION', 0.005);
const DRAIN_TIMEOUT_MS = num('DRAIN_TIMEOUT_MS', 120_000);
/** Latency phase: how long, and its load as a fraction of the run's end-to-end rate (at most LATENCY_MAX_RATE). */
const LATENCY_SECONDS = num('LATENCY_SECONDS', 8);
const LATENCY_LOAD = num('LATENCY_LOAD', 0.5);
const LATENCY_MAX_RATE = num('LATENCY_MAX_RATE', 2000);
const KAFKA_MODE = env.MODE === 'kafka' || env.KAFKA === '1' || env.KAFKA === 'true';
/**
 * The drain ends when no alert arrived for this long (alerts lost as late events are reported).
 * Kafka mode's evaluator works off a backlog of routed records in bursts: it waits longer.
 */
const QUIET_MS = num('QUIET_MS', KAFKA_MODE ? 60_000 : 15_000);
const PROFILE = env.PROFILE === '1' || env.PROFILE === 'true';
/** Kafka mode: partitions of every topic the service creates (tasks per stage). */
const PARTITIONS = num('PARTITIONS', 4);
/** Kafka mode: the broker, set up before the first run. */
let broker: BenchBroker | undefined;

/** What one run measured. */
interface RunResult {
  readonly acceptedRate: number;
  readonly endToEndRate: number;
  readonly alertRate: number;
  readonly alertsSeen: number;
  readonly alertsExpected: number;
  readonly latenciesMs: number[];
  /** Events/s of the latency phase. */
  readonly latencyRate: number;
  readonly acceptSeconds: number;
  readonly drainSeconds: number;
  readonly rss: number;
  readonly peakRss: number | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pushes the rules and waits until the engine matches with the last one (probe pairs). */
async function pushRules(service: ServiceChild, rules: number, seen: Map<string, number>): Promise<void> {
  for (let i = 0; i < rules; i++) await postJson(`${service.url}/rules`, benchRule(i), 201);
  for (let probe = 0; probe < 60; probe++) {
    const user = `probe-${probe}`;
    const ts = Date.now();
    await postJson(`${service.url}/events`, [{ type: 'login', ts, user, newDevice: true }], 202);
    await postJson(
      `${service.url}/events`,
      [{ type: 'payout', ts: ts + 1, user, amount: bandAmount(rules - 1) }],
      202,
    );
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline) {
      if (seen.has(user)) return;
      await sleep(20);
    }
  }
  throw new Error('the rules never became active');
}

async function run(
  rules: number,
  events: number,
  checkpointMs: number,
  profileDir?: string,
): Promise<RunResult> {
  const kafka = broker?.serviceEnv(PARTITIONS);
  const service = await startServiceChild({
    env: { CHECKPOINT_INTERVAL_MS: String(checkpointMs), ...kafka?.env },
    cpuProfDir: profileDir,
  });
  try {
    const seenUsers = new Map<string, number>(); // probe and marker users -> when their alert was read
    let benchAlerts = 0;
    let lastAlertAt = 0;
    const stream = await openAlertStream(service.url, (alert, at) => {
      const user = String(alert.fields?.user ?? '');
      if (user.startsWith('probe-')) {
        seenUsers.set(user, at);
        return;
      }
      if (user.startsWith('marker-')) seenUsers.set(user, at);
      benchAlerts++;
      lastAlertAt = at;
    });
    try {
      await pushRules(service, rules, seenUsers);
      await sleep(Math.max(1500, 3 * checkpointMs)); // let the probes' watermark and checkpoints settle

      const gen = new EventGenerator({
        keys: KEYS,
        rules,
        batchSize: BATCH,
        alertFraction: ALERT_FRACTION,
        openFraction: OPEN_FRACTION,
        seed: 7,
      });
      const batches = Math.ceil(events / BATCH);
      let nextBatch = 0;
      let accepted = 0;
      let finalSent = false;
      const t0 = performance.now();
      const sender = async (): Promise<void> => {
        for (;;) {
          let batch: ReturnType<EventGenerator['next']> | undefined;
          if (nextBatch < batches) {
            nextBatch++;
            batch = gen.next(false);
          } else if (!finalSent) {
            finalSent = true;
            batch = gen.flush();
          }
          if (batch === undefined) return;
          const r = await postJson(`${service.url}/events`, batch.events, 202);
          accepted += r.accepted as number;
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, INFLIGHT) }, sender));
      const tAccepted = performance.now();
      if (accepted !== gen.built) throw new Error(`accepted ${accepted} of ${gen.built} events`);
      const built = gen.built;
      const expected = gen.pairs;
      const deadline = tAccepted + DRAIN_TIMEOUT_MS;
      // Until every expected alert arrived, or none arrived for QUIET_MS (lost ones are reported).
      while (
        benchAlerts < expected &&
        performance.now() < deadline &&
        (benchAlerts === 0 || performance.now() - Math.max(lastAlertAt, tAccepted) < QUIET_MS)
      )
        await sleep(10);
      await sleep(Math.max(200, 2 * checkpointMs)); // duplicates would show up here
      // No alert at all: the span up to now (a lower bound of the rate), not up to time 0.
      const tDone = benchAlerts > 0 ? lastAlertAt : performance.now();
      const alertsSeen = benchAlerts;
      const endToEndRate = built / ((tDone - t0) / 1000);

      // Latency phase: paced load below capacity, a marker pair in every batch (10 batches/s).
      const rate = Math.min(LATENCY_MAX_RATE, LATENCY_LOAD * endToEndRate);
      const perBatch = Math.max(2, Math.round(rate / 10));
      const markerSentAt = new Map<string, number>();
      const tLat = performance.now();
      for (let b = 0; b < LATENCY_SECONDS * 10; b++) {
        const batch = gen.next(true, perBatch);
        const sentAt = performance.now();
        for (const user of batch.completesMarkers) markerSentAt.set(user, sentAt);
        await postJson(`${service.url}/events`, batch.events, 202);
        await sleep(Math.max(0, tLat + (b + 1) * 100 - performance.now()));
      }
      const last = gen.flush();
      if (last !== undefined) {
        const sentAt = performance.now();
        for (const user of last.completesMarkers) markerSentAt.set(user, sentAt);
        await postJson(`${service.url}/events`, last.events, 202);
      }
      const latDeadline = performance.now() + DRAIN_TIMEOUT_MS;
      const tSent = performance.now();
      while (
        [...markerSentAt.keys()].some((u) => !seenUsers.has(u)) &&
        performance.now() < latDeadline &&
        performance.now() - Math.max(lastAlertAt, tSent) < QUIET_MS
      )
        await sleep(10);
      const latenciesMs: number[] = [];
      for (const [user, sentAt] of markerSentAt) {
        const at = seenUsers.get(user);
        latenciesMs.push(at === undefined ? Number.POSITIVE_INFINITY : at - sentAt);
      }
      const { rss, peakRss } = await service.memory();
      return {
        acceptedRate: built / ((tAccepted - t0) / 1000),
        endToEndRate,
        alertRate: alertsSeen / ((tDone - t0) / 1000),
        alertsSeen,
        alertsExpected: expected,
        latencyRate: perBatch * 10,
        latenciesMs,
        acceptSeconds: (tAccepted - t0) / 1000,
        drainSeconds: (tDone - tAccepted) / 1000,
        rss,
        peakRss,
      };
    } finally {
      stream.close();
    }
  } finally {
    await service.stop();
    if (kafka !== undefined) await broker?.deleteTopics(kafka.app);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmtMs = (ms: number): string => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'missing');

if (KAFKA_MODE) broker = await startBenchBroker();
console.log(
  `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); ${broker === undefined ? 'embedded mode' : `Kafka mode, broker ${broker.brokers}${broker.started ? ' (started for this run)' : ''}, ${PARTITIONS} partitions per topic, one replica`}`,
);
console.log(
  `${KEYS} keys, batches of ${BATCH}, ${INFLIGHT} in flight, alert fraction ${ALERT_FRACTION}, ${RUNS} run(s) per configuration; latency: ${LATENCY_SECONDS} s at ${LATENCY_LOAD} x the end-to-end rate (at most ${LATENCY_MAX_RATE}/s), a marker every 100 ms`,
);
try {
  const rows: string[][] = [];
  for (const [ri, rules] of RULE_COUNTS.entries()) {
    const events = EVENT_COUNTS[Math.min(ri, EVENT_COUNTS.length - 1)]!;
    for (const checkpointMs of CHECKPOINTS) {
      const results: RunResult[] = [];
      for (let i = 0; i < Math.max(1, RUNS); i++) {
        const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'cep-bench-prof-')) : undefined;
        const r = await run(rules, events, checkpointMs, profileDir);
        results.push(r);
        const lat = [...r.latenciesMs].sort((a, b) => a - b);
        console.log(
          `  ${rules} rules, checkpoint ${checkpointMs} ms, run ${i + 1}: accepted ${fmtRate(r.acceptedRate)}/s in ${r.acceptSeconds.toFixed(1)} s, end-to-end ${fmtRate(r.endToEndRate)}/s (drain ${r.drainSeconds.toFixed(1)} s), alerts ${r.alertsSeen}/${r.alertsExpected}; at ${fmtRate(r.latencyRate)}/s latency p50 ${fmtMs(percentile(lat, 50))} p99 ${fmtMs(percentile(lat, 99))}, RSS ${fmtMiB(r.rss)}${r.peakRss === undefined ? '' : ` (peak ${fmtMiB(r.peakRss)})`}`,
        );
        if (profileDir !== undefined) {
          console.log('  hot spots (self time of the service process):');
          for (const h of summarizeCpuProfiles(profileDir)) {
            console.log(`    ${h.pct.toFixed(1).padStart(5)}%  ${h.ms.toFixed(0).padStart(6)} ms  ${h.fn}`);
          }
          rmSync(profileDir, { recursive: true, force: true });
        }
      }
      const lat = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
      const seen = results.reduce((s, r) => s + r.alertsSeen, 0);
      const expected = results.reduce((s, r) => s + r.alertsExpected, 0);
      rows.push([
        String(rules),
        fmtInt(events),
        `${checkpointMs} ms`,
        fmtRate(summarize(results.map((r) => r.acceptedRate)).median),
        fmtRate(summarize(results.map((r) => r.endToEndRate)).median),
        `${fmtRate(summarize(results.map((r) => r.alertRate)).median)} (${seen}/${expected})`,
        fmtRate(summarize(results.map((r) => r.latencyRate)).median),
        fmtMs(percentile(lat, 50)),
        fmtMs(percentile(lat, 99)),
        fmtMiB(summarize(results.map((r) => r.rss)).median),
      ]);
    }
  }
  console.log();
  printTable(
    [
      'rules',
      'events',
      'checkpoint',
      'accepted ev/s',
      'end-to-end ev/s',
      'alerts/s (seen/expected)',
      'latency at ev/s',
      'p50',
      'p99',
      'RSS at end',
    ],
    rows,
  );
} finally {
  await broker?.stop();
}
