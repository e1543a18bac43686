import type { RichFunction } from '../../api/rich-function.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

/** What a user function may implement to hear about checkpoints. */
interface CheckpointListener {
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void;
}

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

  /** Forwards to the user function if it listens for checkpoints (Flink's `CheckpointListener`). */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return (this.userFunction as CheckpointListener).notifyCheckpointComplete?.(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    (this.userFunction as CheckpointListener).notifyCheckpointAborted?.(checkpointId);
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
 * task: the prototype is kept, and own fields holding plain data (arrays, plain objects, Maps,
 * Sets, Dates) are deep-copied, so a buffer initialised in the constructor is not shared between
 * parallel instances. Fields holding functions or class instances (descriptors, output tags,
 * clients) are shared by reference. Plain lambdas are shared as they are.
 */
export function copyFunction<F>(fn: F): F {
  if (typeof fn !== 'object' || fn === null) return fn;
  const copy = Object.create(Object.getPrototypeOf(fn));
  for (const key of Object.keys(fn)) {
    copy[key] = copyField((fn as Record<string, unknown>)[key]);
  }
  return copy as F;
}

function copyField(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  const plain =
    Array.isArray(value) ||
    proto === Object.prototype ||
    proto === null ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof Date;
  if (!plain) return value;
  try {
    return structuredClone(value);
  } catch {
    // Holds functions or other uncloneable parts: share it, as a shallow copy would.
    return value;
  }
}
