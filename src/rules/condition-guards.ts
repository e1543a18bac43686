import type { ASTNode } from '@marcbachmann/cel-js';
import { RULE_CEL } from './cel-environment.js';
import { isGroupSpec, type PatternRule, type Rule, type StageCommon, type StageSpec } from './rule.js';

/**
 * A value an event field can be required to equal. Only strings and booleans: CEL compares
 * numbers across `int`, `uint` and `double` (`e.n == 1` holds for the JSON number `1`), so numeric
 * literals are never used as guards, and `null` literals neither.
 *
 * @example
 * ```ts
 * const v: GuardValue = 'payout';
 * ```
 */
export type GuardValue = string | boolean;

/**
 * A necessary condition of a CEL condition: it can only be true for an event whose own top-level
 * field `field` is one of `values` (compared with `===`). An empty `values` means the condition is
 * never true.
 *
 * @example
 * ```ts
 * conditionGuardOf('e.type in ["a", "b"] && e.amount > 5.0'); // { field: 'type', values: Set {'a', 'b'} }
 * ```
 */
export interface ConditionGuard {
  readonly field: string;
  readonly values: ReadonlySet<GuardValue>;
  /** A second necessary requirement, on a numeric field (see {@link inRange}). */
  readonly range?: NumericRange | undefined;
}

/**
 * A necessary requirement of a condition on a numeric field, from comparisons with number
 * literals (`e.amount > 1000.0 && e.amount <= 1010.0`): the condition can only be true for an
 * event whose own field `field` is a number in the range (CEL compares `int` and `double`
 * literals with a JSON number as JavaScript does). Bounds are `-Infinity`/`Infinity` when open.
 *
 * @example
 * ```ts
 * const r: NumericRange = { field: 'amount', lo: 1000, loOpen: true, hi: 1010, hiOpen: false };
 * ```
 */
export interface NumericRange {
  readonly field: string;
  readonly lo: number;
  readonly loOpen: boolean;
  readonly hi: number;
  readonly hiOpen: boolean;
}

/**
 * Whether `event` may meet `range`: false only when the field is a number outside the range. A
 * missing field or a value of another type (a string, a bigint) is left to the condition, whose
 * evaluation error is then counted (`cep_condition_errors_total`): a producer that drops or
 * renames a field must show up there, not silently reach no rule.
 *
 * @example
 * ```ts
 * inRange({ amount: 5 }, { field: 'amount', lo: 1000, loOpen: true, hi: Infinity, hiOpen: true }); // false
 * ```
 */
export function inRange(event: { readonly [field: string]: unknown }, range: NumericRange): boolean {
  if (!Object.hasOwn(event, range.field)) return true;
  const v = event[range.field];
  if (typeof v !== 'number') return true;
  return (range.loOpen ? v > range.lo : v >= range.lo) && (range.hiOpen ? v < range.hi : v <= range.hi);
}

/**
 * One necessary requirement of a condition, as {@link conditionRequirementsOf} lists them: the
 * field takes one of `values`, or (with `range`) it is a number in the range.
 *
 * @example
 * ```ts
 * const r: FieldRequirement = { field: 'type', values: new Set(['login']) };
 * ```
 */
export type FieldRequirement =
  | { readonly field: string; readonly values: ReadonlySet<GuardValue>; readonly range?: undefined }
  | { readonly field: string; readonly range: NumericRange; readonly values?: undefined };

/**
 * Whether `event` may meet every requirement (see {@link inRange}; equalities compare own fields
 * with `===`).
 *
 * @example
 * ```ts
 * meetsAll({ type: 'login' }, conditionRequirementsOf('e.type == "login"')); // true
 * ```
 */
export function meetsAll(
  event: { readonly [field: string]: unknown },
  reqs: readonly FieldRequirement[],
): boolean {
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    if (r.range !== undefined) {
      if (!inRange(event, r.range)) return false;
    } else if (!Object.hasOwn(event, r.field) || !r.values.has(event[r.field] as GuardValue)) return false;
  }
  return true;
}

/**
 * One alternative of a {@link RuleGuard}: `event[field] === value`.
 *
 * @example
 * ```ts
 * const p: GuardPair = { field: 'type', value: 'login' };
 * ```
 */
export interface GuardPair {
  readonly field: string;
  readonly value: GuardValue;
  /** And, when set, the event may meet this range (see {@link inRange}). */
  readonly range?: NumericRange | undefined;
}

