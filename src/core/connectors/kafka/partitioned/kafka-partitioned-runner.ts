import { randomUUID } from 'node:crypto';
import type { DataStream } from '../../../api/data-stream.js';
import type { JobClient } from '../../../api/job-client.js';
import { StreamExecutionEnvironment } from '../../../api/stream-execution-environment.js';
import { RestartStrategies } from '../../../restart/index.js';
import { WatermarkStrategy } from '../../../time/watermark-strategy.js';
import type { Sink } from '../../sink.js';
import { ensureTopics } from '../ensure-topics.js';
import type { KafkaSinkMessage } from '../kafka-committable.js';
import { jsonDeserializer, type KafkaDeserializer } from '../kafka-deserializer.js';
import { isFencedError } from '../kafka-errors.js';
import type {
  KafkaAdminPort,
  KafkaConsumerPort,
  KafkaFetchedBatch,
  KafkaPort,
  KafkaProducerPort,
  KafkaTopicPartitions,
} from '../kafka-port.js';
import type { RetryOptions } from '../retry-with-backoff.js';
import { backlogAwareIdleness } from './backlog-aware-idleness.js';
import { ChangelogDigests, readLatestSnapshot } from './changelog.js';
import { PartitionTaskSink } from './partition-sink.js';
import { PartitionTaskSource } from './partition-source.js';
import { TaskCommitContext } from './task-commit-context.js';
import { TransactionalCheckpointStorage } from './transactional-checkpoint-storage.js';

/** What the job factory gets besides its input and sink. */
export interface PartitionTaskInfo {
  readonly topic: string;
  readonly partition: number;
  /** The task's environment (parallelism 1, checkpointing every commit interval). */
  readonly env: StreamExecutionEnvironment;
}

/**
 * Builds the job of one partition task: read `input`, write to `sink`. A keyBy inside the task
 * must be on the input record's Kafka key (all records of a key are in this partition); to key by
 * anything else, write to a repartition topic keyed by the new key (`outputWatermarks`) and read
 * it with a second runner (`inputWatermarks: 'upstream'`), as Kafka Streams does.
 */
export type PartitionJobFactory<IN, OUT> = (
  input: DataStream<IN>,
  sink: Sink<OUT>,
  task: PartitionTaskInfo,
) => void;

/** Something that happened to a task (logs, metrics, tests). */
export type PartitionRunnerEvent =
  | { readonly type: 'assigned'; readonly partitions: readonly number[] }
  | {
      readonly type: 'task-started';
      readonly partition: number;
      readonly offset: number;
      readonly restoredCheckpointId: number | null;
      /** The group's committed offset read after fencing (-1: none); equals `offset` when restored. */
      readonly groupOffset: number;
      /** Fencing + changelog read + job start (ms). */
      readonly restoreMs: number;
    }
  | { readonly type: 'task-stopped'; readonly partition: number; readonly reason: string }
  | { readonly type: 'task-failed'; readonly partition: number; readonly error: unknown }
  | {
      readonly type: 'committed';
      readonly partition: number;
      readonly checkpointId: number;
      readonly offset: number;
      readonly outputs: number;
      /** Bytes of changelog records written (the base and the changed key groups). */
      readonly snapshotBytes: number;
      readonly changelogRecords: number;
      readonly durationMs: number;
    }
  | { readonly type: 'consumer-crashed'; readonly error: unknown };

