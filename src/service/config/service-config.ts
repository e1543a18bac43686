/**
 * The service's configuration, read from environment variables and validated at boot.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 8080 | HTTP port (0 = any free port) |
 * | `HOST` | 0.0.0.0 | address to listen on |
 * | `DATA_DIR` | ./data | embedded mode's data directory (local log) |
 * | `API_KEY` | unset | when set, every endpoint but `/health/*` requires it (`x-api-key` or `Authorization: Bearer`) |
 * | `API_READ_KEY` | unset | with `API_KEY`: a second key that grants GET/HEAD only |
 * | `METRICS_PUBLIC` | false | `/metrics` answers without a key even when `API_KEY` is set |
 * | `BODY_LIMIT` | 1mb | largest request body (bytes or `kb`/`mb` suffix) |
 * | `KAFKA_BROKERS` | unset | Kafka mode: comma-separated `host:port` bootstrap servers |
 * | `KAFKA_APP_ID` | cep-rules | consumer groups, transactional ids and internal topic names (`<app>-…`) |
 * | `KAFKA_EVENTS_TOPIC` | events | input topic (JSON events) |
 * | `KAFKA_ALERTS_TOPIC` | alerts | output topic (JSON alerts, exactly once) |
 * | `KAFKA_RULES_TOPIC` | `<app>-rules` | compacted rules topic (one partition) |
 * | `KAFKA_CREATE_TOPICS` | true | create missing events/alerts/rules topics (false: fail when missing) |
 * | `KAFKA_TOPIC_PARTITIONS` | 4 | partitions of topics the service creates |
 * | `KAFKA_SESSION_TIMEOUT_MS` | 10000 | group session timeout: how fast a dead replica's partitions move |
 * | `KAFKA_BOOT_TIMEOUT_MS` | 60000 | how long boot retries retriable Kafka errors (broker starting, topic leaders, coordinators) before exiting 1 |
 * | `EVENT_OUT_OF_ORDERNESS_MS` | 1000 | watermark delay behind the highest event time |
 * | `IDLE_FLUSH_MS` | 1000 | after this long without events the watermark catches up with the highest event time |
 * | `WATERMARK_INTERVAL_MS` | 50 | embedded mode: how often the watermark is emitted (Flink's `pipeline.auto-watermark-interval`); an alert waits up to this long after the watermark could pass it |
 * | `IDLE_TIMEOUT_MS` | 10000 | Kafka mode: an events partition read to its end with no event for this long stops holding event time back (0 = never idle) |
 * | `MAX_EVENT_TIME_SKEW_MS` | 300000 | events timestamped further ahead of the wall clock are dead-lettered (0 = no limit) |
 * | `DRY_RUN_TIMEOUT_MS` | 10000 | a dry run taking longer (it runs in a worker thread) is stopped: 422 |
 * | `DEDUP_WINDOW_MS` | 86400000 | an event whose `id` the pipeline saw within this long (processing time) is dropped as a duplicate (0 = off) |
 * | `DEDUP_MAX_IDS` | 1000000 | at most this many ids remembered per dedup subtask (embedded: one; Kafka mode: one per events partition); past it the oldest are forgotten early, counted in `events_dedup_evicted_total` |
 * | `CHECKPOINT_INTERVAL_MS` | 500 | checkpoint interval of the engine job (alerts become visible at each checkpoint) |
 * | `ALERT_BUFFER_SIZE` | 1000 | alerts kept for `GET /alerts` |
 * | `LOAD_EXAMPLE_RULES` | true | load `rules/*.json` when the rule store is empty |
 * | `RULES_DIR` | `<package>/rules` | where the example rules are |
 * | `LOG_LEVEL` | log | Nest logger level: error, warn, log, debug, verbose |
 * | `LOG_FORMAT` | json | `json` (one JSON object per line) or `text` (Nest's coloured text) |
 *
 * @packageDocumentation
 */
import { basename, dirname, resolve } from 'node:path';

/**
 * The validated configuration.
 *
 * @example
 * ```ts
 * const config = loadServiceConfig(process.env);
 * config.port; // 8080
 * ```
 */
