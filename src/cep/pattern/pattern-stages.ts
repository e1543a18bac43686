import type { GroupPattern, Pattern } from './pattern.js';
import { QuantifierProperty } from './quantifier.js';

/**
 * Whether `stage` is a {@link GroupPattern} (a stage made of a sub-pattern).
 *
 * @example
 * ```ts
 * isGroupPattern(Pattern.begin(Pattern.begin<Event>('a').next('b'))); // true
 * ```
 */
export function isGroupPattern<T>(stage: Pattern<T, any>): stage is GroupPattern<T> {
  return typeof (stage as unknown as Partial<GroupPattern<T>>).getRawPattern === 'function';
}

/**
 * The stages of the sequence ending in `last`, first to last (following `getPrevious`). Groups are
 * single stages here.
 *
 * @example
 * ```ts
 * stagesOf(Pattern.begin<Event>('a').next('b')).map((s) => s.getName()); // ['a', 'b']
 * ```
 */
export function stagesOf<T>(last: Pattern<T, any>): Pattern<T, any>[] {
  const stages: Pattern<T, any>[] = [];
  for (let p: Pattern<T, any> | null = last; p !== null; p = p.getPrevious()) stages.push(p);
  return stages.reverse();
}

/**
 * The named stages of the pattern ending in `last`, first to last, with groups replaced by their own
 * stages (recursively): the stages that can appear in a match.
 *
 * @example
 * ```ts
 * const p = Pattern.begin<Event>('a').followedBy(Pattern.begin<Event>('b').next('c')).next('d');
 * leafStagesOf(p).map((s) => s.getName()); // ['a', 'b', 'c', 'd']
 * ```
 */
export function leafStagesOf<T>(last: Pattern<T, any>): Pattern<T, any>[] {
  return stagesOf(last).flatMap((s) => (isGroupPattern(s) ? leafStagesOf(s.getRawPattern()) : [s]));
}

/**
 * Whether a match can pass `stage` without taking an event as its last one: the stage is optional,
 * or it is a group whose last stage can be passed so.
 *
 * @example
 * ```ts
 * canEndOptionally(Pattern.begin<Event>('a').optional()); // true
 * ```
 */
export function canEndOptionally<T>(stage: Pattern<T, any>): boolean {
  if (stage.getQuantifier().hasProperty(QuantifierProperty.OPTIONAL)) return true;
  return isGroupPattern(stage) && canEndOptionally(stage.getRawPattern());
}

/**
 * Whether the pattern ending in `last` can match no event at all: every stage that consumes events is
 * optional (Flink's `NFACompiler.canProduceEmptyMatches`).
 *
 * @example
 * ```ts
 * canProduceEmptyMatches(Pattern.begin<Event>('a').optional()); // true
 * ```
 */
export function canProduceEmptyMatches<T>(last: Pattern<T, any>): boolean {
  return stagesOf(last).every((stage) => {
    const q = stage.getQuantifier();
    if (q.isNegation() || q.hasProperty(QuantifierProperty.OPTIONAL)) return true;
    return isGroupPattern(stage) && canProduceEmptyMatches(stage.getRawPattern());
  });
}
