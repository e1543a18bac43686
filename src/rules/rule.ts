/**
 * The rule model (DESIGN §6): the TypeScript shape of a document valid against
 * `rules/schema.json`. Rules are plain JSON so they travel as broadcast updates and sit in
 * checkpoints as data; {@link validateRule} is the only way to obtain a {@link Rule} from untrusted
 * input.
 *
 * @example
 * ```ts
 * const rule: PatternRule = {
 *   id: 'brute-force', version: 1, status: 'active', kind: 'pattern', key: ['user'],
 *   stages: [{ name: 'fail', condition: 'e.type == "login_failed"' }],
 *   alert: { severity: 'high', message: 'login failures for {{key}}' },
 * };
 * ```
 *
 * @packageDocumentation
 */

/** How urgent an alert is. @example `const s: Severity = 'critical';` */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/**
 * A duration: integer milliseconds or an ISO-8601 duration with days, hours, minutes, seconds
 * (`'PT5M'`, `'P30D'`). Converted with {@link parseDurationMs}.
 *
 * @example
 * ```ts
 * const d: DurationSpec = 'PT10M'; // or 600_000
 * ```
 */
export type DurationSpec = number | string;

/**
 * How a match becomes an alert: severity, a message template with `{{placeholders}}` (looked up,
 * never evaluated) and event fields copied into the alert.
 *
 * @example
 * ```ts
 * const t: AlertTemplate = { severity: 'high', message: '{{fail.ip}} then success for {{key}}', fields: ['ip'] };
 * ```
 */
export interface AlertTemplate {
  readonly severity: Severity;
  readonly message: string;
  readonly fields?: readonly string[];
}

/**
 * A rule's caps per grouping key, against explosive rules: over a cap the excess is dropped and
 * counted, and the rule is reported degraded.
 *
 * @example
 * ```ts
 * const caps: RuleCaps = { maxPartialMatchesPerKey: 100, maxAlertsPerKeyPerMinute: 10 };
 * ```
 */
export interface RuleCaps {
  readonly maxPartialMatchesPerKey?: number;
  readonly maxAlertsPerKeyPerMinute?: number;
}

/** Fields every rule has. @example `const c: RuleCommon = { id: 'r', version: 1, status: 'active', key: ['user'], alert };` */
export interface RuleCommon {
  /** A lower-case slug, stable across versions. */
  readonly id: string;
  /** Integer >= 1, monotonic per id (the service enforces it; the engine ignores stale versions). */
  readonly version: number;
  readonly status: 'active' | 'paused';
  readonly description?: string;
  /** Event field paths whose values form the grouping key (dynamic keying per rule). */
  readonly key: readonly string[];
  readonly alert: AlertTemplate;
  /** Caps per grouping key (defaults in `RULE_LIMITS`: `defaultMaxPartialMatchesPerKey`, `defaultMaxAlertsPerKeyPerMinute`). */
  readonly limits?: RuleCaps;
}

/**
 * How many events a stage takes: `one` (default), `times` (`from`, or `from`..`to`),
 * `timesOrMore` (`from` or more), `oneOrMore`.
 *
 * @example
 * ```ts
 * const q: QuantifierSpec = { type: 'times', from: 2, to: 4 };
 * ```
 */
export interface QuantifierSpec {
  readonly type: 'one' | 'times' | 'timesOrMore' | 'oneOrMore';
  readonly from?: number;
  readonly to?: number;
}

/** How a stage follows the previous one (the last two are negations). @example `const c: Contiguity = 'notFollowedBy';` */
export type Contiguity = 'next' | 'followedBy' | 'followedByAny' | 'notNext' | 'notFollowedBy';

/** Contiguity between the events of a looping stage. @example `const i: InnerContiguity = 'consecutive';` */
export type InnerContiguity = 'relaxed' | 'consecutive' | 'allowCombinations';

