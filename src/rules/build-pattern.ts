import {
  AfterMatchSkipStrategy,
  type ConditionContext,
  type IterativeCondition,
  MalformedPatternError,
  Pattern,
  WithinType,
} from '../cep/index.js';
import type { CompiledCondition } from './compile-condition.js';
import { parseDurationMs } from './parse-duration.js';
import {
  type Contiguity,
  type GroupSpec,
  isGroupSpec,
  type PatternRule,
  type StageCommon,
  type StageOrGroup,
  type StageSpec,
} from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * @internal How the pattern's element type `T` relates to rule events: `view` gives the event a
 * condition sees, `guard` (optional) must hold before any condition runs (used for routed events,
 * where a key carries several rules' events but only some may start a match).
 *
 * @example
 * ```ts
 * const adapter: ElementAdapter<Wrapped> = { view: (w) => w.event, guard: (w) => w.ruleId === id };
 * ```
 */
export interface ElementAdapter<T> {
  readonly view: (element: T) => RuleEvent;
  readonly guard?: (element: T) => boolean;
}

/** @internal conditions compiled for a rule, by JSON Pointer of the condition (`/stages/0/condition`). */
export type CompiledConditions = ReadonlyMap<string, CompiledCondition>;

/**
 * @internal Builds the CEP pattern of a rule whose schema and conditions were already checked.
 * Throws `MalformedPatternError` (the CEP library's) on combinations the Pattern API refuses;
 * `validateRule` maps those to paths.
 *
 * @example
 * ```ts
 * const p = buildPattern(rule, conditions, { view: (e) => e });
 * ```
 */
export function buildPattern<T>(
  rule: PatternRule,
  conditions: CompiledConditions,
  adapter: ElementAdapter<T>,
): Pattern<T, any> {
  const skip = skipStrategy(rule.skip);
  let pattern: Pattern<T, any> | undefined;
  rule.stages.forEach((stage, i) => {
    const path = `/stages/${i}`;
    if (isGroupSpec(stage)) {
      const inner = buildSequence(stage.group, `${path}/group`, conditions, adapter, undefined);
      const group = at(`${path}/contiguity`, () =>
        pattern === undefined ? Pattern.begin<T>(inner, skip) : append(pattern, stage.contiguity, inner),
      );
      pattern = quantify(group, stage, path);
    } else {
      pattern = buildStage(pattern, stage, path, conditions, adapter, skip);
    }
  });
  const within = rule.within === undefined ? undefined : parseDurationMs(rule.within);
  if (within !== undefined) at('/within', () => pattern!.within(within));
  return pattern!;
}

function buildSequence<T>(
  stages: readonly StageSpec[],
  path: string,
  conditions: CompiledConditions,
  adapter: ElementAdapter<T>,
  skip: AfterMatchSkipStrategy | undefined,
): Pattern<T, any> {
  let pattern: Pattern<T, any> | undefined;
  stages.forEach((stage, j) => {
    pattern = buildStage(pattern, stage, `${path}/${j}`, conditions, adapter, skip);
  });
  return pattern!;
}

function buildStage<T>(
  previous: Pattern<T, any> | undefined,
  stage: StageSpec,
  path: string,
  conditions: CompiledConditions,
  adapter: ElementAdapter<T>,
  skip: AfterMatchSkipStrategy | undefined,
): Pattern<T, any> {
  let p = at(`${path}/contiguity`, () =>
    previous === undefined
      ? Pattern.begin<T>(stage.name, skip ?? AfterMatchSkipStrategy.noSkip())
      : append(previous, stage.contiguity, stage.name),
  );
  const condition = conditions.get(`${path}/condition`);
  const guard = adapter.guard;
  if (condition !== undefined) p = p.where(toIterative(condition, adapter));
  else if (guard !== undefined) p = p.where((x: T) => guard(x));
  p = quantify(p, stage, path);
  if (stage.greedy === true) p = at(`${path}/greedy`, () => p.greedy());
  const until = conditions.get(`${path}/until`);
  if (until !== undefined) p = at(`${path}/until`, () => p.until(toIterative(until, adapter)));
  if (stage.withinPrevious !== undefined) {
    const ms = parseDurationMs(stage.withinPrevious)!;
    p = at(`${path}/withinPrevious`, () => p.within(ms, WithinType.PREVIOUS_AND_CURRENT));
  }
  return p;
}

function append<T>(
  previous: Pattern<T, any>,
  contiguity: Contiguity | undefined,
  next: string | Pattern<T, any>,
): Pattern<T, any> {
  switch (contiguity ?? 'followedBy') {
    case 'next':
      return previous.next(next as string);
    case 'followedBy':
      return previous.followedBy(next as string);
    case 'followedByAny':
      return previous.followedByAny(next as string);
    case 'notNext':
      return previous.notNext(next as string);
    case 'notFollowedBy':
      return previous.notFollowedBy(next as string);
  }
}

function quantify<T>(p: Pattern<T, any>, spec: StageCommon, path: string): Pattern<T, any> {
  const q = spec.quantifier;
  if (q !== undefined) {
    at(`${path}/quantifier`, () => {
      switch (q.type) {
        case 'one':
          break;
        case 'times':
          p = q.to === undefined ? p.times(q.from!) : p.times(q.from!, q.to);
          break;
        case 'timesOrMore':
          p = p.timesOrMore(q.from!);
          break;
        case 'oneOrMore':
          p = p.oneOrMore();
          break;
      }
    });
  }
  if (spec.inner === 'consecutive') p = at(`${path}/inner`, () => p.consecutive());
  else if (spec.inner === 'allowCombinations') p = at(`${path}/inner`, () => p.allowCombinations());
  if (spec.optional === true) p = at(`${path}/optional`, () => p.optional());
  return p;
}

/**
 * @internal A Pattern API refusal located at the rule property whose builder call threw: more
 * precise than the stage name the CEP library's error carries.
 *
 * @example
 * ```ts
 * try { buildPattern(rule, conditions, adapter); } catch (e) { if (e instanceof LocatedPatternError) e.path; }
 * ```
 */
export class LocatedPatternError extends Error {
  override readonly name = 'LocatedPatternError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function at<R>(path: string, step: () => R): R {
  try {
    return step();
  } catch (e) {
    if (e instanceof MalformedPatternError) throw new LocatedPatternError(path, e.reason);
    throw e;
  }
}

function toIterative<T>(condition: CompiledCondition, adapter: ElementAdapter<T>): IterativeCondition<T, T> {
  const { view, guard } = adapter;
  const identity = guard === undefined && isIdentity(view);
  if (identity) {
    // The common case: no wrapping, the CEP context is already one over rule events.
    return condition.test as unknown as IterativeCondition<T, T>;
  }
  return (x: T, ctx: ConditionContext<T>) => {
    if (guard !== undefined && !guard(x)) return false;
    if (condition.matchedStages.length === 0) return condition.test(view(x));
    const viewCtx: ConditionContext<RuleEvent> = {
      getEventsForPattern: (name) => [...ctx.getEventsForPattern(name)].map(view),
      timestamp: () => ctx.timestamp(),
      currentProcessingTime: () => ctx.currentProcessingTime(),
    };
    return condition.test(view(x), viewCtx);
  };
}

/** The identity view: marks adapters whose elements are rule events themselves. */
export const IDENTITY_VIEW = (e: RuleEvent): RuleEvent => e;

function isIdentity(view: unknown): boolean {
  return view === IDENTITY_VIEW;
}

function skipStrategy(spec: string | undefined): AfterMatchSkipStrategy {
  if (spec === undefined || spec === 'noSkip') return AfterMatchSkipStrategy.noSkip();
  if (spec === 'skipToNext') return AfterMatchSkipStrategy.skipToNext();
  if (spec === 'skipPastLastEvent') return AfterMatchSkipStrategy.skipPastLastEvent();
  const [kind, stage] = spec.split(':') as [string, string];
  return kind === 'skipToFirst'
    ? AfterMatchSkipStrategy.skipToFirst(stage)
    : AfterMatchSkipStrategy.skipToLast(stage);
}

/** @internal every named stage of a rule with its JSON Pointer. @example `stagePaths(rule).get('b') // '/stages/1'` */
export function stagePaths(stages: readonly StageOrGroup[]): Map<string, string> {
  const out = new Map<string, string>();
  stages.forEach((s, i) => {
    if (isGroupSpec(s))
      (s as GroupSpec).group.forEach((inner, j) => out.set(inner.name, `/stages/${i}/group/${j}`));
    else out.set(s.name, `/stages/${i}`);
  });
  return out;
}
