/**
 * Flink's CEP Pattern API: build patterns with {@link Pattern}, check them with
 * {@link validatePattern}.
 *
 * @example
 * ```ts
 * import { Pattern, AfterMatchSkipStrategy, validatePattern } from './cep/pattern/index.js';
 * const p = Pattern.begin<Event>('a', AfterMatchSkipStrategy.skipPastLastEvent()).where(isA).next('b');
 * validatePattern(p);
 * ```
 *
 * @packageDocumentation
 */
export * from './after-match-skip-strategy.js';
export * from './conditions/boolean-conditions.js';
export * from './conditions/condition-context.js';
export * from './conditions/iterative-condition.js';
export * from './conditions/not-condition.js';
export * from './conditions/rich-and-condition.js';
export * from './conditions/rich-composite-iterative-condition.js';
export * from './conditions/rich-or-condition.js';
export * from './conditions/simple-condition.js';
export * from './conditions/subtype-condition.js';
export * from './malformed-pattern-error.js';
export { GroupPattern, Pattern } from './pattern.js';
export * from './pattern-stages.js';
export * from './pattern-window-times.js';
export * from './quantifier.js';
export * from './stage-names.js';
export * from './times.js';
export * from './validate-pattern.js';
export * from './within-type.js';
