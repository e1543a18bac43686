import type { CheckpointHandle, CheckpointStorage } from '../../../checkpoint/checkpoint-storage.js';
import type { CompletedCheckpoint } from '../../../checkpoint/completed-checkpoint.js';
import { isFencedError, isRetriableKafkaError } from '../kafka-errors.js';
import type { KafkaOutgoingMessage, KafkaPartitionOffset, KafkaProducerPort } from '../kafka-port.js';
import { type RetryOptions, retryWithBackoff } from '../retry-with-backoff.js';
import {
  CHANGELOG_HEADERS,
  type ChangelogDigests,
  type ChangelogEntry,
  changelogEntries,
} from './changelog.js';
import type { TaskCommitContext } from './task-commit-context.js';
import { byTopic, type TaskOutputRecord } from './task-output-record.js';

/** What a {@link TransactionalCheckpointStorage} writes where. */
export interface TransactionalCheckpointStorageConfig {
  readonly producer: KafkaProducerPort;
  readonly context: TaskCommitContext;
  readonly groupId: string;
  readonly changelogTopic: string;
  /** Key of the task's snapshot records (`<topic>-<partition>`). */
  readonly changelogKey: string;
  /** What the changelog holds for the task (decides which key groups a commit writes). */
  readonly digests: ChangelogDigests;
  /**
   * `at-least-once`: no transaction; outputs, then the changelog, then the offsets through
   * `commitOffsets` (a crash in between repeats outputs, never loses them).
   */
  readonly guarantee: 'exactly-once' | 'at-least-once';
  /** At-least-once: commits the input offset for the group (the consumer's offset commit). */
  readonly commitOffsets?: (offsets: readonly KafkaPartitionOffset[]) => Promise<void>;
  /** Output records per `send` (default 500). */
  readonly chunkSize?: number;
  readonly retry?: RetryOptions;
  /** A commit failed for good (or its outcome is unknown): the runner restarts the task. */
  readonly onFailure: (error: unknown) => void;
  /** A transaction committed. */
  readonly onCommitted?: (info: {
    checkpointId: number;
    offset: number;
    outputs: number;
    bytes: number;
    /** Changelog records written (the base and the changed key groups). */
    changelogRecords: number;
    durationMs: number;
  }) => void;
}

/**
 * The checkpoint storage of one partition task: `store` IS the commit. It runs ONE Kafka
 * transaction of the task's producer (`<app>-<topic>-<partition>`) holding (1) the records the
 * task pre-committed up to this checkpoint (outputs, watermark records, dead letters), (2) the
 * changes of the checkpoint in the compacted changelog, on the changelog partition equal to the
 * input partition: the base record and the key groups whose state changed (see
 * `changelogEntries`), and (3) the input offset the source snapshotted, via `sendOffsets` to the
 * group. The checkpoint counts as completed only if the transaction committed.
 *
 * A failure before `commit` is retried (a new transaction) when retriable; anything else, and any
 * failure of `commit` itself (outcome unknown), fails the store and calls `onFailure`: the runner
 * restarts the task from the changelog, which knows what committed. A commit interval with no
 * input and no output commits nothing (state only changes with input here; processing-time
 * timers that change state without input would be committed with the next input).
 */
export class TransactionalCheckpointStorage implements CheckpointStorage {
  constructor(private readonly config: TransactionalCheckpointStorageConfig) {}

  async store(checkpoint: CompletedCheckpoint): Promise<string> {
    const c = this.config;
    const ctx = c.context;
    const pointer = `kafka:${c.changelogTopic}/${ctx.partition}#${checkpoint.checkpointId}`;
    const started = Date.now();
    try {
      if (ctx.closed)
        throw new Error(
          `task ${c.changelogKey} stopped: checkpoint ${checkpoint.checkpointId} not committed`,
        );
      const { offset, records } = ctx.pendingFor(checkpoint.checkpointId);
      if (offset === undefined) throw new Error(`checkpoint ${checkpoint.checkpointId} has no input offset`);
      if (records.length === 0 && offset === ctx.committedOffset) {
        ctx.committed(checkpoint.checkpointId, offset); // nothing new: nothing to commit
        return pointer;
      }
      const { writes, next } = c.digests.changes(changelogEntries(checkpoint, c.changelogKey));
      const changelog = writes.map((e) => this.changelogMessage(e, checkpoint.checkpointId, offset));
      const outputs = byTopic(records);
      if (c.guarantee === 'exactly-once') await this.commitTransaction(outputs, changelog, offset);
      else await this.commitAtLeastOnce(outputs, changelog, offset);
      c.digests.accept(next);
      ctx.committed(checkpoint.checkpointId, offset);
      let bytes = 0;
      for (const e of writes) bytes += e.value?.byteLength ?? 0;
      c.onCommitted?.({
        checkpointId: checkpoint.checkpointId,
        offset,
        outputs: records.length,
        bytes,
        changelogRecords: writes.length,
        durationMs: Date.now() - started,
      });
      return pointer;
    } catch (error) {
      c.onFailure(error);
      throw error;
    }
  }

