import type { ASTNode } from '@marcbachmann/cel-js';
import type { ConditionContext } from '../cep/index.js';
import { budgetExceeded, EVALUATION_STEPS } from './cel/cel-runtime.js';
import { boundComprehensions, stepsExceeded } from './cel/evaluation-budget.js';
import { jsonNumberArithmeticProblem } from './cel/json-number-arithmetic.js';
import { plainDataView } from './cel/plain-data-view.js';
import { CEL_DEOPT, CelRuntimeError, compileCel } from './cel-compiler.js';
import { RULE_CEL } from './cel-environment.js';
import { type ConditionErrors, conditionErrors } from './condition-errors.js';
import type { RuleEvent } from './rule-event.js';
import { RULE_LIMITS } from './rule-limits.js';

/**
 * What a condition may refer to: the stage names of its rule (for `matched.<stage>`), or none
 * (threshold filters cannot use `matched`).
 *
 * @example
 * ```ts
 * const scope: ConditionScope = { ruleId: 'travel', stages: ['first', 'second'] };
 * ```
 */
export interface ConditionScope {
  readonly ruleId: string;
  /** Stage names `matched` may name; `undefined` forbids `matched`. */
  readonly stages?: readonly string[];
  readonly timestampField?: string;
  /** Where run-time failures are counted (default: the process-wide {@link conditionErrors}). */
  readonly errors?: ConditionErrors;
  /** Steps one evaluation may take (default {@link RULE_LIMITS}.maxEvaluationSteps). */
  readonly maxEvaluationSteps?: number;
}

/**
 * A condition parsed once and ready to run. `test` never throws: an evaluation error or a non-bool
 * result is `false` and is counted in the scope's {@link ConditionErrors}.
 *
 * @example
 * ```ts
 * const c = compileCondition('e.amount > 100.0', { ruleId: 'r' });
 * if (c.ok) c.condition.test({ type: 'pay', ts: 1, amount: 150 }); // true
 * ```
 */
export interface CompiledCondition {
  readonly source: string;
  /** Stages read through `matched` (empty when the expression does not use it). */
  readonly matchedStages: readonly string[];
  /**
   * The parsed expression (cel-js's AST root), for reading its structure (e.g. equality
   * conjuncts for a rule index). Read-only: never modify it.
   */
  readonly ast: ASTNode;
  /** Whether `test` runs compiled closures ({@link compileCel}) rather than the interpreter. */
  readonly compiled: boolean;
  /** Tests an event; `ctx` supplies `matched` (needed only when `matchedStages` is not empty). */
  test(event: RuleEvent, ctx?: ConditionContext<RuleEvent>): boolean;
}

/**
 * {@link compileCondition}'s result: the condition, or a message saying what is wrong.
 *
 * @example
 * ```ts
 * const r = compileCondition('e.amount >', scope); // { ok: false, message: 'Unexpected token: EOF ...' }
 * ```
 */
export type ConditionResult =
  | { readonly ok: true; readonly condition: CompiledCondition }
  | { readonly ok: false; readonly message: string };

/** Field names that lead to prototypes in JS: refused even though cel-js reads own keys only. */
const FORBIDDEN_FIELDS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Type-checks and parses a CEL condition once, in {@link RULE_CEL}. Refused: syntax and type
 * errors, results that are not `bool`, `matched` in a scope without stages or naming an unknown
 * stage, access to `__proto__`/`constructor`/`prototype`, `matches()` (a user regular expression
 * can backtrack for seconds on one event: ReDoS), arithmetic between a field and an `int`
 * literal (`e.amount * 2`: JSON numbers are `double`s and CEL has no `double * int`, so it would
 * fail on every event; the message says to write `2.0`), and expressions over the limits.
 * Whether `matched` is used is decided here, so conditions that do not use it never read the
 * partial match.
 *
 * The condition is compiled to JavaScript closures ({@link compileCel}) when it can be, else (and
 * for evaluations the compiled form does not model) run by the cel-js interpreter; both give the
 * same results. Events are plain data whatever their field names: the interpreter is given a
 * {@link plainDataView} of them, so a field named `constructor` (which cel-js would otherwise
 * reject as an unsupported type) does not make conditions fail.
 *
 * Run-time budget, the second guard behind the static cost estimate (`checkConditionCost`, at
 * validation): an evaluation that goes over {@link RULE_LIMITS}.maxEvaluationSteps steps
 * (comprehension iterations, and in the compiled form size-proportional list and string work) is
 * aborted; the condition is false for that event and the error "evaluation budget of N steps
 * exceeded" is counted. Both paths are bounded: the compiled closures count their steps
 * ({@link compileCel}), and the comprehensions of the interpreter's AST count theirs in the same
 * counter (`boundComprehensions`), which covers the conditions the compiler leaves to the
 * interpreter (`timestamp`, `lowerAscii`, `cel.bind`, optional access, ...) and the single
 * evaluations it deoptimizes (then the interpreter starts from zero: at most twice the budget in
 * all). What the interpreter does outside comprehensions is not counted; it is bounded by the
 * size of the event and of the expression.
 *
 * @example
 * ```ts
 * const r = compileCondition('matched.login.exists(l, l.country != e.country)', {
 *   ruleId: 'travel', stages: ['login', 'other'],
 * });
 * r.ok && r.condition.matchedStages; // ['login']
 * ```
 */