/**
 * When a rule can take an event: `'always'` (some condition may be true for any event), or when
 * the event matches at least one of the pairs (an empty list: never).
 *
 * @example
 * ```ts
 * const g: RuleGuard = [{ field: 'type', value: 'login' }, { field: 'type', value: 'payout' }];
 * ```
 */
export type RuleGuard = 'always' | readonly GuardPair[];

/**
 * {@link ruleGuard}'s result. `strict` (pattern rules, see {@link isStrictPattern}): an event that
 * no condition of the rule accepts can still change what it reports (it breaks a `next`/`notNext`
 * or `consecutive` run, or adds a timed-out partial match), so the rule must see every event while
 * it holds partial matches.
 *
 * @example
 * ```ts
 * const { guard, strict } = ruleGuard(rule);
 * ```
 */
export interface RuleGuardInfo {
  readonly guard: RuleGuard;
  readonly strict: boolean;
}

/**
 * Every necessary requirement found: field -> the values it must take, and field -> the numeric
 * range it must be in (each one holds on its own).
 */
interface Requirements {
  readonly values: Map<string, Set<GuardValue>>;
  readonly ranges: Map<string, NumericRange>;
}

/**
 * The guard of a parsed condition (`RULE_CEL.parse(source).ast`), or `undefined` when the
 * condition could be true for any event. Derived from the top-level `&&`/`||` structure:
 *
 * - `e.f == "x"`, `"x" == e.f`, `e["f"] == true`, `e.f in ["x", "y"]` (string and bool literals);
 * - a bare `e.f` (true only if it is `true`) and `!e.f` (only if `false`);
 * - `A && B`: every requirement of both (values intersected on a shared field), then the best one
 *   is taken: the field `type` if there, else the fewest values;
 * - `A || B`: only fields both sides constrain (values united);
 * - comparisons of a field with a number literal (`e.f > 5.0`, `10 >= e.f`) give a range
 *   (intersected under `&&`, the smallest range holding both under `||`): the guard carries one
 *   (the first found) beside its equality, never alone.
 *
 * Anything else (`!=`, `has()`, macros, ternaries, negations, `null` or `uint` literals, nested
 * fields) gives nothing. An evaluation error makes a condition false,
 * so a missing field never breaks a guard.
 *
 * @example
 * ```ts
 * conditionGuard(RULE_CEL.parse('e.type == "x" || e.type == "y"').ast); // { field: 'type', values: Set {'x', 'y'} }
 * ```
 */
export function conditionGuard(ast: ASTNode): ConditionGuard | undefined {
  const reqs = requirements(ast);
  let best: { field: string; values: Set<GuardValue> } | undefined;
  for (const [field, values] of reqs.values) {
    if (field === 'type') {
      best = { field, values };
      break;
    }
    if (best === undefined || values.size < best.values.size) best = { field, values };
  }
  if (best === undefined) return undefined;
  const range = reqs.ranges.values().next().value;
  return range === undefined ? best : { ...best, range };
}

/**
 * {@link conditionGuard} of CEL source, parsed in {@link RULE_CEL}; `undefined` (no guard) when it
 * does not parse.
 *
 * @example
 * ```ts
 * conditionGuardOf('e.amount > 5.0'); // undefined
 * ```
 */
export function conditionGuardOf(source: string): ConditionGuard | undefined {
  let ast: ASTNode;
  try {
    ast = (RULE_CEL.parse(source) as unknown as { ast: ASTNode }).ast;
  } catch {
    return undefined;
  }
  return conditionGuard(ast);
}

/**
 * Every necessary requirement of CEL source (all of them hold whenever it is true), as guards:
 * `[]` when there is none or it does not parse. Where {@link conditionGuardOf} keeps the most
 * selective one for an index, this keeps all, for a cheap check of every equality before a full
 * evaluation.
 *
 * @example
 * ```ts
 * conditionRequirementsOf('e.type == "x" && e.flag'); // [{ field: 'type', values: {'x'} }, { field: 'flag', values: {true} }]
 * ```
 */
export function conditionRequirementsOf(source: string): FieldRequirement[] {
  let ast: ASTNode;
  try {
    ast = (RULE_CEL.parse(source) as unknown as { ast: ASTNode }).ast;
  } catch {
    return [];
  }
  const reqs = requirements(ast);
  const out: FieldRequirement[] = [];
  for (const [field, values] of reqs.values) out.push({ field, values });
  for (const [field, range] of reqs.ranges) out.push({ field, range });
  return out;
}

