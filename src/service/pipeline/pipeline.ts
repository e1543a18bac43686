import type { ConditionErrors } from '../../rules/index.js';
import type { PipelineStatus } from './pipeline-status.js';

/**
 * What a savepoint request answers.
 *
 * @example
 * ```ts
 * const r: SavepointResult = { checkpointId: 12, pointer: '/data/savepoints/chk-12' };
 * ```
 */
export interface SavepointResult {
  readonly checkpointId: number;
  readonly pointer: string | undefined;
}

/**
 * The engine side of the service, as the HTTP layer sees it (health, metrics, admin): the
 * embedded job ({@link PipelineService}) or Kafka mode's partition tasks
 * ({@link KafkaPipelineService}). An abstract class so that it is its own injection token.
 *
 * @example
 * ```ts
 * constructor(private readonly pipeline: Pipeline) {}
 * pipeline.status().state; // 'running'
 * ```
 */
export abstract class Pipeline {
  /** Run-time condition failures, per rule. */
  abstract readonly conditionErrors: ConditionErrors;
  /** The state for health checks. */
  abstract status(): PipelineStatus;
  /** Takes a savepoint (throws when the mode or the state does not allow one). */
  abstract savepoint(): Promise<SavepointResult>;
}
