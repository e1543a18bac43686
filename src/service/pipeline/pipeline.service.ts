import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type CompletedCheckpoint,
  ExternalizedCheckpointRetention,
  FileCheckpointStorage,
  type JobClient,
  JobStatus,
  jsonValue,
  LocalLogSink,
  LocalLogSource,
  OutputTag,
  StreamExecutionEnvironment,
} from '../../core/index.js';
import {
  type Alert,
  ConditionErrors,
  type LateGroupedEvent,
  type RuleEvent,
  RulePipeline,
} from '../../rules/index.js';
import { AlertHub } from '../alerts/alert-hub.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import { DeadLetterStore } from '../ingest/dead-letter-store.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import type { RuleRecord } from '../rules/rule-record.js';
import { RULE_STORE, type RuleStore } from '../rules/rule-store.js';
import { EmbeddedStorage } from '../storage/embedded-storage.js';
import { CallbackSink } from './callback-sink.js';
import { dedupeOptionsOf, RULE_OPERATOR_UIDS } from './dedupe-options.js';
import { EagerSplitOutputSource, type SourceProgress } from './eager-split-output-source.js';
import { idleFlushWatermarks, WATERMARK_TICK_TYPE } from './idle-flush-watermarks.js';
import { lateEventsSink } from './late-events-sink.js';
import { Pipeline, type SavepointResult } from './pipeline.js';
import type { PipelineStatus } from './pipeline-status.js';
import { ruleUpdateWatermarks, toRuleUpdate } from './rule-updates.js';

/** The late output of the rule evaluators (to dead letters). */
const LATE_EVENTS = new OutputTag<LateGroupedEvent>('late-events');

/** How long shutdown waits for a final checkpoint before cancelling anyway. */
const FINAL_CHECKPOINT_TIMEOUT_MS = 10_000;

/**
 * The embedded pipeline: one engine job in this process, checkpointed into `DATA_DIR/checkpoints`.
 *
 * ```
 * local log "events" ─► idle-flush watermarks ─► drop ticks ─┐
 * local log "rules" (broadcast, no timestamps) ─► update ─┴─► RulePipeline.alerts ─► LocalLogSink "alerts" (exactly once)
 * ```
 *
 * The HTTP ingest appends events to the `events` topic and the rules API appends rule changes to
 * the `rules` topic; the job reads both as a reader of the log, so HTTP never touches engine state.
 * `RulePipeline` (src/rules) routes each event once per grouping (the key fields rules group by) to
 * the rules the rule index finds could take it, and evaluates every rule of a grouping side by
 * side per key (`RuleGroupOperator`: pattern NFAs and threshold windows; docs/rules-at-scale.md). Alerts go to the `alerts` topic through the two-phase-commit sink: visible
 * when their checkpoint completes; the {@link AlertHub} tails the topic.
 *
 * Checkpoints hold the read positions of both topics, the rules' broadcast state, partial matches,
 * windows and the sink's prepared transaction. On boot the job restores the latest checkpoint
 * (or reads both topics from the start on the very first run), so a restart or a crash neither
 * loses nor duplicates alerts. Shutdown takes a final checkpoint (committing the open alerts
 * transaction), then cancels the job; checkpoints are retained on cancellation.
 *
 * @example
 * ```ts
 * pipeline.status().state; // 'running'
 * ```
 */
