import { MalformedPatternError } from './malformed-pattern-error.js';

/**
 * Name of the NFA's final state (Flink's `NFACompiler.ENDING_STATE_NAME`); no stage may use it.
 *
 * @example
 * ```ts
 * Pattern.begin<Event>(ENDING_STATE_NAME); // throws MalformedPatternError
 * ```
 */
export const ENDING_STATE_NAME = '$endState$';

/**
 * Separator of the NFA's internal state names (`stage:1`, as Flink's `NFAStateNameHandler`); stage
 * names may not contain it, so the original stage name can always be recovered.
 *
 * @example
 * ```ts
 * 'middle:2'.split(STATE_NAME_DELIMITER)[0]; // 'middle'
 * ```
 */
export const STATE_NAME_DELIMITER = ':';

/**
 * Throws {@link MalformedPatternError} unless `name` can name a stage: a non-blank string without
 * {@link STATE_NAME_DELIMITER}, other than {@link ENDING_STATE_NAME}.
 *
 * @example
 * ```ts
 * checkStageName('start'); // ok
 * checkStageName('');      // throws
 * ```
 */
export function checkStageName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new MalformedPatternError(`A stage name must be a string, got ${typeof name}.`);
  }
  if (name.trim() === '') {
    throw new MalformedPatternError('A stage name must not be empty.');
  }
  if (name === ENDING_STATE_NAME) {
    throw new MalformedPatternError(
      `The stage name ${ENDING_STATE_NAME} is reserved for the NFA's final state.`,
    );
  }
  if (name.includes(STATE_NAME_DELIMITER)) {
    throw new MalformedPatternError(
      `A stage name must not contain '${STATE_NAME_DELIMITER}' (reserved for internal state names), got "${name}".`,
    );
  }
}
