import type { RichFunction } from '../../api/rich-function.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

/**
 * An operator around a user function: gives a rich function its runtime context and calls its
 * `open`/`close`. The function object is the per-instance copy made by the operator factory.
 */
export abstract class AbstractUdfStreamOperator<OUT, F extends object> extends AbstractStreamOperator<OUT> {
  constructor(protected readonly userFunction: F) {
    super();
  }

  override open(): void | Promise<void> {
    const fn = this.userFunction as RichFunction;
    fn.setRuntimeContext?.(this.runtimeContext);
    if (typeof fn.open === 'function') return fn.open({ taskInfo: this.runtimeContext.getTaskInfo() });
  }

  override async close(): Promise<void> {
    try {
      const fn = this.userFunction as RichFunction;
      if (typeof fn.close === 'function') await fn.close();
    } finally {
      await super.close();
    }
  }
}

/**
 * A per-instance copy of a function object, as Flink gets by deserializing the function for each
 * task: own enumerable fields copied (shallow), prototype kept. Plain lambdas are shared.
 */
export function copyFunction<F>(fn: F): F {
  if (typeof fn !== 'object' || fn === null) return fn;
  return Object.assign(Object.create(Object.getPrototypeOf(fn)), fn) as F;
}