/** Options of {@link KafkaPartitionedRunner}. */
export interface KafkaPartitionedRunnerOptions<IN, OUT> {
  readonly port: KafkaPort;
  /** Application id: consumer group, `<app>-<topic>-<partition>` transactional ids, `<app>-changelog`. */
  readonly applicationId: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly build: PartitionJobFactory<IN, OUT>;
  /**
   * Default JSON. A record it rejects (throws on) goes to `deadLetterTopic` with the reason, in
   * the same transaction as the task's other work, and processing continues.
   */
  readonly deserializer?: KafkaDeserializer<IN>;
  /** Dead-letter topic (default `<app>-dead-letters`, created with one partition when missing). */
  readonly deadLetterTopic?: string;
  /**
   * Default `exactly-once` (one transaction per task and commit interval). `at-least-once`: no
   * transactions; each commit sends the outputs, then the changelog, then commits the offset, so
   * a crash repeats the outputs since the last commit.
   */
  readonly guarantee?: 'exactly-once' | 'at-least-once';
  /**
   * The output topic is a repartition topic: every commit also writes the task's watermark and
   * idleness to each output partition (after the data records), for a downstream runner with
   * `inputWatermarks: 'upstream'`. Output records carry their event time as the Kafka timestamp.
   */
  readonly outputWatermarks?: boolean;
  /**
   * `upstream`: the input is a repartition topic written by runners with `outputWatermarks`; the
   * task's event time is the minimum of the upstream tasks' watermarks (idle ones left out),
   * watermark records never reach the job, record timestamps are event times, and
   * `watermarkStrategy` is not used. Default `strategy`.
   */
  readonly inputWatermarks?: 'strategy' | 'upstream';
  /** Creates the output topic when missing (an internal topic such as a repartition topic). */
  readonly createOutputTopic?: { readonly partitions: number; readonly compacted?: boolean };
  /** Output value -> record (default: no key, JSON value). */
  readonly serializer?: (value: OUT) => KafkaSinkMessage;
  /** Default `noWatermarks()`. */
  readonly watermarkStrategy?: WatermarkStrategy<IN>;
  /**
   * With `watermarkStrategy` (not `upstream`): a task's output goes idle (left out of downstream
   * event time) once no event arrived for this long AND the task has read its partition to the
   * end offset, which the runner probes every `min(1 s, idleTimeoutMs / 2)`; a partition with a
   * backlog is never idle (see {@link backlogAwareIdleness}). After waking up, a task holds its
   * watermark for `max(1 s, 2 commit intervals)`, so partitions woken by the same write report
   * active first. Default: never idle.
   */
  readonly idleTimeoutMs?: number;
  /** Checkpoint = transaction interval per task (default 200 ms). */
  readonly commitIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  /**
   * Broker-side transaction timeout (default 10 s): how long a dead task's open transaction can
   * hold back read_committed readers of the partitions it wrote to when nobody fences it sooner.
   */
  readonly transactionTimeoutMs?: number;
  /** Fetched records buffered per partition before it is paused (default 2000). */
  readonly maxBufferedRecordsPerPartition?: number;
  readonly maxRecordsPerPoll?: number;
  /** Throttle per task (tests, benchmarks). Unlimited by default. */
  readonly maxRecordsPerSecondPerTask?: number;
  /** Delay before a failed task is started again (default 500 ms). */
  readonly restartDelayMs?: number;
  readonly retry?: RetryOptions;
  readonly onEvent?: (event: PartitionRunnerEvent) => void;
}

interface RunningTask {
  readonly context: TaskCommitContext;
  readonly producer: KafkaProducerPort;
  readonly job: JobClient;
}

/** Per partition: what the group says and what runs. */
interface Slot {
  readonly partition: number;
  assigned: boolean;
  /** Bumped on every (re)assignment decision, so stale starts give up. */
  generation: number;
  running: RunningTask | undefined;
  /** Starts and stops of this partition, one at a time. */
  chain: Promise<void>;
  /** Fetching is paused while the task is not running (or is backpressured). */
  paused: boolean;
}

/**
 * DESIGN §4's Kafka mode: one task per input partition, one transaction per task per commit
 * interval. The process is one member of the consumer group `applicationId` on `inputTopic`; for
 * every partition assigned to it, it runs an independent engine job (parallelism 1) built by
 * `build` over that partition. Each task checkpoints every `commitIntervalMs`; its checkpoint
 * storage ({@link TransactionalCheckpointStorage}) commits the checkpoint as ONE transaction of
 * the producer `<app>-<topic>-<partition>` with the outputs since the last commit, what the
 * checkpoint changed (base record and changed key groups, see `changelogEntries`) in the
 * compacted changelog `<app>-changelog` (partition = input partition), and the input offset
 * (`sendOffsets`).
 *
 * On assignment of a partition: the task's first transaction (`InitProducerId`) fences any zombie
 * with that id and aborts its pending transaction; it commits a restore marker to the changelog;
 * the changelog is read read_committed up to the marker, the latest snapshot restores the job and
 * the source starts at the offset recorded with it. On revocation the task stops without
 * committing. One group consumer per process fetches for all tasks (kafkajs has no manual
 * assignment); a task's records are deduplicated by offset after seeks and rejoins.
 *
 * kafkajs has no rebalance listener (#1088): assignments come from GROUP_JOIN events, after the
 * rebalance. Until a process hears that it lost a partition, its task keeps processing and may
 * even commit — before the new owner's InitProducerId, which is fine (the new owner reads that
 * commit); after it, the commit is fenced. Correctness comes from fencing, read_committed and the
 * offsets being in the same transaction as outputs and state, not from the rebalance protocol.
 *
 * @example
 * ```ts
 * const runner = new KafkaPartitionedRunner<Event, string>({
 *   port, applicationId: 'cep', inputTopic: 'events', outputTopic: 'counts',
 *   serializer: (s) => ({ key: s.split(':')[0]!, value: s }),
 *   build: (input, sink) => input.keyBy((e) => e.key).process(new Count()).sinkTo(sink),
 * });
 * await runner.start();
 * ```
 */
