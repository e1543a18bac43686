import type { KeyedOnTimerContext, KeyedProcessContext } from '../../api/keyed-process-function.js';
import type { OutputTag } from '../../api/output-tag.js';
import type { TimeDomain } from '../../api/time-domain.js';
import { NO_TIMESTAMP, timestampOrNull } from '../../api/timestamps.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { TimerService } from '../../time/timer-service.js';
import type { Output } from '../output.js';

/**
 * The context object passed to process functions, one per operator and reused for every record
 * and timer: the operator sets `timestampValue` (and `domain` for timers) before each call.
 * It serves the keyed and non-keyed element and timer contexts alike.
 */
export class OperatorContext<K = unknown> implements KeyedProcessContext<K>, KeyedOnTimerContext<K> {
  timestampValue = NO_TIMESTAMP;
  domain!: TimeDomain;

  constructor(
    protected readonly out: Output<any>,
    protected readonly timers: TimerService,
    protected readonly keyedBackend: KeyedStateBackend<K> | undefined,
  ) {}

  timestamp(): number | null {
    return timestampOrNull(this.timestampValue);
  }

  timerService(): TimerService {
    return this.timers;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag, value, this.timestampValue);
  }

  getCurrentKey(): K {
    if (!this.keyedBackend) throw new Error('getCurrentKey() is only available on keyed streams');
    return this.keyedBackend.getCurrentKey();
  }

  timeDomain(): TimeDomain {
    return this.domain;
  }
}
