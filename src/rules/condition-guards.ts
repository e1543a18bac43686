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

/** Every necessary requirement found: field -> the values it must take (each one holds on its own). */
type Requirements = Map<string, Set<GuardValue>>;

/**
 * The guard of a parsed condition (`RULE_CEL.parse(source).ast`), or `undefined` when the
 * condition could be true for any event. Derived from the top-level `&&`/`||` structure:
 *
 * - `e.f == "x"`, `"x" == e.f`, `e["f"] == true`, `e.f in ["x", "y"]` (string and bool literals);
 * - a bare `e.f` (true only if it is `true`) and `!e.f` (only if `false`);
 * - `A && B`: every requirement of both (values intersected on a shared field), then the best one
 *   is taken: the field `type` if there, else the fewest values;
 * - `A || B`: only fields both sides constrain (values united).
 *
 * Anything else (`!=`, comparisons, `has()`, macros, ternaries, negations of comparisons, numeric
 * or `null` literals, nested fields) gives nothing. An evaluation error makes a condition false,
 * so a missing field never breaks a guard.
 *
 * @example
 * ```ts
 * conditionGuard(RULE_CEL.parse('e.type == "x" || e.type == "y"').ast); // { field: 'type', values: Set {'x', 'y'} }
 * ```
 */
export function conditionGuard(ast: ASTNode): ConditionGuard | undefined {
  const reqs = requirements(ast);
  let best: ConditionGuard | undefined;
  for (const [field, values] of reqs) {
    if (field === 'type') return { field, values };
    if (best === undefined || values.size < best.values.size) best = { field, values };
  }
  return best;
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
export function conditionRequirementsOf(source: string): ConditionGuard[] {
  let ast: ASTNode;
  try {
    ast = (RULE_CEL.parse(source) as unknown as { ast: ASTNode }).ast;
  } catch {
    return [];
  }
  return [...requirements(ast)].map(([field, values]) => ({ field, values }));
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

function unionOf(sources: readonly (string | undefined)[]): RuleGuard {
  const byField = new Map<string, Set<GuardValue>>();
  for (const source of sources) {
    if (source === undefined) return 'always';
    const g = conditionGuardOf(source);
    if (g === undefined) return 'always';
    let values = byField.get(g.field);
    if (values === undefined) {
      values = new Set();
      byField.set(g.field, values);
    }
    for (const v of g.values) values.add(v);
  }
  const pairs: GuardPair[] = [];
  for (const [field, values] of byField) for (const value of values) pairs.push({ field, value });
  return pairs;
}

function requirements(node: ASTNode): Requirements {
  switch (node.op) {
    case '&&': {
      const left = requirements(node.args[0]);
      for (const [field, values] of requirements(node.args[1])) {
        const mine = left.get(field);
        if (mine === undefined) left.set(field, values);
        else for (const v of mine) if (!values.has(v)) mine.delete(v);
      }
      return left;
    }
    case '||': {
      const left = requirements(node.args[0]);
      const right = requirements(node.args[1]);
      const out: Requirements = new Map();
      for (const [field, values] of left) {
        const theirs = right.get(field);
        if (theirs === undefined) continue;
        for (const v of theirs) values.add(v);
        out.set(field, values);
      }
      return out;
    }
    case '==': {
      const [a, b] = node.args;
      const field = eventField(a) ?? eventField(b);
      const value = eventField(a) === undefined ? literal(a) : literal(b);
      return field !== undefined && value !== undefined ? single(field, [value]) : new Map();
    }
    case 'in': {
      const [a, list] = node.args;
      const field = eventField(a);
      if (field === undefined || list.op !== 'list') return new Map();
      const values: GuardValue[] = [];
      for (const item of list.args) {
        const v = literal(item);
        if (v === undefined) return new Map();
        values.push(v);
      }
      return single(field, values);
    }
    case '!_': {
      const field = eventField(node.args);
      return field === undefined ? new Map() : single(field, [false]);
    }
    case '.':
    case '[]': {
      const field = eventField(node);
      return field === undefined ? new Map() : single(field, [true]);
    }
    default:
      return new Map();
  }
}

function single(field: string, values: readonly GuardValue[]): Requirements {
  return new Map([[field, new Set(values)]]);
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
