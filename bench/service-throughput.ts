/**
 * End-to-end throughput and alert latency of the rule service ("Rules at scale" item 5): the
 * compiled service (`node dist/src/main.js`) runs as a child process on 127.0.0.1, in embedded
 * mode with a temp DATA_DIR, or with `MODE=kafka` in Kafka mode (see below). This process pushes
 * N generated rules (`service-rules.ts`: ~70% pattern, ~30% threshold, keyed by user, card or
 * ip), then sends EVENTS events (`service-workload.ts`: 12 event types over KEYS users, cards and
 * ips, with planted scenarios that each complete one rule once) in batches of BATCH with INFLIGHT
 * batches in flight, and reads the alerts from the SSE stream (`GET /alerts/stream`).
 *
 * Event time: the throughput phase runs on the wall clock shifted back by SHIFT (an hour, or the
 * longest rule span + 2 minutes if longer). Once every batch was accepted, one event (or tick) at
 * the wall clock moves event time past every window and `within` of the phase, so threshold
 * windows and absence rules fire at the end of the run, and the benchmark can expect every
 * planted alert. The latency phase then runs on the wall clock itself.
 *
 * Per configuration (rules x CHECKPOINT_INTERVAL_MS), RUNS runs each on a fresh service; printed:
 * - accepted events/s: EVENTS / (first batch sent -> last batch accepted);
 * - end-to-end events/s: EVENTS / (first batch sent -> last planted alert on the stream); this
 *   includes the closing of the windows, the idle flush (IDLE_FLUSH_MS) and a checkpoint;
 * - alerts seen vs expected, per rule template, and the first missing / unplanned (rule, key)
 *   pairs when they differ;
 * - alert latency p50/p99 at LATENCY_LOAD (0.5) x the run's end-to-end rate: a `seq2` marker on
 *   rule 0 in every batch (10 batches/s), from sending the batch with its completing payout to
 *   reading its alert. An alert waits for the watermark (EVENT_OUT_OF_ORDERNESS_MS behind the
 *   newest event, or the idle flush) and for the next checkpoint (alerts commit at checkpoints);
 *   the paced load goes on without markers for EVENT_OUT_OF_ORDERNESS_MS + 2 checkpoint
 *   intervals after the last one, so every marker is measured under load (the last ones used to
 *   wait for the idle flush that ends a run, which is not what a steady stream sees);
 * - the service's peak RSS (VmHWM and VmRSS sampled every 250 ms);
 * - with PROFILE=1, where the service's time goes (`--cpu-prof`, self time per function;
 *   KEEP_PROFILE=1 keeps the `.cpuprofile` files and prints where);
 * - with BENCH_SERVICE_LOG=<file>, the service's own output appended to that file;
 * - batches sent again after a broken connection (same Idempotency-Key), when any.
 * Medians over the runs; each run's values in the detail lines.
 *
 * Kafka mode (`MODE=kafka`): the service gets KAFKA_BROKERS from the environment, or a broker this
 * process starts with `test/integration/kafka/broker-cli.mjs` (and stops at the end), a new
 * application id per run (its topics are deleted after the run) and PARTITIONS (default 4)
 * partitions per topic. `INGEST=kafka` (implies Kafka mode) produces the events straight to the
 * service's events topic with kafkajs, key = user, instead of POSTing them.
 *
 *   npm run bench:service
 *   RULES=10 EVENTS=5000 KEYS=10000 npm run bench:service          # a quick check
 *   MODE=kafka KAFKA_BROKERS=127.0.0.1:9092 npm run bench:service
 *   INGEST=kafka KAFKA_BROKERS=127.0.0.1:9092 npm run bench:service
 *   PROFILE=1 RULES=100 npm run bench:service                      # where the time goes
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtInt, fmtMiB, fmtRate, printTable, summarize } from './cep-stats.js';
import { type AlertReport, AlertTally, formatByKind } from './service-alerts.js';
import {
  deleteJson,
  openAlertStream,
  postJson,
  type ServiceChild,
  startServiceChild,
  summarizeCpuProfiles,
  watchWatermark,
} from './service-client.js';
import { httpIngest, type Ingest, kafkaIngest } from './service-ingest.js';
import { type BenchBroker, startBenchBroker } from './service-kafka.js';
import { type BenchRule, benchRules, PROBE_RULE } from './service-rules.js';
import { type Batch, EventGenerator } from './service-workload.js';

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

const RULE_COUNTS = list('RULES', '1,10,100,1000');
/**
 * Events per rule count (one number for all, or a list aligned with RULES). 50k at 1,000 rules
 * (10k until 2026-12-07): a 10k run was mostly the fixed drain (closing windows, idle flush, a
 * checkpoint), not the sustained rate.
 */
