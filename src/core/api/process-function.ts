import type { TimerService } from '../time/timer-service.js';
import type { Collector } from './collector.js';
import type { OutputTag } from './output-tag.js';
import { AbstractRichFunction } from './rich-function.js';
import type { TimeDomain } from './time-domain.js';

/** Context of `processElement` (Flink's `ProcessFunction.Context`). */
export interface ProcessContext {
  /** Timestamp of the current element, or `null` if it has none. */
  timestamp(): number | null;
  /** Timers: only keyed streams may register them; the current time is readable everywhere. */
  timerService(): TimerService;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Context of `onTimer`. */
export interface OnTimerContext extends ProcessContext {
  timeDomain(): TimeDomain;
}

/**
 * The low-level operation on a (non-keyed) stream: each element with its timestamp, side outputs
 * and the current time.
 */
export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}
