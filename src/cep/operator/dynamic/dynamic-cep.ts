import type { DataStream, KeyedStream } from '../../../core/api/data-stream.js';
import type { Pattern } from '../../pattern/pattern.js';
import { type DynamicCepOptions, DynamicPatternStream } from './dynamic-pattern-stream.js';
import type { PatternUpdate } from './pattern-update.js';

/**
 * Entry point of dynamic CEP: many patterns in one operator, added, replaced, paused and deleted
 * at run time through a stream of {@link PatternUpdate}s (FLIP-200). Definitions are plain data
 * (`D`, e.g. a rule's JSON); `compile` turns one into a `Pattern` and may throw to reject it.
 *
 * @example
 * ```ts
 * const rejected = new OutputTag<RejectedPatternUpdate<RuleJson>>('rejected');
 * const alerts = DynamicCEP.patterns(pays.keyBy((p) => p.card), ruleUpdates, compileRule, {
 *   rejectedUpdates: rejected,
 * }).process(new ToAlert());
 * alerts.getSideOutput(rejected).print();
 * ```
 */
export const DynamicCEP = {
  /** Matches a keyed stream against the patterns carried by `updates` (broadcast to every subtask). */
  patterns<T, K, D>(
    input: KeyedStream<T, K>,
    updates: DataStream<PatternUpdate<D>>,
    compile: (definition: D) => Pattern<T, any>,
    options: DynamicCepOptions<T, D, K> = {},
  ): DynamicPatternStream<T, K, D> {
    return new DynamicPatternStream<T, K, D>(input, updates, compile, options);
  },
};