const EVENT_COUNTS = list('EVENTS', '200000,100000,100000,50000');
const KEYS = num('KEYS', 100_000);
const BATCH = num('BATCH', 500);
const INFLIGHT = num('INFLIGHT', 4);
const CHECKPOINTS = list('CHECKPOINTS', '500');
const RUNS = num('RUNS', 1);
const SEED = num('SEED', 7);
const ALERT_FRACTION = num('ALERT_FRACTION', 0.01);
const DRAIN_TIMEOUT_MS = num('DRAIN_TIMEOUT_MS', 300_000);
const LATENCY_SECONDS = num('LATENCY_SECONDS', 8);
const LATENCY_LOAD = num('LATENCY_LOAD', 0.5);
/** The service's EVENT_OUT_OF_ORDERNESS_MS (its default unless set here): how long the latency load goes on after the last marker. */
const OUT_OF_ORDERNESS_MS = num('EVENT_OUT_OF_ORDERNESS_MS', 1000);
/** At most this many events/s in the latency phase (0: no cap). */
const LATENCY_MAX_RATE = num('LATENCY_MAX_RATE', 0);
const KAFKA_INGEST = env.INGEST === 'kafka';
const KAFKA_MODE = KAFKA_INGEST || env.MODE === 'kafka' || env.KAFKA === '1' || env.KAFKA === 'true';
/** The drain ends when no planted alert arrived for this long (Kafka mode works off backlogs in bursts). */
const QUIET_MS = num('QUIET_MS', KAFKA_MODE ? 60_000 : 15_000);
const PROFILE = env.PROFILE === '1' || env.PROFILE === 'true';
const PARTITIONS = num('PARTITIONS', 4);
/** Missing or unplanned pairs listed per run. */
const SHOW = 5;

let broker: BenchBroker | undefined;