export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly apiKey: string | undefined;
  /** A key that grants GET/HEAD only (requires `apiKey`). */
  readonly apiReadKey: string | undefined;
  /** Whether `/metrics` is open even when `apiKey` is set. */
  readonly metricsPublic: boolean;
  readonly bodyLimitBytes: number;
  readonly kafkaBrokers: readonly string[] | undefined;
  /** Kafka mode's settings (used only when `kafkaBrokers` is set). */
  readonly kafka: KafkaSettings;
  readonly outOfOrdernessMs: number;
  readonly idleFlushMs: number;
  /** Embedded mode: periodic watermark interval of the engine job. */
  readonly watermarkIntervalMs: number;
  /** Kafka mode: quiet time after which a caught-up events partition is idle; 0 = never. */
  readonly idleTimeoutMs: number;
  /** Largest accepted lead of an event's timestamp over the wall clock; 0 = no limit. */
  readonly maxEventTimeSkewMs: number;
  /** How long the pipeline remembers event ids to drop resent events (processing time); 0 = off. */
  readonly dedupWindowMs: number;
  readonly dedupMaxIds: number;
  /** A dry run (in a worker thread) taking longer is stopped and answered 422. */
  readonly dryRunTimeoutMs: number;
  readonly checkpointIntervalMs: number;
  /**
   * Embedded mode: checkpoints per incremental chain (a full checkpoint, then deltas holding the keys
   * touched since the previous one); 1 = every checkpoint full.
   */
  readonly checkpointChainLength: number;
  readonly alertBufferSize: number;
  readonly loadExampleRules: boolean;
  readonly rulesDir: string;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  readonly logFormat: 'json' | 'text';
}

/**
 * Kafka mode's topics and group settings.
 *
 * @example
 * ```ts
 * const k: KafkaSettings = { appId: 'cep-rules', eventsTopic: 'events', alertsTopic: 'alerts', rulesTopic: 'cep-rules-rules', createTopics: true, topicPartitions: 4, sessionTimeoutMs: 10_000, bootTimeoutMs: 60_000, routedPurgeIntervalMs: 30_000 };
 * ```
 */
export interface KafkaSettings {
  readonly appId: string;
  readonly eventsTopic: string;
  readonly alertsTopic: string;
  readonly rulesTopic: string;
  readonly createTopics: boolean;
  readonly topicPartitions: number;
  readonly sessionTimeoutMs: number;
  /** How long boot retries retriable errors (a starting broker, topics without leaders yet). */
  readonly bootTimeoutMs: number;
  /** How often consumed records of `<app>-routed` are deleted (0: never). */
  readonly routedPurgeIntervalMs: number;
}

/**
 * Thrown by {@link loadServiceConfig} with every problem found, one per line.
 *
 * @example
 * ```ts
 * try { loadServiceConfig({ PORT: 'x' }); } catch (e) { (e as ConfigError).problems; // ['PORT must be ...'] }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The default directory of the example rules: `rules/` of the package. */
const DEFAULT_RULES_DIR = ((): string => {
  const up = resolve(import.meta.dirname, '../../..'); // the package root, or dist/ when compiled
  return resolve(basename(up) === 'dist' ? dirname(up) : up, 'rules');
})();

const LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/**
 * Reads and validates the configuration from `env` (normally `process.env`). Throws
 * {@link ConfigError} listing every invalid variable.
 *
 * @example
 * ```ts
 * loadServiceConfig({ PORT: '0', DATA_DIR: '/tmp/x' }).port; // 0
 * ```
 */
