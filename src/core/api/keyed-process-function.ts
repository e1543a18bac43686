import type { Collector } from './collector.js';
import type { OnTimerContext, ProcessContext } from './process-function.js';
import { AbstractRichFunction } from './rich-function.js';

/** Context of a keyed `processElement`. */
export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

/** Context of a keyed `onTimer`. */
export interface KeyedOnTimerContext<K> extends OnTimerContext {
  getCurrentKey(): K;
}

/**
 * Processes a keyed stream with keyed state and timers (Flink's `KeyedProcessFunction`). Timers
 * are per key and timestamp: registering the same one twice fires once.
 *
 * @example
 * ```ts
 * class Timeout extends KeyedProcessFunction<string, Event, string> {
 *   processElement(e: Event, ctx: KeyedProcessContext<string>) {
 *     ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 60_000);
 *   }
 *   override onTimer(ts: number, ctx: KeyedOnTimerContext<string>, out: Collector<string>) {
 *     out.collect(`${ctx.getCurrentKey()} idle since ${ts - 60_000}`);
 *   }
 * }
 * ```
 */
export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<O>): void;
}