@Injectable()
export class PipelineService extends Pipeline implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Pipeline');
  /** Run-time condition failures of the running job, per rule. */
  readonly conditionErrors = new ConditionErrors();
  private job: JobClient | undefined;
  private state: PipelineStatus['state'] = 'starting';
  private startedAt: number | undefined;
  private failure: string | undefined;
  private observedCheckpointId: number | undefined;
  private checkpointPoll: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly storage: EmbeddedStorage,
    private readonly hub: AlertHub,
    private readonly metrics: ServiceMetrics,
    @Inject(RULE_STORE) private readonly store: RuleStore,
    private readonly deadLetters: DeadLetterStore,
  ) {
    super();
    metrics.onCollect(() => {
      metrics.pipelineUp.set(this.state === 'running' ? 1 : 0);
      this.observeCheckpoint();
      this.collectRuleMetrics(metrics, this.store, this.job === undefined ? [] : [this.job]);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  protected runningJobs(): Iterable<JobClient> {
    return this.job === undefined ? [] : [this.job];
  }

  /**
   * Adds the last completed checkpoint to `checkpoint_duration_seconds` (once) and sets
   * `checkpoint_size_bytes`. Polled twice per checkpoint interval and at each scrape.
   */
  private observeCheckpoint(): void {
    const last = this.job?.getCheckpointStats().lastCompleted;
    if (last === undefined || last.checkpointId === this.observedCheckpointId) return;
    this.observedCheckpointId = last.checkpointId;
    this.metrics.checkpointDuration.observe(last.duration / 1000);
    this.metrics.checkpointSize.set(last.stateSize);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** The job's state for health checks. @example `pipeline.status()` */
  status(): PipelineStatus {
    const last = this.job?.getCheckpointStats().lastCompleted;
    const status = this.job?.getJobStatus();
    return {
      state: this.state === 'running' && status === JobStatus.RESTARTING ? 'restarting' : this.state,
      startedAt: this.startedAt,
      failure: this.failure,
      restarts: this.job?.getNumberOfRestarts() ?? 0,
      checkpointing: true,
      checkpointIntervalMs: this.config.checkpointIntervalMs,
      lastCheckpointAgeMs:
        last === undefined ? undefined : Date.now() - (last.triggerTimestamp + last.duration),
      lastCheckpointId: last?.checkpointId,
    };
  }

  /**
   * Takes a savepoint of the running job into `DATA_DIR/savepoints` (kept until deleted by hand).
   *
   * @example
   * ```ts
   * const sp = await pipeline.savepoint(); // { checkpointId: 12, pointer: '/data/savepoints/chk-12' }
   * ```
   */
  async savepoint(): Promise<SavepointResult> {
    if (this.job === undefined || this.state !== 'running') throw new Error('the pipeline is not running');
    const sp = await this.job.triggerCheckpoint({
      kind: 'savepoint',
      storage: new FileCheckpointStorage(this.storage.savepointDir),
    });
    return { checkpointId: sp.checkpointId, pointer: sp.externalPointer };
  }

  /** Builds and starts the job, from the latest checkpoint if any. @example `await pipeline.start()` */
  async start(): Promise<void> {
    const log = this.storage.log;
    const env = new StreamExecutionEnvironment({
      parallelism: 1,
      autoWatermarkInterval: this.config.watermarkIntervalMs,
    });
    env.enableCheckpointing(this.config.checkpointIntervalMs);
    env
      .getCheckpointConfig()
      .setCheckpointStorage(this.storage.checkpointDir)
      .setMaxRetainedCheckpoints(2)
      // Checkpoints hold the keys touched since the previous one, not all the state (ADR in docs/fault-tolerance.md).
      .enableIncrementalCheckpoints(this.config.checkpointChainLength)
      .setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    // Whether the events source read the log to its end on its latest poll (for the idle flush).
    const progress: SourceProgress = { caughtUp: false };
    const events = env
      .fromSource(
        new EagerSplitOutputSource(
          new LocalLogSource<RuleEvent>({ log, topic: 'events', startingOffsets: 'earliest' }),
          progress,
        ),
        idleFlushWatermarks(this.config.outOfOrdernessMs, this.config.idleFlushMs, {
          emitIntervalMs: this.config.watermarkIntervalMs,
          caughtUp: () => progress.caughtUp,
        }),
        'events',
      )
      .uid('events-source')
      .filter((e) => e.type !== WATERMARK_TICK_TYPE)
      .uid('drop-watermark-ticks');
    const updates = env
      .fromSource(
        new EagerSplitOutputSource(
          new LocalLogSource<RuleRecord>({ log, topic: 'rules', startingOffsets: 'earliest' }),
        ),
        ruleUpdateWatermarks(),
        'rules',
      )
      .uid('rules-source')
      .map(toRuleUpdate)
      .uid('rule-updates');
    const { alerts, rejectedUpdates, late } = RulePipeline.alerts(events, updates, {
      errors: this.conditionErrors,
      dedupe: dedupeOptionsOf(this.config, this.metrics),
      uids: RULE_OPERATOR_UIDS,
      stats: this.ruleStats,
      lateEvents: LATE_EVENTS,
    });
    late?.sinkTo(lateEventsSink(this.deadLetters)).uid('late-events');
    alerts
      .sinkTo(new LocalLogSink<Alert>({ log, topic: 'alerts', name: 'service-alerts', key: (a) => a.key }))
      .uid('alerts-sink');
    const logger = this.logger;
    const metrics = this.metrics;
    rejectedUpdates
      .sinkTo(
        new CallbackSink((r) => {
          metrics.rejectedRuleUpdates.inc();
          logger.warn(`rule ${r.update.id} v${r.update.version} refused by the engine: ${r.reason}`);
        }),
      )
      .uid('rejected-updates-log');

    const tickAt = this.recentMaxEventTime();
    if (tickAt > Number.NEGATIVE_INFINITY)
      await this.storage.events.append([{ type: WATERMARK_TICK_TYPE, ts: tickAt }]);
    const restoreFrom: CompletedCheckpoint | undefined = await new FileCheckpointStorage(
      this.storage.checkpointDir,
    ).latest();
    this.job = env.execute({ jobName: 'rule-service', restoreFrom });
    this.checkpointPoll = setInterval(
      () => this.observeCheckpoint(),
      Math.max(25, this.config.checkpointIntervalMs / 2),
    );
    this.checkpointPoll.unref();
    this.state = 'running';
    this.startedAt = Date.now();
    this.job.then(
      (r) => {
        this.state = 'stopped';
        this.logger.log(`job ended: ${r.status}`);
      },
      (e: unknown) => {
        this.state = 'failed';
        this.failure =
          e instanceof Error
            ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}`
            : String(e);
        this.logger.error(`job failed: ${this.failure}`);
      },
    );
    this.logger.log(
      restoreFrom === undefined
        ? 'job started (no checkpoint yet: reading the topics from the start)'
        : `job restored from checkpoint ${restoreFrom.checkpointId}`,
    );
  }

  /** The highest event time among the last 10 000 events of the topic (for the watermark tick). */
  private recentMaxEventTime(): number {
    const log = this.storage.log;
    const end = log.committedEnd('events', 0);
    const reader = log.reader('events', 0, Math.max(0, end - 10_000));
    let max = Number.NEGATIVE_INFINITY;
    try {
      for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) {
        for (const r of batch) {
          const ts = jsonValue<RuleEvent>(r).ts;
          if (typeof ts === 'number' && ts > max) max = ts;
        }
      }
    } finally {
      reader.close();
    }
    return max;
  }

  /**
   * Takes a final checkpoint (so the open alerts transaction commits), cancels the job and ends
   * the live alert streams. @example `await pipeline.stop()`
   */
  async stop(): Promise<void> {
    clearInterval(this.checkpointPoll);
    const job = this.job;
    if (job === undefined || this.state !== 'running') {
      this.hub.complete();
      return;
    }
    this.state = 'stopping';
    try {
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('timed out')), FINAL_CHECKPOINT_TIMEOUT_MS).unref(),
      );
      const cp = await Promise.race([job.triggerCheckpoint(), timeout]);
      this.logger.log(`final checkpoint ${cp.checkpointId} taken`);
    } catch (e) {
      this.logger.warn(
        `no final checkpoint (${String(e)}): alerts since the last one are produced again at restart`,
      );
    }
    await job.cancel();
    await job.getJobExecutionResult().catch(() => undefined);
    if (this.state === 'stopping') this.state = 'stopped';
    this.hub.complete();
    this.logger.log('job stopped');
  }
}