export function loadServiceConfig(env: Readonly<Record<string, string | undefined>>): ServiceConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${v}"`);
      return dflt;
    }
    return n;
  };
  const bool = (name: string, dflt: boolean): boolean => {
    const v = get(name)?.toLowerCase();
    if (v === undefined) return dflt;
    if (['1', 'true', 'yes'].includes(v)) return true;
    if (['0', 'false', 'no'].includes(v)) return false;
    problems.push(`${name} must be true or false, got "${v}"`);
    return dflt;
  };
  const port = int('PORT', 8080, 0, 65535);
  const bodyLimitBytes = parseSize(get('BODY_LIMIT') ?? '1mb');
  if (bodyLimitBytes === undefined) {
    problems.push(
      `BODY_LIMIT must be a size like 1048576, 512kb or 1mb (at most 64mb), got "${get('BODY_LIMIT')}"`,
    );
  }
  const brokers = get('KAFKA_BROKERS')
    ?.split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers?.some((b) => !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(b))) {
    problems.push(`KAFKA_BROKERS must be a comma-separated list of host:port, got "${get('KAFKA_BROKERS')}"`);
  }
  const topic = (name: string, dflt: string): string => {
    const v = get(name) ?? dflt;
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(v))
      problems.push(`${name} must be a Kafka topic name ([A-Za-z0-9._-]), got "${v}"`);
    return v;
  };
  const appId = topic('KAFKA_APP_ID', 'cep-rules');
  const kafka: KafkaSettings = {
    appId,
    eventsTopic: topic('KAFKA_EVENTS_TOPIC', 'events'),
    alertsTopic: topic('KAFKA_ALERTS_TOPIC', 'alerts'),
    rulesTopic: topic('KAFKA_RULES_TOPIC', `${appId}-rules`),
    createTopics: bool('KAFKA_CREATE_TOPICS', true),
    topicPartitions: int('KAFKA_TOPIC_PARTITIONS', 4, 1, 1000),
    sessionTimeoutMs: int('KAFKA_SESSION_TIMEOUT_MS', 10_000, 6000, 300_000),
    bootTimeoutMs: int('KAFKA_BOOT_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    routedPurgeIntervalMs: int('KAFKA_ROUTED_PURGE_INTERVAL_MS', 30_000, 0, 3_600_000),
  };
  const apiKey = get('API_KEY');
  if (apiKey !== undefined && apiKey.length < 8) problems.push('API_KEY must be at least 8 characters');
  const apiReadKey = get('API_READ_KEY');
  if (apiReadKey !== undefined) {
    if (apiKey === undefined)
      problems.push('API_READ_KEY needs API_KEY (without API_KEY every endpoint is open)');
    if (apiReadKey.length < 8) problems.push('API_READ_KEY must be at least 8 characters');
    if (apiReadKey === apiKey) problems.push('API_READ_KEY must differ from API_KEY');
  }
  const metricsPublic = bool('METRICS_PUBLIC', false);
  const logFormat = (get('LOG_FORMAT')?.toLowerCase() ?? 'json') as ServiceConfig['logFormat'];
  if (logFormat !== 'json' && logFormat !== 'text')
    problems.push(`LOG_FORMAT must be json or text, got "${get('LOG_FORMAT')}"`);
  const logLevel = (get('LOG_LEVEL') ?? 'log') as ServiceConfig['logLevel'];
  if (!LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${logLevel}"`);
  const config: ServiceConfig = {
    port,
    host: get('HOST') ?? '0.0.0.0',
    dataDir: resolve(get('DATA_DIR') ?? './data'),
    apiKey,
    apiReadKey,
    metricsPublic,
    bodyLimitBytes: bodyLimitBytes ?? 0,
    kafkaBrokers: brokers,
    kafka,
    outOfOrdernessMs: int('EVENT_OUT_OF_ORDERNESS_MS', 1000, 0, 86_400_000),
    idleFlushMs: int('IDLE_FLUSH_MS', 1000, 0, 3_600_000),
    watermarkIntervalMs: int('WATERMARK_INTERVAL_MS', 50, 10, 10_000),
    idleTimeoutMs: int('IDLE_TIMEOUT_MS', 10_000, 0, 3_600_000),
    maxEventTimeSkewMs: int('MAX_EVENT_TIME_SKEW_MS', 300_000, 0, 31_622_400_000),
    dedupWindowMs: int('DEDUP_WINDOW_MS', 86_400_000, 0, 31_622_400_000),
    dedupMaxIds: int('DEDUP_MAX_IDS', 1_000_000, 1, 100_000_000),
    dryRunTimeoutMs: int('DRY_RUN_TIMEOUT_MS', 10_000, 1, 600_000),
    checkpointIntervalMs: int('CHECKPOINT_INTERVAL_MS', 500, 50, 600_000),
    checkpointChainLength: int('CHECKPOINT_CHAIN_LENGTH', 20, 1, 1000),
    alertBufferSize: int('ALERT_BUFFER_SIZE', 1000, 1, 1_000_000),
    loadExampleRules: bool('LOAD_EXAMPLE_RULES', true),
    rulesDir: resolve(get('RULES_DIR') ?? DEFAULT_RULES_DIR),
    logLevel,
    logFormat,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Parses `1048576`, `512kb`, `1mb` to bytes; undefined when invalid or above 64 MiB.
 *
 * @example
 * ```ts
 * parseSize('1mb'); // 1048576
 * ```
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const n = Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
  return n >= 1 && n <= 64 * 1024 * 1024 ? n : undefined;
}
