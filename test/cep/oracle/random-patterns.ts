/**
 * fast-check arbitraries for the CEP oracle's property tests (issue 4): random patterns of 1-4
 * stages over the alphabet {a, b, c, d} and random streams of up to 30 events.
 *
 * A pattern is generated as plain data ({@link PatternSpec}, readable in counterexamples) and built
 * with {@link buildPattern}; {@link patternSpecArb} keeps only specs that build, pass
 * `validatePattern` and fall in the oracle's family (greedy only on middle stages).
 */
import fc from 'fast-check';
import {
  AfterMatchSkipStrategy,
  MalformedPatternError,
  Pattern,
  SkipStrategyKind,
  validatePattern,
} from '../../../src/cep/index.js';

/** A stream event: a type from {@link ALPHABET}, a small value, a timestamp; `id` like `b3`. */
export interface OracleEvent {
  readonly id: string;
  readonly type: string;
  readonly value: number;
  readonly timestamp: number;
}

export const ALPHABET = ['a', 'b', 'c', 'd'] as const;

export type Contiguity = 'next' | 'followedBy' | 'followedByAny';

export type QuantifierSpec =
  | { readonly kind: 'single' }
  | { readonly kind: 'times'; readonly from: number; readonly to: number }
  | { readonly kind: 'oneOrMore' }
  | { readonly kind: 'timesOrMore'; readonly from: number };

export interface StageSpec {
  readonly name: string;
  /** The stage accepts events whose type is one of these... */
  readonly types: readonly string[];
  /** ...and whose value is at least this, if set. */
  readonly minValue: number | undefined;
  /** How the stage is appended (ignored for the first stage). */
  readonly contiguity: Contiguity;
  readonly quantifier: QuantifierSpec;
  readonly optional: boolean;
  readonly greedy: boolean;
  readonly inner: 'default' | 'consecutive' | 'allowCombinations';
}

export interface PatternSpec {
  readonly stages: readonly StageSpec[];
  readonly skip: { readonly kind: SkipStrategyKind; readonly stage?: string | undefined };
  /** `within` (ms, FIRST_AND_LAST), set on a random stage. */
  readonly within: { readonly ms: number; readonly onStage: number } | undefined;
}

/** The condition of a stage spec. */
export function stageCondition(spec: StageSpec): (e: OracleEvent) => boolean {
  const { types, minValue } = spec;
  return (e) => types.includes(e.type) && (minValue === undefined || e.value >= minValue);
}

/**
 * Builds the pattern a spec describes, or `undefined` when the builder or `validatePattern` refuses
 * it (a {@link MalformedPatternError}).
 */
export function buildPattern(spec: PatternSpec): Pattern<OracleEvent> | undefined {
  try {
    let p: Pattern<OracleEvent> | undefined;
    spec.stages.forEach((s, i) => {
      if (p === undefined) p = Pattern.begin<OracleEvent>(s.name, skipStrategy(spec));
      else if (s.contiguity === 'next') p = p.next(s.name);
      else if (s.contiguity === 'followedBy') p = p.followedBy(s.name);
      else p = p.followedByAny(s.name);
      p.where(stageCondition(s));
      const q = s.quantifier;
      if (q.kind === 'times') p.times(q.from, q.to);
      else if (q.kind === 'oneOrMore') p.oneOrMore();
      else if (q.kind === 'timesOrMore') p.timesOrMore(q.from);
      if (q.kind !== 'single') {
        if (s.inner === 'consecutive') p.consecutive();
        else if (s.inner === 'allowCombinations') p.allowCombinations();
        if (s.greedy) p.greedy();
      }
      if (s.optional) p.optional();
      if (spec.within !== undefined && spec.within.onStage === i) p.within(spec.within.ms);
    });
    validatePattern(p!);
    return p;
  } catch (e) {
    if (e instanceof MalformedPatternError) return undefined;
    throw e;
  }
}

function skipStrategy(spec: PatternSpec): AfterMatchSkipStrategy {
  switch (spec.skip.kind) {
    case SkipStrategyKind.SKIP_TO_NEXT:
      return AfterMatchSkipStrategy.skipToNext();
    case SkipStrategyKind.SKIP_PAST_LAST_EVENT:
      return AfterMatchSkipStrategy.skipPastLastEvent();
    case SkipStrategyKind.SKIP_TO_FIRST:
      return AfterMatchSkipStrategy.skipToFirst(spec.skip.stage!);
    case SkipStrategyKind.SKIP_TO_LAST:
      return AfterMatchSkipStrategy.skipToLast(spec.skip.stage!);
    default:
      return AfterMatchSkipStrategy.noSkip();
  }
}

/** A pattern spec with `skip` replaced (to run the same pattern under every strategy). */
export function withSkip(spec: PatternSpec, skip: PatternSpec['skip']): PatternSpec {
  return { ...spec, skip };
}

