import type { Pattern } from './pattern.js';
import { isGroupPattern, stagesOf } from './pattern-stages.js';
import { WithinType } from './within-type.js';

/**
 * The `FIRST_AND_LAST` window of the whole pattern ending in `last`: the smallest one set on any of
 * its stages, inside groups too (Flink's `NFAFactoryCompiler.getWindowTime`); `undefined` if none.
 *
 * @example
 * ```ts
 * getPatternWindowTime(Pattern.begin<Event>('a').within(10_000).next('b').within(5_000)); // 5000
 * ```
 */
export function getPatternWindowTime<T>(last: Pattern<T, any>): number | undefined {
  let min: number | undefined;
  for (const stage of stagesOf(last)) {
    const own = stage.getWindowSize(WithinType.FIRST_AND_LAST);
    if (own !== undefined && (min === undefined || own < min)) min = own;
    if (isGroupPattern(stage)) {
      const inner = getPatternWindowTime(stage.getRawPattern());
      if (inner !== undefined && (min === undefined || inner < min)) min = inner;
    }
  }
  return min;
}

/**
 * The `PREVIOUS_AND_CURRENT` windows of the pattern ending in `last`, by stage name, inside groups
 * too (Flink's `NFAFactoryCompiler.getWindowTimes`).
 *
 * @example
 * ```ts
 * getPreviousAndCurrentWindowTimes(
 *   Pattern.begin<Event>('a').followedBy('b').within(1000, WithinType.PREVIOUS_AND_CURRENT),
 * ); // Map { 'b' => 1000 }
 * ```
 */
export function getPreviousAndCurrentWindowTimes<T>(last: Pattern<T, any>): Map<string, number> {
  const windows = new Map<string, number>();
  const visit = (end: Pattern<T, any>): void => {
    for (const stage of stagesOf(end)) {
      if (isGroupPattern(stage)) {
        visit(stage.getRawPattern());
        continue;
      }
      const ms = stage.getWindowSize(WithinType.PREVIOUS_AND_CURRENT);
      if (ms !== undefined) windows.set(stage.getName(), ms);
    }
  };
  visit(last);
  return windows;
}
