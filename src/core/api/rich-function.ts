import type { OpenContext, RuntimeContext } from './runtime-context.js';

/** A function with a lifecycle and access to its runtime context. */
export interface RichFunction {
  open?(context: OpenContext): void | Promise<void>;
  close?(): void | Promise<void>;
  setRuntimeContext?(context: RuntimeContext): void;
}

/**
 * Base class for rich functions (Flink's `AbstractRichFunction`): override `open` to create state
 * handles, `close` to release resources.
 *
 * @example
 * ```ts
 * class Counter extends KeyedProcessFunction<string, Event, [string, number]> {
 *   private count!: ValueState<number>;
 *   override open() { this.count = this.getRuntimeContext().getState(new ValueStateDescriptor('n')); }
 *   processElement(e: Event, ctx: KeyedProcessFunction.Context<string>, out: Collector<[string, number]>) {
 *     const n = (this.count.value() ?? 0) + 1;
 *     this.count.update(n);
 *     out.collect([ctx.getCurrentKey(), n]);
 *   }
 * }
 * ```
 */
export abstract class AbstractRichFunction implements RichFunction {
  private runtimeContext: RuntimeContext | undefined;

  setRuntimeContext(context: RuntimeContext): void {
    this.runtimeContext = context;
  }

  getRuntimeContext(): RuntimeContext {
    if (!this.runtimeContext)
      throw new Error('The runtime context has not been initialized (use it from open() on).');
    return this.runtimeContext;
  }

  open(_context: OpenContext): void | Promise<void> {}

  close(): void | Promise<void> {}
}
