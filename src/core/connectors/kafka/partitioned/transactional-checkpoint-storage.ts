import type { CheckpointHandle, CheckpointStorage } from '../../../checkpoint/checkpoint-storage.js';
import type { CompletedCheckpoint } from '../../../checkpoint/completed-checkpoint.js';
import type { KafkaSinkMessage } from '../kafka-committable.js';
import { isFencedError, isRetriableKafkaError } from '../kafka-errors.js';
import type { KafkaProducerPort } from '../kafka-port.js';
import { type RetryOptions, retryWithBackoff } from '../retry-with-backoff.js';
import { CHANGELOG_HEADERS, encodeSnapshotValue } from './changelog.js';
import type { TaskCommitContext } from './task-commit-context.js';

/** What a {@link TransactionalCheckpointStorage} writes where. */
export interface TransactionalCheckpointStorageConfig {
  readonly producer: KafkaProducerPort;
  readonly context: TaskCommitContext;
  readonly groupId: string;
  readonly outputTopic: string;
  readonly changelogTopic: string;
  /** Key of the task's snapshot records (`<topic>-<partition>`). */
  readonly changelogKey: string;
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
  }) => void;
}

/**
 * The checkpoint storage of one partition task: `store` IS the commit. It runs ONE Kafka
 * transaction of the task's producer (`<app>-<topic>-<partition>`) holding (1) the outputs the
 * task's sink pre-committed up to this checkpoint, (2) the checkpoint itself (a full snapshot of
 * the task) as the latest record of `<topic>-<partition>` in the compacted changelog, on the
 * changelog partition equal to the input partition, and (3) the input offset the source
 * snapshotted, via `sendOffsets` to the group. The checkpoint counts as completed only if the
 * transaction committed.
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
    try {
      if (ctx.closed)
        throw new Error(
          `task ${c.changelogKey} stopped: checkpoint ${checkpoint.checkpointId} not committed`,
        );
      const { offset, messages } = ctx.pendingFor(checkpoint.checkpointId);
      if (offset === undefined) throw new Error(`checkpoint ${checkpoint.checkpointId} has no input offset`);
      if (messages.length === 0 && offset === ctx.committedOffset) {
        ctx.committed(checkpoint.checkpointId, offset); // nothing new: nothing to commit
        return pointer;
      }
      const value = encodeSnapshotValue(checkpoint);
      let committing = false;
      await retryWithBackoff(
        async () => {
          const txn = await c.producer.beginTransaction();
          try {
            const chunk = c.chunkSize ?? 500;
            for (let i = 0; i < messages.length; i += chunk) {
              await txn.send(c.outputTopic, messages.slice(i, i + chunk).map(toOutgoing));
            }
            await txn.send(c.changelogTopic, [
              {
                key: c.changelogKey,
                value,
                partition: ctx.partition,
                headers: {
                  [CHANGELOG_HEADERS.offset]: String(offset),
                  [CHANGELOG_HEADERS.checkpoint]: String(checkpoint.checkpointId),
                },
              },
            ]);
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
          isRetriable: (e) =>
            !committing && !isFencedError(e) && (c.retry?.isRetriable ?? defaultRetriable)(e),
        },
      );
      ctx.committed(checkpoint.checkpointId, offset);
      c.onCommitted?.({
        checkpointId: checkpoint.checkpointId,
        offset,
        outputs: messages.length,
        bytes: value.byteLength,
      });
      return pointer;
    } catch (error) {
      c.onFailure(error);
      throw error;
    }
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

function toOutgoing(m: KafkaSinkMessage) {
  return { key: m.key, value: m.value, ...(m.headers !== undefined ? { headers: m.headers } : {}) };
}

const defaultRetriable = isRetriableKafkaError;