/**
 * The guard of a validated rule: the union of the guards of every condition that can see an event
 * (pattern rules: each stage's `condition` and `until`, groups' stages and negated stages
 * included; threshold rules: the `filter`). A stage without a condition, a threshold rule without
 * a filter or any condition without a guard make it `'always'`. Pairs come in first-seen order,
 * each once.
 *
 * @example
 * ```ts
 * ruleGuard(rule); // { guard: [{ field: 'type', value: 'login' }, { field: 'type', value: 'payout' }], strict: false }
 * ```
 */
export function ruleGuard(rule: Rule): RuleGuardInfo {
  if (rule.kind === 'threshold') {
    return { guard: rule.filter === undefined ? 'always' : unionOf([rule.filter]), strict: false };
  }
  const sources: (string | undefined)[] = [];
  const add = (s: StageSpec): void => {
    sources.push(s.condition);
    if (s.until !== undefined) sources.push(s.until);
  };
  for (const s of rule.stages) {
    if (isGroupSpec(s)) for (const inner of s.group) add(inner);
    else add(s);
  }
  return { guard: unionOf(sources), strict: isStrictPattern(rule) };
}

/**
 * Whether an event that no condition of the rule accepts can still change what the rule reports:
 * some stage or group is reached with `next`/`notNext` or loops with `consecutive` contiguity (the
 * event breaks the run), or the rule has a `timeoutAlert`. For the last: an ignored event can
 * fork a partial match (a relaxed loop goes on, and a branch that left it waits for the next
 * stage), which changes no match but can add timed-out partial matches. Without partial matches,
 * such an event changes nothing.
 *
 * @example
 * ```ts
 * isStrictPattern({ ...rule, stages: [{ name: 'a' }, { name: 'b', contiguity: 'next' }] }); // true
 * ```
 */
export function isStrictPattern(rule: PatternRule): boolean {
  const strict = (s: StageCommon): boolean =>
    s.contiguity === 'next' || s.contiguity === 'notNext' || s.inner === 'consecutive';
  if (rule.timeoutAlert !== undefined) return true;
  for (const s of rule.stages) {
    if (strict(s)) return true;
    if (isGroupSpec(s) && s.group.some(strict)) return true;
  }
  return false;
}

/**
 * The pairs of every source's guard, each (field, value) once; its range is the smallest holding
 * those of every source naming the pair, and none if one of them has none or they are on
 * different fields.
 */
function unionOf(sources: readonly (string | undefined)[]): RuleGuard {
  const byField = new Map<string, Map<GuardValue, NumericRange | undefined>>();
  for (const source of sources) {
    if (source === undefined) return 'always';
    const g = conditionGuardOf(source);
    if (g === undefined) return 'always';
    let values = byField.get(g.field);
    if (values === undefined) {
      values = new Map();
      byField.set(g.field, values);
    }
    for (const v of g.values) {
      if (!values.has(v)) values.set(v, g.range);
      else {
        const seen = values.get(v);
        values.set(
          v,
          seen === undefined || g.range === undefined || seen.field !== g.range.field
            ? undefined
            : rangeHull(seen, g.range),
        );
      }
    }
  }
  const pairs: GuardPair[] = [];
  for (const [field, values] of byField)
    for (const [value, range] of values)
      pairs.push(range === undefined ? { field, value } : { field, value, range });
  return pairs;
}