  private changelogMessage(e: ChangelogEntry, checkpointId: number, offset: number): KafkaOutgoingMessage {
    return {
      key: e.key,
      value: e.value,
      partition: this.config.context.partition,
      headers: {
        [CHANGELOG_HEADERS.offset]: String(offset),
        [CHANGELOG_HEADERS.checkpoint]: String(checkpointId),
      },
    };
  }

  private async commitTransaction(
    outputs: Map<string, TaskOutputRecord[]>,
    changelog: KafkaOutgoingMessage[],
    offset: number,
  ): Promise<void> {
    const c = this.config;
    const ctx = c.context;
    let committing = false;
    await retryWithBackoff(
      async () => {
        const txn = await c.producer.beginTransaction();
        try {
          await this.sendAll(outputs, changelog, (topic, messages) => txn.send(topic, messages));
          await txn.sendOffsets(c.groupId, ctx.topic, [{ partition: ctx.partition, offset }]);
          if (ctx.closed) throw new Error(`task ${c.changelogKey} stopped before commit`);
          committing = true;
          await txn.commit();
        } catch (error) {
          if (!committing) await txn.abort().catch(() => {});
          throw error;
        }
      },
      {
        ...c.retry,
        isRetriable: (e) => !committing && !isFencedError(e) && (c.retry?.isRetriable ?? defaultRetriable)(e),
      },
    );
  }

  private async commitAtLeastOnce(
    outputs: Map<string, TaskOutputRecord[]>,
    changelog: KafkaOutgoingMessage[],
    offset: number,
  ): Promise<void> {
    const c = this.config;
    const ctx = c.context;
    await retryWithBackoff(
      async () => {
        await this.sendAll(outputs, changelog, (topic, messages) => c.producer.send(topic, messages));
        if (ctx.closed) throw new Error(`task ${c.changelogKey} stopped before its offset commit`);
        await c.commitOffsets?.([{ partition: ctx.partition, offset }]);
      },
      { ...c.retry, isRetriable: c.retry?.isRetriable ?? defaultRetriable },
    );
  }

  /** Outputs first (in chunks, in order per topic), then the changelog records. */
  private async sendAll(
    outputs: Map<string, TaskOutputRecord[]>,
    changelog: KafkaOutgoingMessage[],
    send: (topic: string, messages: readonly KafkaOutgoingMessage[]) => Promise<void>,
  ): Promise<void> {
    const c = this.config;
    const chunk = c.chunkSize ?? 500;
    for (const [topic, records] of outputs) {
      for (let i = 0; i < records.length; i += chunk) {
        await send(topic, records.slice(i, i + chunk));
      }
    }
    // Key-group records can be large: one request per ~512 KiB of them.
    let batch: KafkaOutgoingMessage[] = [];
    let bytes = 0;
    for (const m of changelog) {
      batch.push(m);
      bytes += (m.value as Buffer | null)?.byteLength ?? 0;
      if (bytes >= 512 * 1024 || batch.length >= chunk) {
        await send(c.changelogTopic, batch);
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length > 0) await send(c.changelogTopic, batch);
  }

  /** Restores go through the changelog (see the runner), not through this storage. */
  async latest(): Promise<CompletedCheckpoint | undefined> {
    return undefined;
  }

  async list(): Promise<CheckpointHandle[]> {
    return [];
  }

  async load(checkpointId: number): Promise<CompletedCheckpoint> {
    throw new Error(`checkpoint ${checkpointId}: read task snapshots from the changelog`);
  }

  /** Compaction of the changelog replaces older snapshots. */
  async discard(): Promise<void> {}
}

const defaultRetriable = isRetriableKafkaError;