/** What one run measured. */
interface RunResult {
  readonly acceptedRate: number;
  readonly endToEndRate: number;
  readonly alerts: AlertReport;
  /** Whether the engine's watermark reached the closing event time by the end of the drain. */
  readonly closed: boolean;
  readonly latenciesMs: number[];
  readonly latencyRate: number;
  readonly acceptSeconds: number;
  readonly drainSeconds: number;
  readonly peakRss: number;
  /** The engine's own counts at the end: late events, and drops over rule caps (any is suspicious). */
  readonly late: number;
  /** Batches sent again after a broken connection. */
  readonly resent: number;
  readonly dropped: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()`, or no progress for QUIET_MS after `since()`, or DRAIN_TIMEOUT_MS. */
async function waitFor(done: () => boolean, since: () => number): Promise<void> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (!done() && performance.now() < deadline && performance.now() - since() < QUIET_MS) await sleep(10);
}

/**
 * Pushes the rules, then the probe rule, and waits for a probe alert: rule changes apply in
 * order, so the engine then has every rule. The probe rule is deleted before the events.
 */
async function pushRules(
  service: ServiceChild,
  rules: readonly BenchRule[],
  ingest: Ingest,
  clock: () => number,
  tally: AlertTally,
): Promise<void> {
  for (const r of rules) await postJson(`${service.url}/rules`, r.doc, 201);
  await postJson(`${service.url}/rules`, PROBE_RULE, 201);
  for (let probe = 0; probe < 60; probe++) {
    const user = `probe-${probe}`;
    const ts = clock();
    await ingest.send([{ type: 'kyc_check', result: 'probe', ts, user, ip: user }]);
    await ingest.advance(ts); // Kafka ingest: every partition's event time reaches the probe
    const id = `${PROBE_RULE.id} ${JSON.stringify([['user', user]])}`;
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline && !tally.probes.has(id)) await sleep(20);
    if (tally.probes.has(id)) {
      await deleteJson(`${service.url}/rules/${PROBE_RULE.id}?ifVersion=1`, 204);
      return;
    }
  }
  throw new Error('the rules never became active');
}

/** One run on a fresh service: rules, throughput phase, drain, latency phase. */
async function run(
  rules: readonly BenchRule[],
  events: number,
  checkpointMs: number,
  profileDir?: string,
): Promise<RunResult> {
  const kafka = broker?.serviceEnv(PARTITIONS);
  const service = await startServiceChild({
    env: { CHECKPOINT_INTERVAL_MS: String(checkpointMs), ...kafka?.env },
    cpuProfDir: profileDir,
  });
  const ingest =
    KAFKA_INGEST && kafka !== undefined
      ? await kafkaIngest(kafka.env.KAFKA_BROKERS!, kafka.env.KAFKA_EVENTS_TOPIC!)
      : httpIngest(service.url);
  try {
    // The throughput phase's event time lags the wall clock by more than any rule's span.
    const shift = Math.max(3_600_000, Math.max(...rules.map((r) => r.spanMs)) + 120_000);
    let offset = -shift;
    const clock = (): number => Date.now() + offset;
    const gen = new EventGenerator({
      keys: KEYS,
      rules,
      batchSize: BATCH,
      alertFraction: ALERT_FRACTION,
      seed: SEED,
      clock,
    });
    const tally = new AlertTally(gen.plan);
    const stream = await openAlertStream(service.url, (a, at) => tally.add(a, at));
    try {
      await pushRules(service, rules, ingest, clock, tally);
      await sleep(Math.max(1500, 3 * checkpointMs)); // let the probes' watermark and checkpoints settle

      // Throughput phase.
      const batches = Math.ceil(events / BATCH);
      let nextBatch = 0;
      const t0 = performance.now();
      const sender = async (): Promise<void> => {
        while (nextBatch < batches) {
          nextBatch++;
          await ingest.send(gen.next().events);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, INFLIGHT) }, sender));
      for (const b of gen.drain()) await ingest.send(b.events); // in order: steps of running scenarios
      const tAccepted = performance.now();
      const built = gen.built;
      // Event time to now: past every window and `within` of the phase (see the file comment).
      offset = 0;
      const closingTs = Date.now();
      await ingest.advance(closingTs);
      // Progress is an alert or the watermark moving: a service working off a backlog for
      // longer than QUIET_MS without completing a scenario is not done.
      const watermark = watchWatermark(service.url);
      await waitFor(
        () => tally.plannedSeen >= gen.expected,
        () => Math.max(tally.lastPlannedAt, watermark.advancedAt, tAccepted),
      );
      watermark.stop();
      await sleep(Math.max(200, 2 * checkpointMs)); // duplicates would show up here
      const alerts = tally.report();
      // The gauge is in seconds; the closing time's own second is enough.
      const closed = watermark.ms >= Math.floor(closingTs / 1000) * 1000;
      // No alert at all: the span up to now (a lower bound of the rate), not up to time 0.
      const tDone = tally.plannedSeen > 0 ? tally.lastPlannedAt : performance.now();
      const endToEndRate = built / ((tDone - t0) / 1000);

      // Latency phase: paced load below capacity, a marker in every batch (10 batches/s).
      const cap = LATENCY_MAX_RATE > 0 ? LATENCY_MAX_RATE : Number.POSITIVE_INFINITY;
      const perBatch = Math.max(3, Math.round(Math.min(cap, LATENCY_LOAD * endToEndRate) / 10));
      const sentAt = new Map<string, number>();
      const send = async (b: Batch): Promise<void> => {
        const at = performance.now();
        for (const id of b.completesMarkers) sentAt.set(id, at);
        await ingest.send(b.events);
      };
      const tLat = performance.now();
      const builtBefore = gen.built;
      const latencyBatches = Math.max(2, LATENCY_SECONDS * 10);
      // The load goes on (without markers) for as long as the last marker's alert needs newer
      // events to pass the watermark and a checkpoint to commit it: latency under a steady load,
      // not the idle flush that ends every run.
      const tailBatches = Math.ceil((OUT_OF_ORDERNESS_MS + 2 * checkpointMs) / 100);
      for (let b = 0; b < latencyBatches + tailBatches; b++) {
        await send(gen.next(perBatch, { plant: false, marker: b < latencyBatches - 1 }));
        await sleep(Math.max(0, tLat + (b + 1) * 100 - performance.now()));
      }
      for (const b of gen.drain()) await send(b);
      // What the service got, which is less than asked when a POST took longer than 100 ms.
      const latencyRate = (gen.built - builtBefore) / ((performance.now() - tLat) / 1000);
      await ingest.advance(gen.lastEventTime);
      const tSent = performance.now();
      await waitFor(
        () => [...sentAt.keys()].every((id) => tally.probes.has(id)),
        () => Math.max(tSent, ...[...sentAt.keys()].map((id) => tally.probes.get(id) ?? 0)),
      );
      const latenciesMs = [...sentAt].map(
        ([id, at]) => (tally.probes.get(id) ?? Number.POSITIVE_INFINITY) - at,
      );
      const { peakRss, rss } = await service.memory();
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const sum = (name: string): number =>
        [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
      return {
        late: sum('cep_late_events_total'),
        resent: ingest.resent ?? 0,
        dropped: sum('cep_rule_dropped_total'),
        acceptedRate: built / ((tAccepted - t0) / 1000),
        endToEndRate,
        alerts,
        closed,
        latencyRate,
        latenciesMs,
        acceptSeconds: (tAccepted - t0) / 1000,
        drainSeconds: (tDone - tAccepted) / 1000,
        peakRss: peakRss ?? rss,
      };
    } finally {
      stream.close();
    }
  } finally {
    await ingest.close();
    await service.stop();
    if (kafka !== undefined) await broker?.deleteTopics(kafka.app);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmtMs = (ms: number): string => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'missing');

/** `seq2 2, loop 1, count-tumbling 3, ...`: the templates of a rule set. */
function mixOf(rules: readonly BenchRule[]): string {
  const m = new Map<string, number>();
  for (const r of rules) m.set(r.template, (m.get(r.template) ?? 0) + 1);
  return [...m].map(([t, n]) => `${t} ${n}`).join(', ');
}

/** The detail lines of one run. */
function printRun(label: string, r: RunResult): void {
  const lat = [...r.latenciesMs].sort((a, b) => a - b);
  console.log(
    `  ${label}: accepted ${fmtRate(r.acceptedRate)}/s in ${r.acceptSeconds.toFixed(1)} s, end-to-end ${fmtRate(r.endToEndRate)}/s (drain ${r.drainSeconds.toFixed(1)} s), alerts ${r.alerts.seen}/${r.alerts.expected}; at ${fmtRate(r.latencyRate)}/s latency p50 ${fmtMs(percentile(lat, 50))} p99 ${fmtMs(percentile(lat, 99))}; peak RSS ${fmtMiB(r.peakRss)}`,
  );
  console.log(`    alerts by kind: ${formatByKind(r.alerts)}`);
  const { missing, extra } = r.alerts;
  if (missing.length > 0) {
    const first = missing.slice(0, SHOW).map((m) => `${m.id} (${m.template}, ${m.seen}/${m.expected})`);
    console.log(`    missing (${missing.length} pairs): ${first.join('; ')}`);
    console.log(
      `    the watermark ${r.closed ? 'passed' : 'did NOT reach'} the closing event time (${r.closed ? 'alerts lost or never matched' : 'the service had not worked off its events'})`,
    );
  }
  if (r.late > 0 || r.dropped > 0) {
    console.log(`    the engine counted ${r.late} late events and ${r.dropped} drops over rule caps`);
  }
  if (r.resent > 0) console.log(`    ${r.resent} batches sent again after a broken connection`);
  if (extra.length > 0) {
    const first = extra.slice(0, SHOW).map((x) => `${x.id} (${x.kind}, event time ${x.eventTimeEnd})`);
    console.log(`    unplanned or duplicate (${extra.length}): ${first.join('; ')}`);
  }
}

if (KAFKA_MODE) broker = await startBenchBroker();
const mode =
  broker === undefined
    ? 'embedded mode, HTTP ingest'
    : `Kafka mode, ${KAFKA_INGEST ? 'kafkajs producer to the events topic (key = user)' : 'HTTP ingest'}, broker ${broker.brokers}${broker.started ? ' (started for this run)' : ''}, ${PARTITIONS} partitions per topic, one replica`;
console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); ${mode}`);
console.log(
  `${KEYS} keys (users, cards, ips), batches of ${BATCH}, ${INFLIGHT} in flight, ${ALERT_FRACTION} of the events planted, seed ${SEED}, ${RUNS} run(s) per configuration; latency: ${LATENCY_SECONDS} s at ${LATENCY_LOAD} x the end-to-end rate${LATENCY_MAX_RATE > 0 ? ` (at most ${LATENCY_MAX_RATE}/s)` : ''}, a marker every 100 ms`,
);
try {
  const rows: string[][] = [];
  for (const [ri, ruleCount] of RULE_COUNTS.entries()) {
    const events = EVENT_COUNTS[Math.min(ri, EVENT_COUNTS.length - 1)]!;
    const rules = benchRules(ruleCount, SEED);
    console.log(`${ruleCount} rules: ${mixOf(rules)}`);
    for (const checkpointMs of CHECKPOINTS) {
      const results: RunResult[] = [];
      for (let i = 0; i < Math.max(1, RUNS); i++) {
        const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'cep-bench-prof-')) : undefined;
        const r = await run(rules, events, checkpointMs, profileDir);
        results.push(r);
        printRun(`${ruleCount} rules, checkpoint ${checkpointMs} ms, run ${i + 1}`, r);
        if (profileDir !== undefined) {
          console.log('    where the time goes (self time of the service process, by area):');
          for (const h of summarizeCpuProfiles(profileDir, 12, 'area')) {
            console.log(`    ${h.pct.toFixed(1).padStart(5)}%  ${h.ms.toFixed(0).padStart(6)} ms  ${h.fn}`);
          }
          console.log('    hot spots (by function):');
          for (const h of summarizeCpuProfiles(profileDir)) {
            console.log(`    ${h.pct.toFixed(1).padStart(5)}%  ${h.ms.toFixed(0).padStart(6)} ms  ${h.fn}`);
          }
          if (env.KEEP_PROFILE === undefined) rmSync(profileDir, { recursive: true, force: true });
          else console.log(`    profile kept in ${profileDir}`);
        }
      }
      const lat = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
      const median = (f: (r: RunResult) => number): number => summarize(results.map(f)).median;
      const seen = results.reduce((s, r) => s + r.alerts.seen, 0);
      const expected = results.reduce((s, r) => s + r.alerts.expected, 0);
      const extra = results.reduce((s, r) => s + r.alerts.extra.length, 0);
      rows.push([
        String(ruleCount),
        fmtInt(events),
        `${checkpointMs} ms`,
        fmtRate(median((r) => r.acceptedRate)),
        fmtRate(median((r) => r.endToEndRate)),
        `${seen}/${expected}${extra > 0 ? ` +${extra}` : ''}`,
        fmtRate(median((r) => r.latencyRate)),
        fmtMs(percentile(lat, 50)),
        fmtMs(percentile(lat, 99)),
        fmtMiB(median((r) => r.peakRss)),
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
      'alerts seen/expected',
      'latency at ev/s',
      'p50',
      'p99',
      'peak RSS',
    ],
    rows,
  );
} finally {
  await broker?.stop();
}