export function compileCondition(source: string, scope: ConditionScope): ConditionResult {
  if (typeof source !== 'string' || source.length === 0)
    return { ok: false, message: 'must be a non-empty string' };
  if (source.length > RULE_LIMITS.maxConditionChars) {
    return { ok: false, message: `must be at most ${RULE_LIMITS.maxConditionChars} characters` };
  }
  // Parsed and type-checked once: the check annotates the AST with its static types, which the
  // compiler reads (and the interpreter then skips its own check on the first evaluation).
  let parsed: ReturnType<typeof RULE_CEL.parse>;
  try {
    parsed = RULE_CEL.parse(source);
  } catch (e) {
    return { ok: false, message: celMessage(e) };
  }
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, message: celMessage(checked.error) };
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return { ok: false, message: `must return bool, returns ${checked.type}` };
  }
  const evaluate = parsed as (vars: Record<string, unknown>) => unknown;
  const ast = parsed.ast;
  const refs = analyze(ast);
  if (refs.problem !== undefined) return { ok: false, message: refs.problem };
  const arithmetic = jsonNumberArithmeticProblem(ast);
  if (arithmetic !== undefined) return { ok: false, message: arithmetic };
  let matchedStages: readonly string[] = [];
  if (refs.matchedAll || refs.matched.size > 0) {
    if (scope.stages === undefined)
      return { ok: false, message: '`matched` is only available in pattern rules' };
    for (const name of refs.matched) {
      if (!scope.stages.includes(name))
        return { ok: false, message: `matched.${name}: the rule has no stage "${name}"` };
    }
    matchedStages = refs.matchedAll ? [...scope.stages] : scope.stages.filter((n) => refs.matched.has(n));
  }
  const errors = scope.errors ?? conditionErrors;
  const ruleId = scope.ruleId;
  const tsField = scope.timestampField ?? 'ts';
  const maxSteps = scope.maxEvaluationSteps ?? RULE_LIMITS.maxEvaluationSteps;
  let evaluation: Evaluation;
  if (matchedStages.length === 0) {
    // A function of the event alone: one evaluation per event for every rule with this condition.
    const key = `${tsField}\u0000${maxSteps}\u0000${source}`;
    let memo = SHARED.get(key);
    if (memo === undefined) {
      memo = memoized(evaluationOf(ast, evaluate, matchedStages, tsField, maxSteps));
      if (SHARED.size >= SHARED_MAX) SHARED.delete(SHARED.keys().next().value!);
      SHARED.set(key, memo);
    }
    evaluation = memo;
  } else {
    evaluation = evaluationOf(ast, evaluate, matchedStages, tsField, maxSteps);
  }
  const run = evaluation.run;
  const test = (event: RuleEvent, ctx?: ConditionContext<RuleEvent>): boolean => {
    const outcome = run(event, ctx);
    if (outcome === true || outcome === false) return outcome;
    errors.record(ruleId, outcome.failure);
    return false;
  };
  const compiled = evaluation.compiled;
  return { ok: true, condition: { source, matchedStages, ast, compiled, test } };
}

/** One evaluation's outcome: the condition's value, or why it failed (counted by each rule). */
type Outcome = boolean | { readonly failure: unknown };

/** How a condition is evaluated, shared by the rules that have it when it reads only the event. */
interface Evaluation {
  readonly compiled: boolean;
  run(event: RuleEvent, ctx: ConditionContext<RuleEvent> | undefined): Outcome;
}

/**
 * Evaluations of the conditions that read only the event, by source (and timestamp field and step
 * budget), each remembering its last event and outcome: rules that share a condition (risk rules
 * often start alike, `e.type == "login" && e.newDevice`) evaluate it once per event. Events are
 * never changed once parsed, so the same object means the same outcome. Bounded: past the limit
 * the oldest is forgotten (the conditions holding it keep it).
 */
const SHARED = new Map<string, Evaluation>();
const SHARED_MAX = 10_000;

function memoized(inner: Evaluation): Evaluation {
  let last: RuleEvent | undefined;
  let lastOutcome: Outcome = false;
  return {
    compiled: inner.compiled,
    run: (event, ctx) => {
      if (event === last) return lastOutcome;
      const outcome = inner.run(event, ctx);
      last = event;
      lastOutcome = outcome;
      return outcome;
    },
  };
}