export class KafkaPartitionedRunner<IN, OUT> {
  private readonly slots = new Map<number, Slot>();
  private admin: KafkaAdminPort | undefined;
  private consumer: KafkaConsumerPort | undefined;
  private stopped = false;
  private endOffsetProbe: NodeJS.Timeout | undefined;
  private readonly changelogTopic: string;
  private readonly deadLetterTopic: string;
  private inputPartitions = 0;
  private outputPartitions = 0;

  constructor(private readonly options: KafkaPartitionedRunnerOptions<IN, OUT>) {
    this.changelogTopic = `${options.applicationId}-changelog`;
    this.deadLetterTopic = options.deadLetterTopic ?? `${options.applicationId}-dead-letters`;
  }

  private get exactlyOnce(): boolean {
    return (this.options.guarantee ?? 'exactly-once') === 'exactly-once';
  }

  /** The transactional id of a partition's task. */
  transactionalId(partition: number): string {
    return `${this.options.applicationId}-${this.options.inputTopic}-${partition}`;
  }

  /**
   * Checks the user topics (input, and output unless `createOutputTopic`), creates the internal
   * ones (changelog, dead letters, output if asked), joins the group and starts fetching.
   */
  async start(): Promise<void> {
    const o = this.options;
    this.admin = o.port.admin();
    await this.admin.connect();
    const created = o.createOutputTopic;
    const counts = await ensureTopics(this.admin, {
      required: created === undefined ? [o.inputTopic, o.outputTopic] : [o.inputTopic],
    });
    const partitions = counts.get(o.inputTopic)!;
    const all = await ensureTopics(this.admin, {
      internal: [
        { name: this.changelogTopic, partitions, compacted: true },
        { name: this.deadLetterTopic, partitions: 1 },
        ...(created !== undefined
          ? [{ name: o.outputTopic, partitions: created.partitions, compacted: created.compacted ?? false }]
          : []),
      ],
    });
    this.inputPartitions = partitions;
    this.outputPartitions = all.get(o.outputTopic) ?? counts.get(o.outputTopic) ?? 0;
    if (o.outputWatermarks === true && this.outputPartitions === 0) {
      throw new Error(`output topic ${o.outputTopic} has no partitions`);
    }
    const changelogPartitions = all.get(this.changelogTopic) ?? 0;
    if (changelogPartitions < partitions) {
      throw new Error(
        `changelog ${this.changelogTopic} has ${changelogPartitions} partitions, the input ${o.inputTopic} ${partitions}: it needs one per input partition`,
      );
    }
    const consumer = o.port.consumer({
      groupId: o.applicationId,
      ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
    });
    this.consumer = consumer;
    consumer.onAssignment((assignment) => this.onAssignment(assignment));
    consumer.onCrash((error) => this.emit({ type: 'consumer-crashed', error }));
    await consumer.connect();
    await consumer.subscribe([o.inputTopic], true);
    await consumer.run((batch) => this.onBatch(batch));
    const idle = o.idleTimeoutMs;
    if (
      idle !== undefined &&
      idle > 0 &&
      o.inputWatermarks !== 'upstream' &&
      o.watermarkStrategy !== undefined
    ) {
      this.probeEndOffsets(Math.max(50, Math.min(1000, Math.floor(idle / 2))));
    }
  }

