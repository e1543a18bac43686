import { SkipStrategyKind } from './after-match-skip-strategy.js';
import { BooleanConditions } from './conditions/boolean-conditions.js';
import { MalformedPatternError } from './malformed-pattern-error.js';
import { notAfterOptionalMessage, Pattern } from './pattern.js';
import {
  canEndOptionally,
  canProduceEmptyMatches,
  isGroupPattern,
  leafStagesOf,
  stagesOf,
} from './pattern-stages.js';
import { getPatternWindowTime, getPreviousAndCurrentWindowTimes } from './pattern-window-times.js';
import { ConsumingStrategy, QuantifierProperty } from './quantifier.js';
import { checkStageName } from './stage-names.js';
import { WithinType } from './within-type.js';

/**
 * Checks a whole pattern (given by its last stage) and throws {@link MalformedPatternError} on the
 * first rule it breaks; the NFA compiler calls it before compiling. It repeats the checks the builder
 * methods make at once (a stage can be changed after the next one was appended) and adds those that
 * need the whole pattern:
 *
 * - stage names: valid and unique across the pattern, groups included;
 * - negations (`notNext`, `notFollowedBy`): no quantifier, not first, not right after a stage that
 *   can be skipped (optional, or a group ending in one), and a trailing `notFollowedBy` needs a
 *   `within` window (the pattern's, or a `PREVIOUS_AND_CURRENT` one on it); a group ending the pattern
 *   may not end in `notFollowedBy`;
 * - quantifiers: `greedy` only on looping/`times` stages, not on groups, not with
 *   `allowCombinations()`, and not followed by an optional stage; `until` only on looping stages and
 *   not on groups; no condition on a group;
 * - windows: a `PREVIOUS_AND_CURRENT` window may not exceed the pattern's `FIRST_AND_LAST` one;
 * - the pattern must not be able to match no event at all (every stage optional);
 * - `skipToFirst`/`skipToLast` must name a stage of the pattern that takes events (not a negation);
 *   the skip strategy of a group's inner pattern (ignored) must be left at `noSkip`.
 *
 * @example
 * ```ts
 * validatePattern(Pattern.begin<Event>('a').notFollowedBy('b'));
 * // throws: NotFollowedBy is not supported without windowTime as a last part of a Pattern!
 * ```
 */
export function validatePattern<T>(pattern: Pattern<T, any>): void {
  if (!(pattern instanceof Pattern)) {
    throw new MalformedPatternError('validatePattern expects a Pattern (its last stage).');
  }
  const leaves = leafStagesOf(pattern);
  checkNames(leaves);
  checkSequence(pattern, 'a Pattern');
  checkWindows(pattern);
  checkEnd(pattern);
  if (canProduceEmptyMatches(pattern)) {
    throw new MalformedPatternError(
      'The pattern can produce empty matches: every stage is optional. There must be at least one non-optional stage.',
    );
  }
  checkSkipStrategy(pattern, leaves);
}

function checkNames<T>(leaves: readonly Pattern<T, any>[]): void {
  const seen = new Set<string>();
  for (const stage of leaves) {
    const name = stage.getName();
    checkStageName(name);
    if (seen.has(name))
      throw new MalformedPatternError(`Duplicate pattern name: ${name}. Names must be unique.`);
    seen.add(name);
  }
}

function checkSequence<T>(last: Pattern<T, any>, what: 'a Pattern' | 'a group pattern'): void {
  const stages = stagesOf(last);
  const first = stages[0]!;
  if (first.getQuantifier().isNegation()) {
    throw new MalformedPatternError(
      `${negationName(first)} is not supported as a first part of ${what}!`,
      first.describe(),
    );
  }
  let previous: Pattern<T, any> | undefined;
  for (const stage of stages) {
    checkStage(stage, previous);
    previous = stage;
  }
}

function checkStage<T>(stage: Pattern<T, any>, previous: Pattern<T, any> | undefined): void {
  const q = stage.getQuantifier();
  const label = stage.describe();
  const fail = (reason: string): never => {
    throw new MalformedPatternError(reason, label);
  };
  if (q.isNegation()) {
    if (!q.hasProperty(QuantifierProperty.SINGLE) || q.hasProperty(QuantifierProperty.OPTIONAL)) {
      fail('Option not applicable to NOT pattern');
    }
    if (previous !== undefined && canEndOptionally(previous))
      fail(notAfterOptionalMessage(previous.describe()));
  }
  if (
    q.hasProperty(QuantifierProperty.OPTIONAL) &&
    previous?.getQuantifier().hasProperty(QuantifierProperty.GREEDY)
  ) {
    fail('Optional pattern cannot be preceded by greedy pattern');
  }
  if (q.hasProperty(QuantifierProperty.GREEDY)) {
    if (q.hasProperty(QuantifierProperty.SINGLE)) fail('Option not applicable to singleton quantifier');
    if (isGroupPattern(stage)) fail('Option not applicable to group pattern');
    if (q.getInnerConsumingStrategy() === ConsumingStrategy.SKIP_TILL_ANY) {
      fail('Option not applicable to a pattern with allowCombinations() (skip-till-any inside the loop)');
    }
  }
  if (stage.getUntilCondition() !== undefined && !q.hasProperty(QuantifierProperty.LOOPING)) {
    fail('The until condition is only applicable to looping states.');
  }
  if (
    (q.hasProperty(QuantifierProperty.LOOPING) || q.hasProperty(QuantifierProperty.TIMES)) &&
    stage.getTimes() === undefined
  ) {
    fail(`A looping or times stage needs its Times: ${q}`);
  }
  if (isGroupPattern(stage)) checkGroupStage(stage, fail);
}

