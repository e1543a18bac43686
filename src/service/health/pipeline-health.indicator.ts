import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { PipelineService } from '../pipeline/pipeline.service.js';

/**
 * Terminus indicator `pipeline`: up while the engine job runs and checkpoints. Down when the job
 * is not running (restarting after a failure, failed, stopped) or when its last completed
 * checkpoint (or its start, before the first one) is older than `max(60 s, 20 intervals)`: alerts
 * only become visible at checkpoints, so a stuck checkpoint means no alerts.
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
    private readonly pipeline: PipelineService,
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
    };
    if (s.state !== 'running') return session.down(data);
    if (ageMs > staleAfterMs) return session.down({ ...data, reason: `no checkpoint for ${ageMs} ms` });
    return session.up(data);
  }
}