  /**
   * Every `intervalMs`, the input partitions' end offsets for the running tasks' idleness (a
   * failed probe is skipped: without a recent probe no task goes idle).
   */
  private probeEndOffsets(intervalMs: number): void {
    this.endOffsetProbe = setTimeout(async () => {
      const probedAt = Date.now();
      try {
        const ends = await this.admin!.fetchEndOffsets(this.options.inputTopic);
        for (const e of ends) this.slots.get(e.partition)?.running?.context.noteEndOffset(e.offset, probedAt);
      } catch {
        // The cluster is unreachable for a moment: no task becomes idle meanwhile.
      }
      if (!this.stopped) this.probeEndOffsets(intervalMs);
    }, intervalMs);
    this.endOffsetProbe.unref();
  }

  /** Partitions whose task is running now. */
  runningPartitions(): number[] {
    return [...this.slots.values()].filter((s) => s.running !== undefined).map((s) => s.partition);
  }

  /** The engine jobs of the tasks running now (metrics that read operator state). */
  runningJobs(): JobClient[] {
    const jobs: JobClient[] = [];
    for (const s of this.slots.values()) if (s.running !== undefined) jobs.push(s.running.job);
    return jobs;
  }

  /** Stops every task (nothing partial is committed) and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.endOffsetProbe);
    const stops = [...this.slots.values()].map((slot) => {
      slot.assigned = false;
      slot.generation++;
      return this.enqueue(slot, () => this.stopTask(slot, 'runner stopped'));
    });
    await Promise.allSettled(stops);
    await Promise.allSettled([this.consumer?.disconnect(), this.admin?.disconnect()]);
  }

  private emit(event: PartitionRunnerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener must not break the runner.
    }
  }

  private slot(partition: number): Slot {
    let slot = this.slots.get(partition);
    if (slot === undefined) {
      slot = {
        partition,
        assigned: false,
        generation: 0,
        running: undefined,
        chain: Promise.resolve(),
        paused: false,
      };
      this.slots.set(partition, slot);
    }
    return slot;
  }

  private enqueue(slot: Slot, step: () => Promise<void>): Promise<void> {
    slot.chain = slot.chain.then(step).catch(() => {});
    return slot.chain;
  }

  private onAssignment(assignment: readonly KafkaTopicPartitions[]): void {
    if (this.stopped) return;
    const mine = new Set(assignment.find((a) => a.topic === this.options.inputTopic)?.partitions ?? []);
    this.emit({ type: 'assigned', partitions: [...mine].sort((a, b) => a - b) });
    for (const slot of this.slots.values()) {
      if (slot.assigned && !mine.has(slot.partition)) {
        slot.assigned = false;
        slot.generation++;
        void this.enqueue(slot, () => this.stopTask(slot, 'revoked'));
      }
    }
    for (const partition of mine) {
      const slot = this.slot(partition);
      if (slot.assigned) {
        // Kept across the rebalance. kafkajs rewinds the fetch position to the committed offset:
        // the task drops what it already has (by offset).
        continue;
      }
      slot.assigned = true;
      slot.generation++;
      // Nothing is fetched for it until the task restored and seeked.
      this.pause(slot);
      const generation = slot.generation;
      void this.enqueue(slot, () => this.startTask(slot, generation));
    }
  }

  private pause(slot: Slot): void {
    if (slot.paused) return;
    slot.paused = true;
    this.consumer?.pause([{ topic: this.options.inputTopic, partitions: [slot.partition] }]);
  }

  private resume(slot: Slot): void {
    if (!slot.paused) return;
    slot.paused = false;
    this.consumer?.resume([{ topic: this.options.inputTopic, partitions: [slot.partition] }]);
  }

  private async onBatch(batch: KafkaFetchedBatch): Promise<void> {
    if (batch.topic !== this.options.inputTopic) return;
    const slot = this.slots.get(batch.partition);
    const task = slot?.running;
    if (slot === undefined || task === undefined || !slot.assigned) return; // restoring: seeked later
    if (batch.records.length > 0 && batch.records[0]!.offset > task.context.expected) {
      // A batch from before the seek that skips records: drop it and seek again. (A real gap,
      // e.g. transaction markers at the position, is accepted the second time it shows up.)
      const first = batch.records[0]!.offset;
      if (task.context.skippedBatchAt !== first) {
        task.context.skippedBatchAt = first;
        this.consumer?.seek(batch.topic, batch.partition, task.context.expected);
        return;
      }
    }
    if (task.context.push(batch.records, batch.nextOffset)) this.pause(slot);
  }

  private async startTask(slot: Slot, generation: number): Promise<void> {
    const o = this.options;
    const stale = (): boolean => this.stopped || slot.generation !== generation || !slot.assigned;
    if (stale() || slot.running !== undefined) return;
    const started = Date.now();
    const partition = slot.partition;
    const topic = o.inputTopic;
    const producer = this.exactlyOnce
      ? o.port.producer({
          transactionalId: this.transactionalId(partition),
          transactionTimeoutMs: o.transactionTimeoutMs ?? 10_000,
        })
      : o.port.producer();
    let job: JobClient | undefined;
    let context: TaskCommitContext | undefined;
    try {
      await producer.connect();
      // First transaction: InitProducerId fences the zombie and aborts its pending transaction.
      // It commits a marker to the changelog partition: the read below stops there.
      // At-least-once has no fencing: the marker only bounds the changelog read.
      const marker = randomUUID();
      const markerKey = `${topic}-${partition}.restore`;
      const markerRecord = [{ key: markerKey, value: marker, partition }];
      if (this.exactlyOnce) {
        const txn = await producer.beginTransaction();
        await txn.send(this.changelogTopic, markerRecord);
        await txn.commit();
      } else {
        await producer.send(this.changelogTopic, markerRecord);
      }
      if (stale()) throw new StaleTask();
      const snapshot = await readLatestSnapshot({
        port: o.port,
        changelogTopic: this.changelogTopic,
        partition,
        key: `${topic}-${partition}`,
        markerKey,
        marker,
        groupPrefix: o.applicationId,
      });
      if (stale()) throw new StaleTask();
      // Stable now (the previous owner is fenced): must equal the snapshot's offset.
      const groupOffset =
        (await this.admin!.fetchCommittedOffsets(o.applicationId, topic)).find(
          (c) => c.partition === partition,
        )?.offset ?? -1;
      if (stale()) throw new StaleTask();
      const offset = snapshot?.offset ?? (await this.earliest(partition));
      const ctx = new TaskCommitContext(
        topic,
        partition,
        offset,
        o.maxBufferedRecordsPerPartition ?? 2000,
        () => {
          if (slot.running?.context === ctx && slot.assigned) this.resume(slot);
        },
      );
      context = ctx;
      const digests = new ChangelogDigests(`${topic}-${partition}`);
      if (snapshot !== undefined) digests.restore(snapshot.values);
      const env = new StreamExecutionEnvironment({ parallelism: 1 });
      env.enableCheckpointing(o.commitIntervalMs ?? 200);
      env.setRestartStrategy(RestartStrategies.noRestart());
      env
        .getCheckpointConfig()
        .setMaxRetainedCheckpoints(1)
        .setCheckpointTimeout(Math.max(30_000, 10 * (o.commitIntervalMs ?? 200)))
        .setCheckpointStorage(
          new TransactionalCheckpointStorage({
            producer,
            context: ctx,
            groupId: o.applicationId,
            changelogTopic: this.changelogTopic,
            changelogKey: `${topic}-${partition}`,
            digests,
            guarantee: this.exactlyOnce ? 'exactly-once' : 'at-least-once',
            commitOffsets: (offsets) => this.consumer!.commitOffsets(topic, offsets),
            ...(o.retry !== undefined ? { retry: o.retry } : {}),
            onFailure: (error) => this.onTaskFailure(slot, ctx, error),
            onCommitted: (info) =>
              this.emit({
                type: 'committed',
                partition,
                checkpointId: info.checkpointId,
                offset: info.offset,
                outputs: info.outputs,
                snapshotBytes: info.bytes,
                changelogRecords: info.changelogRecords,
                durationMs: info.durationMs,
              }),
          }),
        );
      const upstream = o.inputWatermarks === 'upstream';
      const input = env.fromSource(
        new PartitionTaskSource<IN>(ctx, {
          deserializer: o.deserializer ?? jsonDeserializer<IN>,
          maxRecordsPerPoll: o.maxRecordsPerPoll ?? 256,
          ...(o.maxRecordsPerSecondPerTask !== undefined
            ? { maxRecordsPerSecond: o.maxRecordsPerSecondPerTask }
            : {}),
          deadLetterTopic: this.deadLetterTopic,
          watermarks: upstream ? 'upstream' : 'strategy',
        }),
        upstream || o.watermarkStrategy === undefined
          ? WatermarkStrategy.noWatermarks<IN>()
          : o.idleTimeoutMs !== undefined && o.idleTimeoutMs > 0
            ? backlogAwareIdleness(o.watermarkStrategy, ctx, {
                idleTimeoutMs: o.idleTimeoutMs,
                wakeHoldMs: Math.max(1000, 2 * (o.commitIntervalMs ?? 200)),
              })
            : o.watermarkStrategy,
        `kafka-${topic}-${partition}`,
      );
      const sink = new PartitionTaskSink<OUT>(
        ctx,
        o.outputTopic,
        o.serializer ?? ((value: OUT) => ({ key: null, value: JSON.stringify(value) })),
        o.outputWatermarks === true
          ? {
              topic: o.outputTopic,
              partitions: this.outputPartitions,
              source: `${topic}-${partition}`,
              sources: this.inputPartitions,
            }
          : undefined,
      );
      o.build(input, sink, { topic, partition, env });
      job = env.execute({
        jobName: `${o.applicationId}-${topic}-${partition}`,
        ...(snapshot !== undefined ? { restoreFrom: snapshot.checkpoint } : {}),
      });
      const running: RunningTask = { context: ctx, producer, job };
      slot.running = running;
      job.getJobExecutionResult().then(
        () => {
          if (slot.running === running && !ctx.closed)
            this.onTaskFailure(slot, ctx, new Error('task job ended'));
        },
        (error: unknown) => this.onTaskFailure(slot, ctx, error),
      );
      this.consumer?.seek(topic, partition, offset);
      this.resume(slot);
      this.emit({
        type: 'task-started',
        partition,
        offset,
        restoredCheckpointId: snapshot?.checkpoint.checkpointId ?? null,
        groupOffset,
        restoreMs: Date.now() - started,
      });
    } catch (error) {
      context?.close();
      if (job !== undefined) await job.cancel().catch(() => {});
      await producer.disconnect().catch(() => {});
      if (error instanceof StaleTask || stale()) return;
      this.emit({ type: 'task-failed', partition, error });
      this.scheduleRestart(slot, isFencedError(error));
    }
  }

  private async earliest(partition: number): Promise<number> {
    const offsets = await this.admin!.fetchEarliestOffsets(this.options.inputTopic);
    return offsets.find((o) => o.partition === partition)?.offset ?? 0;
  }

  private onTaskFailure(slot: Slot, context: TaskCommitContext, error: unknown): void {
    if (slot.running?.context !== context || context.closed) return;
    this.emit({ type: 'task-failed', partition: slot.partition, error });
    const generation = slot.generation;
    void this.enqueue(slot, () => this.stopTask(slot, 'failed')).then(() => {
      if (slot.generation === generation) this.scheduleRestart(slot, isFencedError(error));
    });
  }

  /**
   * Starts a failed task again if the partition is still assigned. Fenced: another process
   * initialised the id, so a rebalance is under way; wait longer to hear about it (restarting at
   * once would fence the new owner back).
   */
  private scheduleRestart(slot: Slot, fenced: boolean): void {
    const generation = slot.generation;
    const delay = fenced
      ? Math.max(3000, this.options.sessionTimeoutMs ?? 6000)
      : (this.options.restartDelayMs ?? 500);
    setTimeout(() => {
      if (this.stopped || slot.generation !== generation || !slot.assigned || slot.running !== undefined)
        return;
      this.pause(slot);
      void this.enqueue(slot, () => this.startTask(slot, generation));
    }, delay).unref?.();
  }

  private async stopTask(slot: Slot, reason: string): Promise<void> {
    const task = slot.running;
    if (task === undefined) return;
    slot.running = undefined;
    task.context.close();
    await task.job.cancel().catch(() => {});
    await task.producer.disconnect().catch(() => {});
    this.emit({ type: 'task-stopped', partition: slot.partition, reason });
  }
}

class StaleTask extends Error {}
