import type { SinkInitContext, SinkWriterContext } from '../../sink.js';
import type { Committer } from '../../two-phase-commit/committer.js';
import type { PrecommittingSinkWriter } from '../../two-phase-commit/precommitting-sink-writer.js';
import type { TwoPhaseCommittingSink } from '../../two-phase-commit/two-phase-committing-sink.js';
import type { KafkaSinkMessage } from '../kafka-committable.js';
import type { TaskCommitContext } from './task-commit-context.js';

/**
 * The output sink of a partition task, a two-phase-commit sink: records are buffered, and at the
 * checkpoint barrier (`prepareCommit`) the buffer is handed to the task's commit context instead
 * of into the checkpoint. The task's checkpoint storage then writes them in the same Kafka
 * transaction as the state snapshot and the input offset; the committer has nothing left to do.
 */
export class PartitionTaskSink<T> implements TwoPhaseCommittingSink<T, never> {
  readonly twoPhaseCommit = true as const;

  constructor(
    private readonly context: TaskCommitContext,
    private readonly serializer: (value: T) => KafkaSinkMessage,
  ) {}

  createWriter(_context: SinkInitContext): PrecommittingSinkWriter<T, never> {
    const context = this.context;
    const serializer = this.serializer;
    let buffer: KafkaSinkMessage[] = [];
    return {
      write(value: T, _ctx: SinkWriterContext): void {
        buffer.push(serializer(value));
      },
      flush(): void {},
      prepareCommit(checkpointId?: number): never[] {
        context.addOutputs(checkpointId ?? Number.MAX_SAFE_INTEGER, buffer);
        buffer = [];
        return [];
      },
      close(): void {
        buffer = [];
      },
    };
  }

  createCommitter(_context: SinkInitContext): Committer<never> {
    return { commit(): void {} };
  }
}
