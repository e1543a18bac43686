import type { CompiledNFA } from './nfa-compiler.js';
import { StateType, TransitionAction } from './nfa-state-definition.js';

/**
 * Whether an event that no condition of the pattern accepts leaves every partial match exactly as
 * it is: then a caller that knows (from an index over the conditions) that an event cannot satisfy
 * any condition may skip `process` for it. Decided from the NFA's shape alone: every state a
 * partial match can wait in must have no PROCEED edge (a PROCEED lets the run branch: a loop or
 * optional stage followed by relaxed contiguity forks a run waiting at the next stage, a trailing
 * loop completes) and, but for the start state, exactly one IGNORE edge, back into itself (no
 * IGNORE: strict contiguity, the run dies). TAKE edges are false for such an event by definition,
 * and IGNORE conditions are negations of the stage conditions, hence true.
 *
 * @example
 * ```ts
 * skipsUnmatchedEvents(compileNFA(Pattern.begin('a').where(isA).followedBy('b').where(isB))); // true
 * skipsUnmatchedEvents(compileNFA(Pattern.begin('a').where(isA).next('b').where(isB)));       // false
 * ```
 */
export function skipsUnmatchedEvents<T>(compiled: CompiledNFA<T>): boolean {
  for (const state of compiled.states) {
    if (state.type === StateType.Final || state.type === StateType.Stop) continue;
    let ignores = 0;
    for (const t of state.transitions) {
      if (t.action === TransitionAction.PROCEED) return false;
      if (t.action === TransitionAction.IGNORE) {
        if (t.target !== state.index) return false;
        ignores++;
      }
    }
    if (state.type !== StateType.Start && ignores !== 1) return false;
    if (state.type === StateType.Start && ignores > 1) return false;
  }
  return true;
}