function requirements(node: ASTNode): Requirements {
  switch (node.op) {
    case '&&': {
      const left = requirements(node.args[0]);
      const right = requirements(node.args[1]);
      for (const [field, values] of right.values) {
        const mine = left.values.get(field);
        if (mine === undefined) left.values.set(field, values);
        else for (const v of mine) if (!values.has(v)) mine.delete(v);
      }
      for (const [field, range] of right.ranges) {
        const mine = left.ranges.get(field);
        left.ranges.set(field, mine === undefined ? range : intersect(mine, range));
      }
      return left;
    }
    case '||': {
      const left = requirements(node.args[0]);
      const right = requirements(node.args[1]);
      const out = none();
      for (const [field, values] of left.values) {
        const theirs = right.values.get(field);
        if (theirs === undefined) continue;
        for (const v of theirs) values.add(v);
        out.values.set(field, values);
      }
      for (const [field, range] of left.ranges) {
        const theirs = right.ranges.get(field);
        if (theirs !== undefined) out.ranges.set(field, rangeHull(range, theirs));
      }
      return out;
    }
    case '==': {
      const [a, b] = node.args;
      const field = eventField(a) ?? eventField(b);
      const value = eventField(a) === undefined ? literal(a) : literal(b);
      return field !== undefined && value !== undefined ? single(field, [value]) : none();
    }
    case 'in': {
      const [a, list] = node.args;
      const field = eventField(a);
      if (field === undefined || list.op !== 'list') return none();
      const values: GuardValue[] = [];
      for (const item of list.args) {
        const v = literal(item);
        if (v === undefined) return none();
        values.push(v);
      }
      return single(field, values);
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return comparison(node.op, node.args[0], node.args[1]);
    case '!_': {
      const field = eventField(node.args);
      return field === undefined ? none() : single(field, [false]);
    }
    case '.':
    case '[]': {
      const field = eventField(node);
      return field === undefined ? none() : single(field, [true]);
    }
    default:
      return none();
  }
}

function none(): Requirements {
  return { values: new Map(), ranges: new Map() };
}

function single(field: string, values: readonly GuardValue[]): Requirements {
  return { values: new Map([[field, new Set(values)]]), ranges: new Map() };
}

/** `e.f < 5.0`, `5 <= e.f`, ...: the range of `e.f` it requires (a literal on either side). */
function comparison(op: '<' | '<=' | '>' | '>=', a: ASTNode, b: ASTNode): Requirements {
  let field = eventField(a);
  let bound = numberLiteral(b);
  let relation = op;
  if (field === undefined) {
    // `5.0 < e.f` is `e.f > 5.0`.
    field = eventField(b);
    bound = numberLiteral(a);
    relation = op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : '<=';
  }
  if (field === undefined || bound === undefined) return none();
  const range: NumericRange =
    relation === '>' || relation === '>='
      ? { field, lo: bound, loOpen: relation === '>', hi: Number.POSITIVE_INFINITY, hiOpen: true }
      : { field, lo: Number.NEGATIVE_INFINITY, loOpen: true, hi: bound, hiOpen: relation === '<' };
  return { values: new Map(), ranges: new Map([[field, range]]) };
}

/** Both ranges at once (possibly empty: then no number meets it, which is still a requirement). */
function intersect(a: NumericRange, b: NumericRange): NumericRange {
  const [lo, loOpen] =
    a.lo > b.lo ? [a.lo, a.loOpen] : a.lo < b.lo ? [b.lo, b.loOpen] : [a.lo, a.loOpen || b.loOpen];
  const [hi, hiOpen] =
    a.hi < b.hi ? [a.hi, a.hiOpen] : a.hi > b.hi ? [b.hi, b.hiOpen] : [a.hi, a.hiOpen || b.hiOpen];
  return { field: a.field, lo, loOpen, hi, hiOpen };
}

/**
 * The smallest range holding both (on `a`'s field).
 *
 * @example
 * ```ts
 * rangeHull(below10, above20); // from the lower bound of below10 to the upper bound of above20
 * ```
 */
export function rangeHull(a: NumericRange, b: NumericRange): NumericRange {
  const [lo, loOpen] =
    a.lo < b.lo ? [a.lo, a.loOpen] : a.lo > b.lo ? [b.lo, b.loOpen] : [a.lo, a.loOpen && b.loOpen];
  const [hi, hiOpen] =
    a.hi > b.hi ? [a.hi, a.hiOpen] : a.hi < b.hi ? [b.hi, b.hiOpen] : [a.hi, a.hiOpen && b.hiOpen];
  return { field: a.field, lo, loOpen, hi, hiOpen };
}

/**
 * A number literal (`5`, `5.0`, `-5`) as a JavaScript number, when exact: `int` literals beyond
 * 2^53 and `uint` literals give none.
 */
function numberLiteral(node: ASTNode): number | undefined {
  if (node.op === '-_') {
    const v = numberLiteral(node.args as ASTNode);
    return v === undefined ? undefined : -v;
  }
  if (node.op !== 'value') return undefined;
  const v = node.args as unknown;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** `e.f` or `e["f"]` (the event variable: top-level `&&`/`||` never rebinds `e`) -> `f`. */
function eventField(node: ASTNode): string | undefined {
  if (node.op === '.') {
    const [target, field] = node.args;
    return target.op === 'id' && target.args === 'e' ? field : undefined;
  }
  if (node.op === '[]') {
    const [target, index] = node.args;
    return target.op === 'id' && target.args === 'e' && index.op === 'value' && typeof index.args === 'string'
      ? index.args
      : undefined;
  }
  return undefined;
}

function literal(node: ASTNode): GuardValue | undefined {
  if (node.op !== 'value') return undefined;
  const v = node.args;
  return typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
}
