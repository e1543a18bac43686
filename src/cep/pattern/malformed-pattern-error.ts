/**
 * Thrown when a pattern is not valid (Flink's `MalformedPatternException`): by the builder methods
 * for what can be checked at once, and by {@link validatePattern} (which the NFA compiler calls) for
 * rules that need the whole pattern.
 *
 * `reason` is the bare rule that was broken; `stage`, when known, names the stage it was broken on
 * and is appended to `message`.
 *
 * @example
 * ```ts
 * try {
 *   Pattern.begin<Event>('a').times(0);
 * } catch (e) {
 *   if (e instanceof MalformedPatternError) console.log(e.reason, e.stage); // '... greater than 0.' 'a'
 * }
 * ```
 */
export class MalformedPatternError extends Error {
  override readonly name = 'MalformedPatternError';
  /** The broken rule, without the stage suffix. */
  readonly reason: string;
  /** The stage the rule was broken on, when there is one. */
  readonly stage: string | undefined;

  constructor(reason: string, stage?: string) {
    super(stage === undefined ? reason : `${reason} (stage "${stage}")`);
    this.reason = reason;
    this.stage = stage;
  }

  /**
   * The same error attributed to `stage`, unless it already names one.
   *
   * @example
   * ```ts
   * throw new MalformedPatternError('Optional already applied!').atStage('a');
   * ```
   */
  atStage(stage: string): MalformedPatternError {
    return this.stage === undefined ? new MalformedPatternError(this.reason, stage) : this;
  }
}
