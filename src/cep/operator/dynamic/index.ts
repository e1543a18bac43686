/**
 * Dynamic CEP: many patterns in one keyed operator, changed at run time by a broadcast stream of
 * plain-data updates.
 *
 * @example
 * ```ts
 * import { DynamicCEP } from './cep/operator/dynamic/index.js';
 * DynamicCEP.patterns(keyed, updates, compile).process(fn);
 * ```
 *
 * @packageDocumentation
 */
export * from './dynamic-cep.js';
export * from './dynamic-cep-operator.js';
export * from './dynamic-pattern-process-function.js';
export * from './dynamic-pattern-stream.js';
export * from './partial-match-counts.js';
export * from './pattern-update.js';
