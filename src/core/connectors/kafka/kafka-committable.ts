/** A serialized record as kept in a committable (plain data: it is stored in checkpoints). */
export interface KafkaSinkMessage {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What a {@link KafkaSink} writer pre-commits at a checkpoint barrier and its committer writes
 * and commits when the checkpoint completes. It carries the records themselves: kafkajs cannot
 * resume another producer's transaction, so after a restart the only way to finish the work of a
 * completed checkpoint is to write it again (in a transaction guarded by a commit marker).
 *
 * @example
 * ```ts
 * const c: KafkaCommittable = { guarantee: 'exactly-once', topic: 'alerts', subtask: 0, transactionalId: 'cep-alerts-0',
 *   runId: 'a1b2', checkpointId: 7, messages: [{ key: 'acct-1', value: '{"alert":1}' }] };
 * ```
 */
export interface KafkaCommittable {
  readonly guarantee: 'exactly-once' | 'at-least-once';
  readonly topic: string;
  /** The sink subtask that wrote it. */
  readonly subtask: number;
  /** Exactly-once: `<prefix>-<subtask>`. */
  readonly transactionalId: string;
  /** The writer instance (a new one per start or restart). */
  readonly runId: string;
  /** The checkpoint whose barrier produced it (`Number.MAX_SAFE_INTEGER`: end of input). */
  readonly checkpointId: number;
  readonly messages: readonly KafkaSinkMessage[];
}
