/**
 * What the readiness check and `GET /health/ready` report about the engine job.
 *
 * @example
 * ```ts
 * const s: PipelineStatus = { state: 'running', startedAt: Date.now(), restarts: 0, checkpointing: true, lastCheckpointAgeMs: 120 };
 * ```
 */
export interface PipelineStatus {
  readonly state: 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';
  readonly startedAt?: number;
  readonly failure?: string;
  readonly restarts: number;
  /** Whether the job takes checkpoints. */
  readonly checkpointing: boolean;
  readonly checkpointIntervalMs?: number;
  /** Milliseconds since the last completed checkpoint (undefined before the first). */
  readonly lastCheckpointAgeMs?: number;
  readonly lastCheckpointId?: number;
  /** Kafka mode: the partitions whose tasks run in this replica, per stage, and task failures so far. */
  readonly kafka?: {
    readonly router: readonly number[];
    readonly evaluator: readonly number[];
    readonly assigned: boolean;
    readonly taskFailures: number;
    readonly consumerCrashed?: string;
  };
}
