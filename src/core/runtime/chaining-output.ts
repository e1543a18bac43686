import type { OutputTag } from '../api/output-tag.js';
import type { Output } from './output.js';
import type { OneInputStreamOperator } from './stream-operator.js';

/** Hands records to the next operator of the chain as a direct call. */
export class ChainingOutput<T> implements Output<T> {
  constructor(private readonly operator: OneInputStreamOperator<T, unknown>) {}

  collect(value: T, timestamp: number): void {
    this.operator.processElement(value, timestamp);
  }

  collectSide(): void {
    // Side outputs are routed by the RoutingOutput in front of this one.
  }

  emitWatermark(watermark: number): void {
    this.operator.processWatermark(watermark);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.operator.processWatermarkStatus(idle);
  }
}

/** Routes the main output and side outputs of one operator to their consumers. */
export class RoutingOutput<T> implements Output<T> {
  private readonly all: Output<unknown>[];

  constructor(
    private readonly main: readonly Output<T>[],
    private readonly sides: ReadonlyMap<string, readonly Output<unknown>[]>,
  ) {
    this.all = [...new Set<Output<unknown>>([...main, ...[...sides.values()].flat()] as Output<unknown>[])];
  }

  /** The cheapest output for the given consumers: a direct one when there is a single main consumer. */
  static of<T>(main: Output<T>[], sides: Map<string, Output<unknown>[]>): Output<T> {
    if (sides.size === 0 && main.length === 1) return main[0]!;
    return new RoutingOutput(main, sides);
  }

  collect(value: T, timestamp: number): void {
    const main = this.main;
    for (let i = 0; i < main.length; i++) main[i]!.collect(value, timestamp);
  }

  collectSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    const outs = this.sides.get(tag.id);
    if (!outs) return;
    for (let i = 0; i < outs.length; i++) outs[i]!.collect(value, timestamp);
  }

  emitWatermark(watermark: number): void {
    for (const o of this.all) o.emitWatermark(watermark);
  }

  emitWatermarkStatus(idle: boolean): void {
    for (const o of this.all) o.emitWatermarkStatus(idle);
  }
}
