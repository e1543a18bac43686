import type { Collector } from '../api/collector.js';
import { toCallable } from '../api/functions.js';
import type {
  AllWindowFunction,
  ProcessAllWindowFunction,
  ProcessWindowContext,
  ProcessWindowFunction,
  WindowFunction,
} from './process-window-function.js';
import type { Window } from './window.js';

/**
 * The one shape the window operator calls, whatever the user wrote: a process function, a
 * window function, an all-window function, or nothing (pre-aggregated values pass through).
 * `rich` is the user object whose `open`/`close` the operator must call.
 */
export interface InternalWindowFunction<IN, OUT, K, W extends Window> {
  readonly rich: object | undefined;
  process(
    key: K,
    window: W,
    context: ProcessWindowContext<W>,
    input: Iterable<IN>,
    out: Collector<OUT>,
  ): void;
  clear(window: W, context: ProcessWindowContext<W>): void;
}

/** Adapts a {@link ProcessWindowFunction}. */
export function processWindowFunction<IN, OUT, K, W extends Window>(
  fn: ProcessWindowFunction<IN, OUT, K, W>,
): InternalWindowFunction<IN, OUT, K, W> {
  return {
    rich: fn,
    process: (key, _w, ctx, input, out) => fn.process(key, ctx, input, out),
    clear: (_w, ctx) => fn.clear(ctx),
  };
}

/** Adapts a {@link ProcessAllWindowFunction} (the key is the constant of `windowAll`). */
export function processAllWindowFunction<IN, OUT, W extends Window>(
  fn: ProcessAllWindowFunction<IN, OUT, W>,
): InternalWindowFunction<IN, OUT, unknown, W> {
  return {
    rich: fn,
    process: (_key, _w, ctx, input, out) => fn.process(ctx, input, out),
    clear: (_w, ctx) => fn.clear(ctx),
  };
}

/** Adapts a {@link WindowFunction} (lambda or object). */
export function windowFunction<IN, OUT, K, W extends Window>(
  fn: WindowFunction<IN, OUT, K, W>,
): InternalWindowFunction<IN, OUT, K, W> {
  const apply = toCallable<(k: K, w: W, input: Iterable<IN>, out: Collector<OUT>) => void>(fn, 'apply');
  return {
    rich: typeof fn === 'object' ? fn : undefined,
    process: (key, window, _ctx, input, out) => apply(key, window, input, out),
    clear: () => {},
  };
}

/** Adapts an {@link AllWindowFunction}. */
export function allWindowFunction<IN, OUT, W extends Window>(
  fn: AllWindowFunction<IN, OUT, W>,
): InternalWindowFunction<IN, OUT, unknown, W> {
  const apply = toCallable<(w: W, input: Iterable<IN>, out: Collector<OUT>) => void>(fn, 'apply');
  return {
    rich: typeof fn === 'object' ? fn : undefined,
    process: (_key, window, _ctx, input, out) => apply(window, input, out),
    clear: () => {},
  };
}

/** Emits the pre-aggregated value as it is (`reduce`/`aggregate` without a window function). */
export function passThroughWindowFunction<T, K, W extends Window>(): InternalWindowFunction<T, T, K, W> {
  return {
    rich: undefined,
    process: (_key, _w, _ctx, input, out) => {
      for (const v of input) out.collect(v);
    },
    clear: () => {},
  };
}
