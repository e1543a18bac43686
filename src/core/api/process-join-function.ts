import type { Collector } from './collector.js';
import type { OutputTag } from './output-tag.js';
import { AbstractRichFunction } from './rich-function.js';

/** Context of {@link ProcessJoinFunction.processElement} (Flink's `ProcessJoinFunction.Context`). */
export interface ProcessJoinContext {
  /** Event timestamp of the left element of the pair. */
  getLeftTimestamp(): number;
  /** Event timestamp of the right element of the pair. */
  getRightTimestamp(): number;
  /** Timestamp of the joined result: the larger of the two, also stamped on what is emitted. */
  getTimestamp(): number;
  /** Emits to a side output, with the result timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Receives each pair of an interval join (Flink's `ProcessJoinFunction`): two elements with equal
 * keys whose timestamps lie within the join's bounds of each other. Results carry the larger of
 * the two timestamps.
 *
 * @example
 * ```ts
 * class Attribute extends ProcessJoinFunction<Click, Order, string> {
 *   processElement(click: Click, order: Order, ctx: ProcessJoinContext, out: Collector<string>) {
 *     out.collect(`${order.id} after click ${click.id} (${ctx.getRightTimestamp() - ctx.getLeftTimestamp()} ms)`);
 *   }
 * }
 * clicks.keyBy((c) => c.user).intervalJoin(orders.keyBy((o) => o.user))
 *   .between(0, Duration.ofMinutes(30))
 *   .process(new Attribute());
 * ```
 */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}
