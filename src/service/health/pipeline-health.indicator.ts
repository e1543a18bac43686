import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Pipeline } from '../pipeline/pipeline.js';

/**
 * Terminus indicator `pipeline`: up while the engine job runs and checkpoints. Down when the job
 * is not running (restarting after a failure, failed, stopped) or when its last completed
 * checkpoint (or its start, before the first one) is older than `max(60 s, 20 intervals)`: alerts
 * only become visible at checkpoints, so a stuck checkpoint means no alerts. In Kafka mode: down
 * until both consumer groups assigned partitions to this replica (an empty share counts) or when
 * a consumer crashed; the last commit's age and the running partitions are reported.
 *
 * @example
 * ```ts
 * await health.check([() => indicator.isHealthy()]);
 * ```
 */
@Injectable()
export class PipelineHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly pipeline: Pipeline,
  ) {}

  isHealthy(): HealthIndicatorResult<'pipeline'> {
    const s = this.pipeline.status();
    const session = this.indicators.check('pipeline');
    const staleAfterMs = Math.max(60_000, 20 * (s.checkpointIntervalMs ?? 0));
    const ageMs = s.lastCheckpointAgeMs ?? (s.startedAt === undefined ? 0 : Date.now() - s.startedAt);
    const data = {
      state: s.state,
      restarts: s.restarts,
      checkpointing: s.checkpointing,
      ...(s.lastCheckpointId === undefined ? {} : { lastCheckpointId: s.lastCheckpointId }),
      ...(s.lastCheckpointAgeMs === undefined ? {} : { lastCheckpointAgeMs: s.lastCheckpointAgeMs }),
      ...(s.failure === undefined ? {} : { failure: s.failure }),
      ...(s.kafka === undefined ? {} : { kafka: s.kafka }),
    };
    if (s.state !== 'running') return session.down(data);
    if (s.kafka !== undefined) {
      // Kafka mode: a task with no input commits nothing, so the commit age says nothing alone.
      if (s.kafka.consumerCrashed !== undefined) return session.down({ ...data, reason: 'consumer crashed' });
      if (!s.kafka.assigned) return session.down({ ...data, reason: 'no partition assignment yet' });
      return session.up(data);
    }
    if (ageMs > staleAfterMs) return session.down({ ...data, reason: `no checkpoint for ${ageMs} ms` });
    return session.up(data);
  }
}
