import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  KafkaPartitionedRunner,
  type KafkaRecord,
  type PartitionRunnerEvent,
} from '../../core/connectors/kafka/index.js';
import {
  type DataStream,
  type JobClient,
  OutputTag,
  type StreamExecutionEnvironment,
} from '../../core/index.js';
import {
  type Alert,
  ConditionErrors,
  type EventOptions,
  type GroupedEvent,
  type LateGroupedEvent,
  parseEvent,
  type RuleEvent,
  RulePipeline,
  type RuleUpdate,
} from '../../rules/index.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import { DeadLetterStore } from '../ingest/dead-letter-store.js';
import { eventOptionsOf } from '../ingest/ingest.service.js';
import { type BootClock, bootRetry } from '../kafka/boot-retry.js';
import { KafkaConnection } from '../kafka/kafka-connection.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import { RULE_STORE, type RuleStore } from '../rules/rule-store.js';
import { CallbackSink } from './callback-sink.js';
import { dedupeOptionsOf, RULE_OPERATOR_UIDS } from './dedupe-options.js';
import { idleFlushWatermarks, WATERMARK_TICK_TYPE } from './idle-flush-watermarks.js';
import { lateEventsSink } from './late-events-sink.js';
import { Pipeline, type SavepointResult } from './pipeline.js';
import type { PipelineStatus } from './pipeline-status.js';
import { RoutedEventCodec } from './routed-event-codec.js';
import { RuleStoreSource } from './rule-store-source.js';
import { idleRuleUpdateWatermarks, toRuleUpdate } from './rule-updates.js';

/**
 * Kafka mode (DESIGN §4): the rule pipeline as two stages of partition tasks, each stage a
 * {@link KafkaPartitionedRunner} (one task per assigned input partition, one Kafka transaction
 * per task and commit interval holding outputs, changelog and input offsets), and scale-out by
 * running more replicas in the same consumer groups.
 *
 * ```
 * events ─► router tasks (group <app>-router): event time, RuleRouter ─► <app>-routed (key: rule|group key, + watermark records)
 * <app>-routed ─► evaluator tasks (group <app>-cep): DynamicCEP + thresholds ─► alerts (exactly once)
 * rules topic ─► this replica's rule store ─► every task of both stages (broadcast)
 * ```
 *
 * Each rule keys events its own way (dynamic keying), so the routed stream crosses a repartition
 * topic, as Kafka Streams does for a re-keyed stream; the router tasks write their watermarks to
 * it and an evaluator task's event time is the minimum over the router tasks. Undecodable or
 * invalid events in the events topic go to `<app>-dead-letters` with the reason, in the task's
 * transaction, and processing continues.
 *
 * @example
 * ```ts
 * pipeline.status().kafka; // { router: [0, 1], evaluator: [0, 1], assigned: true, taskFailures: 0 }
 * ```
 */