/** Fields shared by stages and groups. @example `const c: StageCommon = { contiguity: 'next', optional: true };` */
export interface StageCommon {
  readonly contiguity?: Contiguity;
  readonly quantifier?: QuantifierSpec;
  readonly optional?: boolean;
  readonly inner?: InnerContiguity;
}

/**
 * A named stage of a pattern rule.
 *
 * @example
 * ```ts
 * const s: StageSpec = { name: 'small', condition: 'e.amount < 5.0', quantifier: { type: 'timesOrMore', from: 3 } };
 * ```
 */
export interface StageSpec extends StageCommon {
  readonly name: string;
  /** CEL, returning bool; every event matches when absent. */
  readonly condition?: string;
  readonly greedy?: boolean;
  /** CEL; stops a looping stage. */
  readonly until?: string;
  /** Longest time between the previous stage's event and this one's. */
  readonly withinPrevious?: DurationSpec;
}

/**
 * A group of stages quantified as a whole (`(a b){2}`); groups do not nest.
 *
 * @example
 * ```ts
 * const g: GroupSpec = { group: [{ name: 'a' }, { name: 'b', contiguity: 'next' }], quantifier: { type: 'times', from: 2 } };
 * ```
 */
export interface GroupSpec extends StageCommon {
  readonly group: readonly StageSpec[];
}

/** A stage or a group. @example `const isGroup = (s: StageOrGroup): s is GroupSpec => 'group' in s;` */
export type StageOrGroup = StageSpec | GroupSpec;

/**
 * A rule compiled to a CEP pattern, evaluated per grouping key.
 *
 * @example
 * ```ts
 * const r: PatternRule = { ...common, kind: 'pattern', stages: [{ name: 'a' }, { name: 'b' }], within: 'PT5M' };
 * ```
 */
export interface PatternRule extends RuleCommon {
  readonly kind: 'pattern';
  readonly stages: readonly StageOrGroup[];
  readonly within?: DurationSpec;
  /** `noSkip` (default), `skipToNext`, `skipPastLastEvent`, `skipToFirst:<stage>`, `skipToLast:<stage>`. */
  readonly skip?: string;
  /** Alert for partial matches that ran out of `within` time. */
  readonly timeoutAlert?: AlertTemplate;
}

/** The aggregate of a threshold rule. @example `const a: AggregateKind = 'sum';` */
export type AggregateKind = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** A comparison operator. @example `const op: CompareOp = '>=';` */
export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/**
 * A rule comparing an aggregate over an event-time window with a limit.
 *
 * @example
 * ```ts
 * const r: ThresholdRule = { ...common, kind: 'threshold', aggregate: 'sum', field: 'amount',
 *   window: { type: 'sliding', size: 'P1D', slide: 'PT1H' }, compare: { op: '>', value: 10000 } };
 * ```
 */
export interface ThresholdRule extends RuleCommon {
  readonly kind: 'threshold';
  readonly aggregate: AggregateKind;
  /** The numeric field aggregated; not for `count`. */
  readonly field?: string;
  /** CEL selecting the events that count. */
  readonly filter?: string;
  readonly window: {
    readonly type: 'tumbling' | 'sliding';
    readonly size: DurationSpec;
    readonly slide?: DurationSpec;
    /** How long after its end a window still takes late events (Flink's `allowedLateness`). */
    readonly allowedLateness?: DurationSpec;
  };
  readonly compare: { readonly op: CompareOp; readonly value: number };
}

/** A validated rule. @example `if (rule.kind === 'pattern') compilePatternRule(rule);` */
export type Rule = PatternRule | ThresholdRule;

/**
 * Whether a stage entry is a group.
 *
 * @example
 * ```ts
 * isGroupSpec({ group: [{ name: 'a' }] }); // true
 * ```
 */
export function isGroupSpec(s: StageOrGroup): s is GroupSpec {
  return Array.isArray((s as GroupSpec).group);
}
