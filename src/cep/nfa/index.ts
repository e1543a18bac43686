/**
 * The CEP NFA: {@link compileNFA} turns a pattern into states and transitions once; {@link NFA} runs
 * it per key over an {@link NFAState} whose events live in a {@link SharedBuffer}; the state
 * serializes with {@link serializeNFAState}.
 *
 * @example
 * ```ts
 * import { compileNFA, NFA } from './cep/nfa/index.js';
 * const nfa = new NFA(compileNFA(pattern));
 * ```
 *
 * @packageDocumentation
 */
export * from './computation-state.js';
export * from './edge-condition.js';
export * from './nfa.js';
export * from './nfa-compiler.js';
export * from './nfa-state.js';
export * from './nfa-state-definition.js';
export * from './nfa-state-serializer.js';
export * from './shared-buffer.js';
export * from './shared-buffer-entry.js';
export * from './skip-pruning.js';
export * from './unmatched-events.js';
export * from './unsupported-pattern-error.js';