@Injectable()
export class KafkaPipelineService
  extends Pipeline
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Pipeline');
  readonly conditionErrors = new ConditionErrors();
  private router: KafkaPartitionedRunner<RuleEvent, GroupedEvent> | undefined;
  private evaluator: KafkaPartitionedRunner<GroupedEvent, Alert> | undefined;
  private state: PipelineStatus['state'] = 'starting';
  private startedAt: number | undefined;
  private failure: string | undefined;
  private consumerCrashed: string | undefined;
  private assigned = { router: false, evaluator: false };
  private taskFailures = 0;
  private lastCommit: { at: number; checkpointId: number } | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly routedCodec = new RoutedEventCodec();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly kafka: KafkaConnection,
    private readonly metrics: ServiceMetrics,
    @Inject(RULE_STORE) private readonly store: RuleStore,
    private readonly deadLetters: DeadLetterStore,
  ) {
    super();
    metrics.onCollect(() => {
      metrics.pipelineUp.set(this.state === 'running' ? 1 : 0);
      this.collectRuleMetrics(metrics, this.store, this.evaluator?.runningJobs() ?? []);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  protected runningJobs(): Iterable<JobClient> {
    return this.evaluator?.runningJobs() ?? [];
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  status(): PipelineStatus {
    return {
      state: this.state,
      startedAt: this.startedAt,
      failure: this.failure,
      restarts: this.taskFailures,
      checkpointing: true,
      checkpointIntervalMs: this.config.checkpointIntervalMs,
      lastCheckpointAgeMs: this.lastCommit === undefined ? undefined : Date.now() - this.lastCommit.at,
      lastCheckpointId: this.lastCommit?.checkpointId,
      kafka: {
        router: this.router?.runningPartitions().sort((a, b) => a - b) ?? [],
        evaluator: this.evaluator?.runningPartitions().sort((a, b) => a - b) ?? [],
        assigned: this.assigned.router && this.assigned.evaluator,
        taskFailures: this.taskFailures,
        ...(this.consumerCrashed !== undefined ? { consumerCrashed: this.consumerCrashed } : {}),
      },
    };
  }

  /**
   * Kafka mode keeps each task's state in its changelog topic, committed with every
   * transaction; there is no job-wide savepoint to take.
   */
  async savepoint(): Promise<SavepointResult> {
    throw new Error(
      'Kafka mode has no savepoints: every task commits its state to the <app>-router-changelog and <app>-cep-changelog topics with each transaction',
    );
  }

  /** Starts both stages, the router first. @example `await pipeline.start()` */
  async start(): Promise<void> {
    const c = this.config;
    const k = this.kafka;
    const common = {
      port: k.port,
      commitIntervalMs: c.checkpointIntervalMs,
      sessionTimeoutMs: c.kafka.sessionTimeoutMs,
      deadLetterTopic: k.topics.deadLetters,
      transactionTimeoutMs: TRANSACTION_TIMEOUT_MS,
    };
    const ruleOptions = { errors: this.conditionErrors };
    const dedupe = dedupeOptionsOf(c, this.metrics);
    const router = () =>
      new KafkaPartitionedRunner<RuleEvent, GroupedEvent>({
        ...common,
        applicationId: `${c.kafka.appId}-router`,
        inputTopic: k.topics.events,
        outputTopic: k.topics.routed,
        createOutputTopic: { partitions: k.eventPartitions },
        outputWatermarks: true,
        deserializer: eventDecoder(eventOptionsOf(c)),
        // The HTTP ingest ticks every partition after each batch, so every task idle-flushes to
        // the newest event time. A partition nobody writes to (a producer writing to the topic
        // directly, to some partitions) goes idle after IDLE_TIMEOUT_MS, but only once its task
        // has read it to the end: a partition with a backlog is never idle, so its events cannot
        // be overtaken by the other partitions' event time.
        // The partition tasks' jobs emit watermarks every 200 ms (the engine's default interval).
        watermarkStrategy: idleFlushWatermarks(c.outOfOrdernessMs, c.idleFlushMs, { emitIntervalMs: 200 }),
        ...(c.idleTimeoutMs > 0 ? { idleTimeoutMs: c.idleTimeoutMs } : {}),
        serializer: (r) => this.routedCodec.encode(r),
        build: (input, sink, task) => {
          const updates = this.ruleUpdates(task.env);
          const events = input.filter((e) => e.type !== WATERMARK_TICK_TYPE).uid('drop-watermark-ticks');
          // Dedup by event id before routing: the seen ids are this task's state, changelogged
          // with its offsets and outputs; the HTTP ingest keys events by id, so a resent event
          // comes to the same partition, hence the same task.
          const { routed, rejectedUpdates } = RulePipeline.route(events, updates, {
            ...ruleOptions,
            dedupe,
            uids: { router: RULE_OPERATOR_UIDS.router },
          });
          routed.sinkTo(sink).uid('routed-sink');
          rejectedUpdates.sinkTo(this.rejectedUpdatesSink(task.partition)).uid('rejected-updates-log');
        },
        onEvent: (e) => this.onRunnerEvent('router', e),
      });
    const evaluator = () =>
      new KafkaPartitionedRunner<GroupedEvent, Alert>({
        ...common,
        applicationId: `${c.kafka.appId}-cep`,
        inputTopic: k.topics.routed,
        outputTopic: k.topics.alerts,
        inputWatermarks: 'upstream',
        deserializer: (record) => this.routedCodec.decode(record),
        serializer: (a) => ({ key: a.key, value: JSON.stringify(a) }),
        build: (input, sink, task) => {
          const alerts = RulePipeline.evaluate(input, this.ruleUpdates(task.env), {
            ...ruleOptions,
            stats: this.ruleStats,
            lateEvents: LATE_EVENTS,
          });
          alerts.sinkTo(sink).uid('alerts-sink');
          alerts.getSideOutput(LATE_EVENTS).sinkTo(lateEventsSink(this.deadLetters)).uid('late-events');
        },
        onEvent: (e) => this.onRunnerEvent('evaluator', e),
      });
    try {
      this.router = await startRunner('router', this.kafka.boot, router);
      this.evaluator = await startRunner('evaluator', this.kafka.boot, evaluator);
    } catch (e) {
      this.state = 'failed';
      this.failure = e instanceof Error ? e.message : String(e);
      throw e;
    }
    this.state = 'running';
    this.startedAt = Date.now();
    this.lagTimer = setInterval(() => void this.refreshLag(), LAG_REFRESH_MS);
    this.lagTimer.unref();
    if (c.kafka.routedPurgeIntervalMs > 0) {
      this.purgeTimer = setInterval(() => void this.purgeRouted(), c.kafka.routedPurgeIntervalMs);
      this.purgeTimer.unref();
    }
    this.logger.log(
      `Kafka mode: router group ${c.kafka.appId}-router on ${k.topics.events}, evaluator group ${c.kafka.appId}-cep on ${k.topics.routed}, alerts to ${k.topics.alerts}`,
    );
  }

  /**
   * Stops every task of this replica without committing the open interval (its input is
   * processed again by the partition's next owner, so nothing is lost or duplicated) and leaves
   * the groups, so the other replicas take the partitions over at once.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running' && this.state !== 'failed') return;
    this.state = 'stopping';
    clearInterval(this.lagTimer);
    clearInterval(this.purgeTimer);
    await Promise.allSettled([this.router?.stop(), this.evaluator?.stop()]);
    this.state = 'stopped';
    this.logger.log('tasks stopped, groups left');
  }

  /** `kafka_consumer_lag_records` of both stages (the routed topic's counts include transaction markers). */
  private async refreshLag(): Promise<void> {
    const app = this.config.kafka.appId;
    const stages = [
      { group: `${app}-router`, topic: this.kafka.topics.events },
      { group: `${app}-cep`, topic: this.kafka.topics.routed },
    ];
    for (const { group, topic } of stages) {
      try {
        const [ends, committed] = await Promise.all([
          this.kafka.admin.fetchEndOffsets(topic),
          this.kafka.admin.fetchCommittedOffsets(group, topic),
        ]);
        let lag = 0;
        for (const e of ends) {
          const c = committed.find((x) => x.partition === e.partition)?.offset ?? -1;
          const behind = Math.max(0, e.offset - Math.max(c, 0));
          lag += behind;
          this.metrics.partitionLag.set({ group, topic, partition: String(e.partition) }, behind);
        }
        this.metrics.consumerLag.set({ group, topic }, lag);
      } catch {
        // The cluster is unreachable: readiness says so; keep the last figure.
      }
    }
  }

  /**
   * Deletes the repartition topic's records the evaluator group has committed past (Kafka
   * Streams' purge of repartition topics): the routed topic is this application's own, read by
   * that one group only, so once its offsets are committed (in the tasks' transactions) the
   * records before them are never read again and `<app>-routed` stops growing.
   */
  private async purgeRouted(): Promise<void> {
    const topic = this.kafka.topics.routed;
    try {
      const [earliest, committed] = await Promise.all([
        this.kafka.admin.fetchEarliestOffsets(topic),
        this.kafka.admin.fetchCommittedOffsets(`${this.config.kafka.appId}-cep`, topic),
      ]);
      const purge = committed.filter((c) => {
        const low = earliest.find((e) => e.partition === c.partition)?.offset ?? 0;
        return c.offset > low;
      });
      await this.kafka.admin.deleteRecords(
        topic,
        purge.map((c) => ({ partition: c.partition, offset: c.offset })),
      );
      for (const c of purge)
        this.metrics.routedPurgedOffset.set({ partition: String(c.partition) }, c.offset);
    } catch (e) {
      this.logger.warn(`purging ${topic} failed (retried at the next interval): ${String(e)}`);
    }
  }

  private ruleUpdates(env: StreamExecutionEnvironment): DataStream<RuleUpdate> {
    return env
      .fromSource(new RuleStoreSource(this.store), idleRuleUpdateWatermarks(), 'rules')
      .uid('rules-source')
      .map(toRuleUpdate)
      .uid('rule-updates');
  }

  private rejectedUpdatesSink(partition: number) {
    const logger = this.logger;
    const metrics = this.metrics;
    return new CallbackSink<{ update: RuleUpdate; reason: string }>((r) => {
      // Every task sees every update: count and log it once, from the task of partition 0.
      if (partition !== 0) return;
      metrics.rejectedRuleUpdates.inc();
      logger.warn(`rule ${r.update.id} v${r.update.version} refused by the engine: ${r.reason}`);
    });
  }

  private onRunnerEvent(stage: 'router' | 'evaluator', e: PartitionRunnerEvent): void {
    switch (e.type) {
      case 'assigned':
        this.assigned[stage] = true;
        this.logger.log(`${stage}: assigned partitions [${e.partitions.join(', ')}]`);
        break;
      case 'committed':
        this.lastCommit = { at: Date.now(), checkpointId: e.checkpointId };
        this.metrics.checkpointDuration.observe(e.durationMs / 1000);
        this.metrics.checkpointSize.set(e.snapshotBytes);
        break;
      case 'task-failed':
        this.taskFailures++;
        this.logger.warn(`${stage} task ${e.partition} failed: ${String(e.error)}`);
        break;
      case 'consumer-crashed':
        this.consumerCrashed = String(e.error);
        this.logger.error(`${stage} consumer crashed: ${this.consumerCrashed}`);
        break;
      default:
        break;
    }
  }
}

/**
 * Starts a stage's runner, a new one per attempt while the cluster is still booting (a group
 * coordinator loading, a topic without a leader yet), until the boot deadline.
 */
function startRunner<I, O>(
  stage: string,
  boot: BootClock,
  make: () => KafkaPartitionedRunner<I, O>,
): Promise<KafkaPartitionedRunner<I, O>> {
  return bootRetry(`starting the ${stage} tasks`, boot, async () => {
    const runner = make();
    try {
      await runner.start();
      return runner;
    } catch (e) {
      await runner.stop().catch(() => {});
      throw e;
    }
  });
}

/** The late output of the evaluator tasks (to dead letters). */
const LATE_EVENTS = new OutputTag<LateGroupedEvent>('late-events');

/** How often `kafka_consumer_lag_records` is refreshed. */
const LAG_REFRESH_MS = 5000;

/**
 * Broker-side timeout of the tasks' transactions. A task that reads a backlog holds a whole
 * commit interval's outputs in one transaction (with many rules, the router writes each event
 * once per rule), and sending them can take longer than the runner's default of 10 s on a busy
 * machine: the broker then aborts the transaction and fences the task, which restarts from its
 * last commit, reads the same backlog again and times out again. A replica that takes a task over
 * fences the old transaction at once, so the timeout only matters when nobody does.
 */
const TRANSACTION_TIMEOUT_MS = 120_000;

/**
 * Events topic record -> event; throws (-> dead letter with the reason) on bad JSON or an invalid
 * event, one timestamped too far ahead of the wall clock included (`MAX_EVENT_TIME_SKEW_MS`).
 * Watermark ticks are events too: a tick from the far future is refused like any event.
 */
function eventDecoder(options: EventOptions): (record: KafkaRecord) => RuleEvent {
  return (record) => {
    const raw = JSON.parse(record.value?.toString('utf8') ?? 'null') as unknown;
    const p = parseEvent(raw, options);
    if (!p.ok) throw new Error(p.reason);
    return p.event;
  };
}
