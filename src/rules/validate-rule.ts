import { MalformedPatternError, type Pattern } from '../cep/index.js';
import { compileNFA } from '../cep/nfa/nfa-compiler.js';
import { UnsupportedPatternError } from '../cep/nfa/unsupported-pattern-error.js';
import {
  buildPattern,
  type CompiledConditions,
  IDENTITY_VIEW,
  LocatedPatternError,
  stagePaths,
} from './build-pattern.js';
import { type CompiledCondition, type ConditionScope, compileCondition } from './compile-condition.js';
import { type ConditionCostOptions, checkConditionCost, stageEventBounds } from './condition-cost.js';
import type { ConditionErrors } from './condition-errors.js';
import { jsonDepth } from './json-depth.js';
import { parseDurationMs } from './parse-duration.js';
import { isGroupSpec, type PatternRule, type Rule, type StageSpec, type ThresholdRule } from './rule.js';
import type { RuleEvent } from './rule-event.js';
import { RULE_LIMITS } from './rule-limits.js';
import { type RuleError, schemaErrors, validateRuleSchema } from './rule-schema.js';
import { ruleWarnings } from './rule-warnings.js';

/**
 * The outcome of {@link validateRule}: the rule (with `warnings`, when a condition's cost estimate
 * is high or relies on an assumed `matched` size, or {@link ruleWarnings} finds something: a
 * placeholder or field naming nothing, a pattern whose matches grow combinatorially, …), or
 * every error found, each with its JSON Pointer.
 *
 * @example
 * ```ts
 * const r = validateRule(body);
 * if (!r.ok) return res.status(400).json({ errors: r.errors });
 * ```
 */
export type RuleValidation =
  | { readonly ok: true; readonly rule: Rule; readonly warnings?: readonly RuleError[] }
  | { readonly ok: false; readonly errors: readonly RuleError[] };

/**
 * Options of {@link validateRule} and the compile functions.
 *
 * @example
 * ```ts
 * validateRule(json, { errors: myCounter, timestampField: 'at' });
 * ```
 */
export interface RuleOptions {
  /** Where conditions count their run-time failures. */
  readonly errors?: ConditionErrors;
  /** The event field holding the timestamp (for the CEL variable `ts`), default `'ts'`. */
  readonly timestampField?: string;
}

/**
 * Options of {@link validateRule}: those of the compile functions, and sample events that make
 * {@link ruleWarnings} check placeholders, `fields` and a threshold's `field` against them.
 *
 * @example
 * ```ts
 * validateRule(json, { exampleEvents: body.events });
 * ```
 */
export interface ValidateRuleOptions extends RuleOptions {
  readonly exampleEvents?: readonly unknown[];
}

/** @internal a validated rule with its parsed conditions and, for pattern rules, the pattern. */
export interface AnalyzedRule {
  readonly rule: Rule;
  readonly conditions: CompiledConditions;
  readonly pattern?: Pattern<RuleEvent, any>;
  /** Notes on conditions that are accepted but costly ({@link checkConditionCost}). */
  readonly warnings?: readonly RuleError[];
}

/**
 * Validates a rule document: size and depth limits first (cheap, before anything walks the
 * document), then the JSON Schema (`rules/schema.json`, every error), then what a schema cannot
 * say: unique stage names, no contiguity on a first stage, `times` bounds, durations, sliding
 * window slides, CEL conditions (syntax, types, refused constructs), and finally the CEP
 * library's own checks (`MalformedPatternError`, `UnsupportedPatternError`), mapped to the stage
 * they name. Never throws.
 *
 * @example
 * ```ts
 * validateRule({ id: 'x', version: 1, status: 'active', kind: 'pattern', key: ['user'],
 *   alert: { severity: 'low', message: 'm' }, stages: [{ name: 'a', condition: 'e.amount +' }] });
 * // { ok: false, errors: [{ path: '/stages/0/condition', message: 'Unexpected token: EOF (at character 10)' }] }
 * ```
 */
export function validateRule(json: unknown, options: ValidateRuleOptions = {}): RuleValidation {
  const r = analyzeRule(json, options);
  if (!r.ok) return r;
  const { rule } = r.analyzed;
  const warnings = [
    ...(r.analyzed.warnings ?? []),
    ...ruleWarnings(rule, { exampleEvents: options.exampleEvents, timestampField: options.timestampField }),
  ];
  return warnings.length === 0 ? { ok: true, rule } : { ok: true, rule, warnings };
}

/**
 * {@link validateRule} on JSON text, refusing text over {@link RULE_LIMITS}.maxDocumentChars before
 * parsing it.
 *
 * @example
 * ```ts
 * parseRuleJson('{"id": 1}'); // { ok: false, errors: [{ path: '/id', message: 'must be string' }, ...] }
 * ```
 */