function checkGroupStage<T>(
  group: Pattern<T, any> & { getRawPattern(): Pattern<T, any> },
  fail: (reason: string) => never,
): void {
  if (group.getCondition() !== BooleanConditions.trueFunction()) {
    fail('Cannot add a condition to a group pattern: put it on a stage inside the group.');
  }
  if (group.getUntilCondition() !== undefined) {
    fail('Cannot add a condition to a group pattern: GroupPattern does not support until clause.');
  }
  if (group.getWindowSize(WithinType.PREVIOUS_AND_CURRENT) !== undefined) {
    fail(
      'A PREVIOUS_AND_CURRENT window is not applicable to a group pattern; set it on a stage inside the group.',
    );
  }
  const raw = group.getRawPattern();
  if (!(raw instanceof Pattern)) fail('A group must be a Pattern built with Pattern.begin(...).');
  if (raw.getAfterMatchSkipStrategy().kind !== SkipStrategyKind.NO_SKIP) {
    fail(
      `The after-match skip strategy of a group's inner pattern is ignored (got ${raw.getAfterMatchSkipStrategy()}); ` +
        'pass it to the outer Pattern.begin().',
    );
  }
  checkSequence(raw, 'a group pattern');
}

function checkWindows<T>(pattern: Pattern<T, any>): void {
  const windowTime = getPatternWindowTime(pattern);
  if (windowTime === undefined) return;
  for (const [stage, ms] of getPreviousAndCurrentWindowTimes(pattern)) {
    if (ms > windowTime) {
      throw new MalformedPatternError(
        `The window length between the previous and current event (${ms} ms) cannot be larger than the ` +
          `window length between the first and last event (${windowTime} ms) for a Pattern.`,
        stage,
      );
    }
  }
}

function checkEnd<T>(pattern: Pattern<T, any>): void {
  if (isGroupPattern(pattern)) {
    const lastInner = lastLeaf(pattern.getRawPattern());
    if (lastInner.getQuantifier().getConsumingStrategy() === ConsumingStrategy.NOT_FOLLOW) {
      throw new MalformedPatternError(
        'NotFollowedBy is not supported as the last part of a group pattern that ends a Pattern; ' +
          'put the notFollowedBy stage after the group.',
        lastInner.getName(),
      );
    }
    return;
  }
  if (
    pattern.getQuantifier().getConsumingStrategy() === ConsumingStrategy.NOT_FOLLOW &&
    getPatternWindowTime(pattern) === undefined &&
    pattern.getWindowSize(WithinType.PREVIOUS_AND_CURRENT) === undefined
  ) {
    throw new MalformedPatternError(
      'NotFollowedBy is not supported without windowTime as a last part of a Pattern!',
      pattern.getName(),
    );
  }
}

function lastLeaf<T>(last: Pattern<T, any>): Pattern<T, any> {
  return isGroupPattern(last) ? lastLeaf(last.getRawPattern()) : last;
}

function checkSkipStrategy<T>(pattern: Pattern<T, any>, leaves: readonly Pattern<T, any>[]): void {
  const strategy = pattern.getAfterMatchSkipStrategy();
  const name = strategy.getPatternName();
  if (name === undefined) return;
  const target = leaves.find((s) => s.getName() === name);
  if (target === undefined) {
    throw new MalformedPatternError(
      `The pattern name specified in AfterMatchSkipStrategy ${name} does not exist in the given pattern ` +
        `(stages: ${leaves.map((s) => s.getName()).join(', ')}).`,
    );
  }
  if (target.getQuantifier().isNegation()) {
    throw new MalformedPatternError(
      `The pattern name specified in AfterMatchSkipStrategy ${name} is a NOT stage, which never holds events.`,
    );
  }
}

function negationName<T>(stage: Pattern<T, any>): string {
  return stage.getQuantifier().getConsumingStrategy() === ConsumingStrategy.NOT_NEXT
    ? 'NotNext'
    : 'NotFollowedBy';
}
