import type { RuleError } from './rule-schema.js';

/**
 * Thrown by the compile functions when given an invalid rule (they are called with definitions
 * from a topic, which may not have passed {@link validateRule}). The dynamic CEP operator turns
 * it into a rejected update with this message; `errors` keeps the paths.
 *
 * @example
 * ```ts
 * try { compilePatternRule(json); } catch (e) { if (e instanceof RuleValidationError) console.log(e.errors); }
 * ```
 */
export class RuleValidationError extends Error {
  override readonly name = 'RuleValidationError';

  constructor(readonly errors: readonly RuleError[]) {
    super(
      `invalid rule: ${errors
        .slice(0, 5)
        .map((e) => `${e.path || '/'}: ${e.message}`)
        .join('; ')}${errors.length > 5 ? ` (+${errors.length - 5} more)` : ''}`,
    );
  }
}
