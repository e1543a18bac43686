import { type AfterMatchSkipStrategy, SkipStrategyKind } from '../pattern/after-match-skip-strategy.js';

/**
 * Thrown when a `skipToFirst`/`skipToLast` strategy with `throwExceptionOnMiss()` meets a match
 * without events for its stage, or would skip to the first event of the match itself.
 *
 * @example
 * ```ts
 * try { nfa.process(state, e, ts); } catch (err) { if (err instanceof SkipStrategyError) ... }
 * ```
 */
export class SkipStrategyError extends Error {
  override readonly name = 'SkipStrategyError';
}

/**
 * The after-match pruning rule of a skip strategy (Flink's `AfterMatchSkipStrategy.prune`): the
 * event id `pruningId` computed from a match, and whether a partial match starting at a given event
 * must be discarded. `undefined` when nothing is pruned (noSkip, or a skip-to stage without events
 * and no throw-on-miss).
 *
 * - skipToNext: discard runs starting at or before the match's first event;
 * - skipPastLastEvent: at or before its last event;
 * - skipToFirst(s) / skipToLast(s): strictly before the first / last event of stage `s`.
 *
 * @example
 * ```ts
 * const rule = pruningRule(AfterMatchSkipStrategy.skipPastLastEvent(), new Map([['a', [0]], ['b', [3]]]));
 * rule?.(2); // true: a run starting at event 2 is discarded
 * ```
 */
export function pruningRule(
  strategy: AfterMatchSkipStrategy,
  match: ReadonlyMap<string, readonly number[]>,
): ((startEventId: number) => boolean) | undefined {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const ids of match.values()) {
    for (const id of ids) {
      if (id < first) first = id;
      if (id > last) last = id;
    }
  }
  switch (strategy.kind) {
    case SkipStrategyKind.NO_SKIP:
      return undefined;
    case SkipStrategyKind.SKIP_TO_NEXT:
      return (start) => start <= first;
    case SkipStrategyKind.SKIP_PAST_LAST_EVENT:
      return (start) => start <= last;
    case SkipStrategyKind.SKIP_TO_FIRST:
    case SkipStrategyKind.SKIP_TO_LAST: {
      const name = strategy.patternName!;
      const ids = match.get(name);
      if (ids === undefined || ids.length === 0) {
        if (strategy.throwOnMiss) {
          throw new SkipStrategyError(
            `Could not skip to ${name}. No such element in the found match {${[...match.keys()].join(', ')}}.`,
          );
        }
        return undefined;
      }
      const pruningId = strategy.kind === SkipStrategyKind.SKIP_TO_FIRST ? ids[0]! : ids[ids.length - 1]!;
      if (strategy.throwOnMiss && pruningId === first) {
        throw new SkipStrategyError('Could not skip to first element of a match.');
      }
      return (start) => start < pruningId;
    }
    default:
      return undefined;
  }
}
