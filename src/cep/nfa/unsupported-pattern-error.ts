/**
 * Thrown by the NFA compiler for a valid pattern shape that this NFA does not support yet (nested
 * groups, a negation as the last stage of a group or right after a group). The message names the
 * shape.
 *
 * @example
 * ```ts
 * try { compileNFA(pattern); } catch (e) { if (e instanceof UnsupportedPatternError) console.warn(e.message); }
 * ```
 */
export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}
