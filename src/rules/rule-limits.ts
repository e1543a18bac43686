/**
 * Limits against hostile or runaway rule documents. Most are enforced by `rules/schema.json`
 * (sizes, counts) and repeated here for code and docs; the others are checked before the schema
 * (document size, JSON depth) or by the condition compiler (CEL AST size and depth). They keep the
 * cost of rejecting a bad document, and of running a good one, bounded.
 *
 * @example
 * ```ts
 * if (text.length > RULE_LIMITS.maxDocumentChars) reject();
 * ```
 */
export const RULE_LIMITS = Object.freeze({
  /** Characters of a rule document given as text to {@link parseRuleJson}. */
  maxDocumentChars: 256 * 1024,
  /** Nesting depth of the parsed JSON (a valid rule needs 6: rule > stages > group > stage > quantifier). */
  maxJsonDepth: 12,
  /** Stages in a rule, counting the stages inside groups. */
  maxStages: 32,
  /** Stages inside one group (schema). */
  maxGroupStages: 16,
  /** Characters of one CEL condition (schema). */
  maxConditionChars: 4096,
  /** Nodes of one parsed CEL condition. */
  maxConditionAstNodes: 512,
  /** Nesting depth of one parsed CEL condition. */
  maxConditionDepth: 32,
  /** Fields of a grouping key (schema). */
  maxKeyFields: 8,
  /** Characters of a field path; at most 4 segments of 64 (schema). */
  maxFieldPathChars: 128,
  /** Characters of an alert message template (schema). */
  maxMessageChars: 1024,
  /** Characters of a description (schema). */
  maxDescriptionChars: 2048,
  /** Fields copied into an alert (schema). */
  maxAlertFields: 32,
  /** Counts of `times`/`timesOrMore` (schema). */
  maxQuantifierCount: 1000,
  /** Longest duration (`within`, window size), 366 days (schema). */
  maxDurationMs: 366 * 24 * 3600 * 1000,
  /** Windows one event falls into (size / slide of a sliding window). */
  maxSlidesPerWindow: 1440,
  /**
   * Partial matches one grouping key may hold for one pattern rule unless the rule's
   * `limits.maxPartialMatchesPerKey` says otherwise; above it the key's partial matches for the
   * rule are dropped, counted, and the rule is reported degraded.
   */
  defaultMaxPartialMatchesPerKey: 1000,
  /**
   * Alerts one grouping key may raise per minute of event time for one rule unless the rule's
   * `limits.maxAlertsPerKeyPerMinute` says otherwise; the excess is dropped and counted.
   */
  defaultMaxAlertsPerKeyPerMinute: 100,
  /** Errors returned by {@link validateRule} (ajv with allErrors can report many). */
  maxErrors: 50,
  /**
   * Highest static cost estimate of one condition (`estimateConditionCost` in condition-cost.ts),
   * in cost units (~one cel-js AST node each, 20-60 ns): about 20-60 ms for one evaluation at
   * worst. A rule with a condition above it is refused with a 400 at the condition's path. A
   * typical condition costs under 100; six nested comprehensions over 25-element lists cost 1.2e9.
   */
  maxConditionCost: 1_000_000,
  /**
   * Steps one evaluation of a condition may take at run time, the second guard behind the static
   * estimate: above it the evaluation is aborted, the condition is false for that event and a
   * condition error "evaluation budget of N steps exceeded" is counted. A step is one iteration of
   * a comprehension (`all`, `exists`, `exists_one`, `map`, `filter`, nested ones included); in the
   * compiled closures, operations proportional to a size also count, by the factors of the
   * estimate, rounded down (`in` on a list, list `+`, `contains`, `size` of a string,
   * `sum`/`avg`/`min`/`max`, `==` on lists and maps).
   *
   * Five times {@link RULE_LIMITS}.maxConditionCost: the estimate charges every iteration at least
   * one unit and sized operations at least what is counted here (except `==` on lists and maps,
   * which it under-counts), so a condition that passed validation needs at most maxConditionCost
   * steps on any event within the estimate's assumptions (event lists and strings within
   * {@link RULE_LIMITS}.maxEventChars, looping `matched` stages within
   * {@link RULE_LIMITS}.maxMatchedEventsPerStage). The budget is reached only when those do not
   * hold (a looping stage holding far more events than assumed, a larger event) or where the estimate under-counts
   * by 5x or more. About 0.05-0.15 s of compiled evaluation (10-30 ns a step), 0.1-0.3 s when the
   * cel-js interpreter evaluates (a fallback, see `compileCondition`; 20-60 ns an iteration).
   * Must stay below 2^30.
   */
  maxEvaluationSteps: 5_000_000,
  /** Estimated condition cost above which validation warns (a tenth of {@link RULE_LIMITS}.maxConditionCost). */
  conditionCostWarning: 100_000,
  /**
   * Characters of one event's JSON text, the bound the cost estimate puts on any value read from an
   * event (a string, a list, a map): the 64 KiB default of `parseEventJson`.
   */
  maxEventChars: 64 * 1024,
  /**
   * Elements of a list (or entries of a map) read from an event, for the cost estimate: each
   * element takes at least two characters (`0,`) of the {@link RULE_LIMITS}.maxEventChars JSON text.
   */
  maxEventListElements: 32 * 1024,
  /**
   * Events the cost estimate assumes in `matched.<stage>` for a stage that loops without bound
   * (`oneOrMore`, `timesOrMore`, or in such a group). The engine caps partial matches per key
   * (`defaultMaxPartialMatchesPerKey`) but not the events one looping stage takes within
   * `within`, so this is an assumption, not a guarantee
   * (validation warns when an estimate relies on it); bounded stages use their own count (`times`:
   * `to`; a single event: 1). Equal to {@link RULE_LIMITS}.maxQuantifierCount.
   */
  maxMatchedEventsPerStage: 1000,
});