/** The compiled closures, with the interpreter for what they do not model (see {@link compileCondition}). */
function evaluationOf(
  ast: ASTNode,
  evaluate: (vars: Record<string, unknown>) => unknown,
  matchedStages: readonly string[],
  tsField: string,
  maxSteps: number,
): Evaluation {
  const interpret = (event: RuleEvent, ctx: ConditionContext<RuleEvent> | undefined): unknown => {
    if (matchedStages.length === 0) return evaluate({ e: plainDataView(event), ts: event[tsField] });
    // A null-prototype object: stage names are plain keys, nothing inherited to reach.
    const matched: Record<string, RuleEvent[]> = Object.create(null);
    for (const name of matchedStages)
      matched[name] = ctx ? [...ctx.getEventsForPattern(name)].map(plainDataView) : [];
    return evaluate({ e: plainDataView(event), ts: event[tsField], matched });
  };
  const result = (r: unknown): Outcome => {
    if (r === true) return true;
    if (r !== false) return { failure: new Error(`condition returned ${typeof r}, not bool`) };
    return false;
  };
  const compiled = compileCel(ast, {
    stages: matchedStages,
    timestampField: tsField,
    maxEvaluationSteps: maxSteps,
  });
  // After compileCel, which reads the comprehensions' own `condition` functions.
  const loops = boundComprehensions(ast, maxSteps);
  const interpretRun = !loops
    ? (event: RuleEvent, ctx: ConditionContext<RuleEvent> | undefined): Outcome => {
        try {
          return result(interpret(event, ctx));
        } catch (e) {
          return { failure: e };
        }
      }
    : (event: RuleEvent, ctx: ConditionContext<RuleEvent> | undefined): Outcome => {
        EVALUATION_STEPS.n = 0;
        let r: unknown;
        let failed = false;
        let failure: unknown;
        try {
          r = interpret(event, ctx);
        } catch (e) {
          failed = true;
          failure = e;
        }
        // Over the budget, whatever the interpreter made of the abort (an error can be absorbed).
        if (stepsExceeded(maxSteps)) return { failure: budgetExceeded(maxSteps) };
        if (failed) return { failure };
        return result(r);
      };
  if (compiled === undefined) return { compiled: false, run: interpretRun };
  return {
    compiled: true,
    run: (event, ctx) => {
      try {
        const r = compiled.run(event, ctx);
        if (r === true) return true;
        if (r instanceof CelRuntimeError) return { failure: r };
        return result(r);
      } catch (e) {
        if (e !== CEL_DEOPT) return { failure: e };
      }
      // A case the compiled form does not model: the interpreter decides.
      return interpretRun(event, ctx);
    },
  };
}

interface References {
  matched: Set<string>;
  /** `matched` used other than as `matched.<name>` / `matched["name"]`: every stage is needed. */
  matchedAll: boolean;
  problem: string | undefined;
}

/** Walks the AST once (iteratively) for `matched` uses and refused constructs. */
function analyze(root: ASTNode): References {
  const refs: References = { matched: new Set(), matchedAll: false, problem: undefined };
  const stack: ASTNode[] = [root];
  while (stack.length > 0 && refs.problem === undefined) {
    const node = stack.pop()!;
    switch (node.op) {
      case 'id':
        if (node.args === 'matched') refs.matchedAll = true;
        break;
      case '.':
      case '.?': {
        const [target, field] = node.args;
        if (FORBIDDEN_FIELDS.has(field)) refs.problem = `access to "${field}" is not allowed`;
        else if (target.op === 'id' && target.args === 'matched') refs.matched.add(field);
        else stack.push(target);
        break;
      }
      case '[]':
      case '[?]': {
        const [target, index] = node.args;
        const literal = index.op === 'value' && typeof index.args === 'string' ? index.args : undefined;
        if (literal !== undefined && FORBIDDEN_FIELDS.has(literal)) {
          refs.problem = `access to "${literal}" is not allowed`;
        } else if (target.op === 'id' && target.args === 'matched' && literal !== undefined) {
          refs.matched.add(literal);
          stack.push(index);
        } else {
          stack.push(target, index);
        }
        break;
      }
      case 'rcall':
        if (node.args[0] === 'matches')
          refs.problem =
            'matches() is not allowed (regular expressions can be made to run for seconds); use contains, startsWith or endsWith';
        else stack.push(node.args[1], ...node.args[2]);
        break;
      case 'call':
        if (node.args[0] === 'matches')
          refs.problem =
            'matches() is not allowed (regular expressions can be made to run for seconds); use contains, startsWith or endsWith';
        else stack.push(...node.args[1]);
        break;
      case 'value':
        break;
      default:
        for (const child of childrenOf(node)) stack.push(child);
    }
  }
  return refs;
}

function childrenOf(node: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (typeof v === 'object' && v !== null && 'op' in v) out.push(v as ASTNode);
  };
  visit(node.args);
  return out;
}

function celMessage(error: unknown): string {
  if (error instanceof Error) {
    const summary = (error as { summary?: unknown }).summary;
    const first = typeof summary === 'string' && summary.length > 0 ? summary : error.message.split('\n')[0]!;
    const range = (error as { range?: { start: number } }).range;
    return range === undefined ? first : `${first} (at character ${range.start})`;
  }
  return String(error);
}
