/**
 * Complex event processing on the streaming core (DESIGN §5): the Pattern API so far.
 *
 * @example
 * ```ts
 * import { Pattern } from './cep/index.js';
 * const p = Pattern.begin<Event>('a').followedBy('b');
 * ```
 *
 * @packageDocumentation
 */

export * from './operator/index.js';
export * from './pattern/index.js';