export function parseRuleJson(text: string, options: ValidateRuleOptions = {}): RuleValidation {
  if (text.length > RULE_LIMITS.maxDocumentChars) {
    return {
      ok: false,
      errors: [{ path: '', message: `document is longer than ${RULE_LIMITS.maxDocumentChars} characters` }],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `invalid JSON: ${(e as Error).message}` }] };
  }
  return validateRule(json, options);
}

/** @internal {@link validateRule} keeping what it built. @example `const r = analyzeRule(json, {}); if (r.ok) r.analyzed.pattern;` */
export function analyzeRule(
  json: unknown,
  options: RuleOptions,
): { ok: true; analyzed: AnalyzedRule } | { ok: false; errors: readonly RuleError[] } {
  if (jsonDepth(json, RULE_LIMITS.maxJsonDepth + 1) > RULE_LIMITS.maxJsonDepth) {
    return {
      ok: false,
      errors: [{ path: '', message: `document nests deeper than ${RULE_LIMITS.maxJsonDepth} levels` }],
    };
  }
  if (!validateRuleSchema(json)) {
    return {
      ok: false,
      errors: schemaErrors(validateRuleSchema.errors ?? []).slice(0, RULE_LIMITS.maxErrors),
    };
  }
  const rule = json as Rule;
  const errors: RuleError[] = [];
  const conditions = new Map<string, CompiledCondition>();
  const scope: ConditionScope = {
    ruleId: rule.id,
    stages: rule.kind === 'pattern' ? [...stagePaths(rule.stages).keys()] : undefined,
    errors: options.errors,
    timestampField: options.timestampField,
  };
  // Static cost bound of each condition (condition-cost.ts): refused above maxConditionCost.
  const costOptions: ConditionCostOptions = {
    stageBounds: rule.kind === 'pattern' ? stageEventBounds(rule) : new Map(),
  };
  const warnings: RuleError[] = [];
  const condition = (path: string, source: string | undefined): void => {
    if (source === undefined) return;
    const c = compileCondition(source, scope);
    if (!c.ok) {
      errors.push({ path, message: c.message });
      return;
    }
    const cost = checkConditionCost(source, costOptions);
    if (cost.error !== undefined) errors.push({ path, message: cost.error });
    else {
      conditions.set(path, c.condition);
      if (cost.warning !== undefined) warnings.push({ path, message: cost.warning });
    }
  };
  if (rule.kind === 'pattern') checkPatternRule(rule, errors, condition);
  else checkThresholdRule(rule, errors, condition);
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, RULE_LIMITS.maxErrors) };
  const noted = warnings.length > 0 ? { warnings } : {};
  if (rule.kind === 'threshold') return { ok: true, analyzed: { rule, conditions, ...noted } };
  try {
    const pattern = buildPattern<RuleEvent>(rule, conditions, { view: IDENTITY_VIEW });
    compileNFA(pattern);
    return { ok: true, analyzed: { rule, conditions, pattern, ...noted } };
  } catch (e) {
    if (e instanceof LocatedPatternError) return { ok: false, errors: [{ path: e.path, message: e.reason }] };
    if (e instanceof MalformedPatternError || e instanceof UnsupportedPatternError) {
      return { ok: false, errors: [patternError(rule, e)] };
    }
    return { ok: false, errors: [{ path: '/stages', message: `cannot compile: ${String(e)}` }] };
  }
}

function checkPatternRule(
  rule: PatternRule,
  errors: RuleError[],
  condition: (path: string, source: string | undefined) => void,
): void {
  const seen = new Set<string>();
  let count = 0;
  const stage = (s: StageSpec, path: string, first: boolean): void => {
    count++;
    if (seen.has(s.name)) errors.push({ path: `${path}/name`, message: `duplicate stage name "${s.name}"` });
    seen.add(s.name);
    if (first && s.contiguity !== undefined) {
      errors.push({
        path: `${path}/contiguity`,
        message: 'the first stage (of a rule or a group) has no contiguity',
      });
    }
    checkQuantifier(s, path, errors);
    condition(`${path}/condition`, s.condition);
    condition(`${path}/until`, s.until);
    duration(s.withinPrevious, `${path}/withinPrevious`, errors);
  };
  rule.stages.forEach((s, i) => {
    const path = `/stages/${i}`;
    if (isGroupSpec(s)) {
      if (i === 0 && s.contiguity !== undefined) {
        errors.push({
          path: `${path}/contiguity`,
          message: 'the first stage (of a rule or a group) has no contiguity',
        });
      }
      checkQuantifier(s, path, errors);
      s.group.forEach((inner, j) => stage(inner, `${path}/group/${j}`, j === 0));
    } else {
      stage(s, path, i === 0);
    }
  });
  if (count > RULE_LIMITS.maxStages) {
    errors.push({
      path: '/stages',
      message: `at most ${RULE_LIMITS.maxStages} stages, counting those inside groups`,
    });
  }
  duration(rule.within, '/within', errors);
  if (rule.skip?.includes(':')) {
    const name = rule.skip.slice(rule.skip.indexOf(':') + 1);
    if (!seen.has(name)) errors.push({ path: '/skip', message: `the rule has no stage "${name}"` });
  }
}