/** Every skip strategy for a spec's stages (skipToFirst/skipToLast on each stage). */
export function allSkips(spec: PatternSpec): PatternSpec['skip'][] {
  return [
    { kind: SkipStrategyKind.NO_SKIP },
    { kind: SkipStrategyKind.SKIP_TO_NEXT },
    { kind: SkipStrategyKind.SKIP_PAST_LAST_EVENT },
    ...spec.stages.flatMap((s) => [
      { kind: SkipStrategyKind.SKIP_TO_FIRST, stage: s.name },
      { kind: SkipStrategyKind.SKIP_TO_LAST, stage: s.name },
    ]),
  ];
}

const quantifierArb: fc.Arbitrary<QuantifierSpec> = fc.oneof(
  { arbitrary: fc.constant<QuantifierSpec>({ kind: 'single' }), weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }))
      .map(([from, extra]): QuantifierSpec => ({ kind: 'times', from, to: Math.max(1, from + extra) })),
    weight: 2,
  },
  { arbitrary: fc.constant<QuantifierSpec>({ kind: 'oneOrMore' }), weight: 2 },
  {
    arbitrary: fc.integer({ min: 0, max: 3 }).map((from): QuantifierSpec => ({ kind: 'timesOrMore', from })),
    weight: 1,
  },
);

const stageArb = (name: string): fc.Arbitrary<StageSpec> =>
  fc.record({
    name: fc.constant(name),
    types: fc.uniqueArray(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 2 }),
    minValue: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 },
    ),
    contiguity: fc.constantFrom<Contiguity>('next', 'followedBy', 'followedByAny'),
    quantifier: quantifierArb,
    optional: fc.boolean(),
    greedy: fc.boolean(),
    inner: fc.constantFrom<StageSpec['inner']>('default', 'consecutive', 'allowCombinations'),
  });

/** Makes a spec say what is built: no greedy on the first/last stage or a single, no inner strategy on a single. */
function normalize(s: StageSpec, firstOrLast: boolean): StageSpec {
  const single = s.quantifier.kind === 'single';
  return { ...s, greedy: s.greedy && !single && !firstOrLast, inner: single ? 'default' : s.inner };
}

/**
 * Random pattern specs of 1-4 stages named `s0`…`s3` that build, validate, and are in the oracle's
 * family (greedy is dropped from the first and last stage).
 */
export const patternSpecArb: fc.Arbitrary<PatternSpec> = fc
  .integer({ min: 1, max: 4 })
  .chain((n) =>
    fc.record({
      stages: fc
        .tuple(...Array.from({ length: n }, (_, i) => stageArb(`s${i}`)))
        .map((stages) => stages.map((s, i) => normalize(s, i === 0 || i === n - 1))),
      skip: fc.oneof(
        fc.constantFrom<PatternSpec['skip']>(
          { kind: SkipStrategyKind.NO_SKIP },
          { kind: SkipStrategyKind.SKIP_TO_NEXT },
          { kind: SkipStrategyKind.SKIP_PAST_LAST_EVENT },
        ),
        fc
          .tuple(
            fc.constantFrom(SkipStrategyKind.SKIP_TO_FIRST, SkipStrategyKind.SKIP_TO_LAST),
            fc.integer({ min: 0, max: n - 1 }),
          )
          .map(([kind, i]): PatternSpec['skip'] => ({ kind, stage: `s${i}` })),
      ),
      within: fc.option(
        fc.record({ ms: fc.integer({ min: 3, max: 60 }), onStage: fc.integer({ min: 0, max: n - 1 }) }),
        { nil: undefined },
      ),
    }),
  )
  .filter((spec) => buildPattern(spec) !== undefined);

/** A stream of up to `maxLength` events with strictly increasing timestamps (gaps of 1-5 ms). */
export function streamArb(maxLength = 30): fc.Arbitrary<OracleEvent[]> {
  const eventArb = fc.record({
    type: fc.constantFrom(...ALPHABET),
    value: fc.integer({ min: 0, max: 4 }),
    gap: fc.integer({ min: 1, max: 5 }),
  });
  // The length is drawn uniformly (fc.array alone favours short arrays).
  return fc
    .integer({ min: 0, max: maxLength })
    .chain((length) => fc.array(eventArb, { minLength: length, maxLength: length }))
    .map((raw) => {
      let ts = 0;
      return raw.map((r, i) => {
        ts += r.gap;
        return { id: `${r.type}${i}`, type: r.type, value: r.value, timestamp: ts };
      });
    });
}

/**
 * Builds a stream from a compact description like `'a b1 b2 c'`: each token is an event whose id is
 * the token and whose type is its first letter, lower-cased; timestamps `step`, `2 * step`, …; value 0.
 */
export function streamOf(tokens: string, step = 1): OracleEvent[] {
  return tokens
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t, i) => ({ id: t, type: t[0]!.toLowerCase(), value: 0, timestamp: (i + 1) * step }));
}