function checkQuantifier(
  s: { quantifier?: StageSpec['quantifier'] },
  path: string,
  errors: RuleError[],
): void {
  const q = s.quantifier;
  if (q?.type !== 'times') return;
  if (q.to === undefined && q.from === 0) {
    errors.push({ path: `${path}/quantifier/from`, message: 'times without "to" needs from >= 1' });
  }
  if (q.to !== undefined && q.from !== undefined && q.to < q.from) {
    errors.push({ path: `${path}/quantifier/to`, message: `must be >= from (${q.from})` });
  }
}

function checkThresholdRule(
  rule: ThresholdRule,
  errors: RuleError[],
  condition: (path: string, source: string | undefined) => void,
): void {
  condition('/filter', rule.filter);
  const size = duration(rule.window.size, '/window/size', errors);
  const slide = duration(rule.window.slide, '/window/slide', errors);
  if (size !== undefined && slide !== undefined) {
    if (slide > size) errors.push({ path: '/window/slide', message: 'must not exceed the window size' });
    else if (size % slide !== 0)
      errors.push({ path: '/window/slide', message: 'the window size must be a multiple of it' });
    else if (size / slide > RULE_LIMITS.maxSlidesPerWindow) {
      errors.push({
        path: '/window/slide',
        message: `at most ${RULE_LIMITS.maxSlidesPerWindow} slides per window`,
      });
    }
  }
  if (!Number.isFinite(rule.compare.value))
    errors.push({ path: '/compare/value', message: 'must be finite' });
}

function duration(spec: number | string | undefined, path: string, errors: RuleError[]): number | undefined {
  if (spec === undefined) return undefined;
  const ms = parseDurationMs(spec);
  if (ms === undefined) errors.push({ path, message: 'must be a positive duration' });
  else if (ms > RULE_LIMITS.maxDurationMs) errors.push({ path, message: 'must be at most 366 days' });
  return ms !== undefined && ms <= RULE_LIMITS.maxDurationMs ? ms : undefined;
}

/** Maps a CEP error to the path of the stage it names, and the property it is about when clear. */
function patternError(rule: PatternRule, e: MalformedPatternError | UnsupportedPatternError): RuleError {
  const stage = e instanceof MalformedPatternError ? e.stage : undefined;
  const reason = e instanceof MalformedPatternError ? e.reason : e.message;
  const paths = stagePaths(rule.stages);
  let path = stage === undefined ? undefined : paths.get(stage);
  if (path === undefined && stage !== undefined && stage.startsWith('GroupPattern(')) {
    const firstInner = /^GroupPattern\((.*?)(?: -> |\))/.exec(stage)?.[1];
    const inner = firstInner === undefined ? undefined : paths.get(firstInner);
    path = inner?.replace(/\/group\/\d+$/, '');
  }
  if (path === undefined) {
    const named = [...paths.keys()].find((n) => reason.includes(`"${n}"`) || reason.includes(` ${n}.`));
    path = named !== undefined ? paths.get(named) : undefined;
  }
  if (path === undefined) {
    if (/skip/i.test(reason)) return { path: '/skip', message: reason };
    if (/window|within/i.test(reason)) return { path: '/within', message: reason };
    return { path: '/stages', message: reason };
  }
  const r = reason.toLowerCase();
  if (r.includes('greedy') && !r.includes('optional pattern cannot be preceded'))
    return { path: `${path}/greedy`, message: reason };
  if (r.includes('until')) return { path: `${path}/until`, message: reason };
  if (r.includes('optional')) return { path: `${path}/optional`, message: reason };
  if (
    r.includes('not pattern') ||
    r.includes('notfollowedby') ||
    r.includes('notnext') ||
    r.includes('negat')
  ) {
    return { path: `${path}/contiguity`, message: reason };
  }
  if (r.includes('quantifier') || r.includes('times')) return { path: `${path}/quantifier`, message: reason };
  return { path, message: reason };
}
