/**
 * The run-time evaluation budget (`RULE_LIMITS.maxEvaluationSteps`) for the cel-js interpreter,
 * which evaluates conditions the compiled closures do not compile, and single evaluations they
 * deoptimize (`compileCondition`). cel-js has no step limit or hook of its own, but each of its
 * comprehensions calls the `condition` function of its AST node before every iteration (for
 * `all` and `exists`, to stop early; `map`, `filter` and `exists_one` have none, and then the
 * loop calls none): {@link boundComprehensions} puts a counting function there, which counts
 * every iteration in the same counter as the compiled closures ({@link EVALUATION_STEPS}) and
 * throws once over the budget.
 *
 * A throw inside a comprehension step can be absorbed by cel-js as CEL says errors are (an
 * enclosing `exists` that finds another element true, `||` with a true side), so the caller must
 * not trust the result: after the evaluation, {@link stepsExceeded} says whether it went over the
 * budget. Once over, every further iteration throws at once, so the abort is quick whatever
 * absorbs it. Only iterations are counted on this path (the size-proportional work of the
 * compiled closures is not): an interpreted step costs more than a compiled one (~50-200 ns),
 * which the budget's five-fold margin over the static estimate covers.
 *
 * @example
 * ```ts
 * const bounded = boundComprehensions(parsed.ast, RULE_LIMITS.maxEvaluationSteps);
 * EVALUATION_STEPS.n = 0;
 * const r = parsed(vars);
 * if (bounded && stepsExceeded(RULE_LIMITS.maxEvaluationSteps)) fail();
 * ```
 *
 * @packageDocumentation
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { budgetExceeded, EVALUATION_STEPS, STEP_CAP } from './cel-runtime.js';

/** The parts of a cel-js AST node read here (see cel-compiler.ts). */
interface RawNode {
  readonly op: string;
  readonly args: unknown;
  readonly meta: { alternate?: RawNode; macro?: unknown };
}

interface ComprehensionArgs {
  iterable: RawNode;
  init: RawNode;
  step: RawNode;
  condition?: (accu: unknown) => boolean;
}

/** Comprehension nodes already bounded (an AST may be handed over twice). */
const bounded = new WeakSet<object>();

/**
 * Makes every comprehension of a parsed, type-checked AST count its iterations in
 * {@link EVALUATION_STEPS} and throw {@link budgetExceeded} past `maxSteps`, for the cel-js
 * interpreter (modifies the AST's comprehension nodes; results are unchanged otherwise). Returns
 * whether the AST has a comprehension: if not, nothing needs counting.
 *
 * @example
 * ```ts
 * boundComprehensions(RULE_CEL.parse('e.l.all(x, x > 0.0)').ast, 1000); // true
 * ```
 */
export function boundComprehensions(ast: ASTNode, maxSteps: number): boolean {
  const max = Math.min(maxSteps, STEP_CAP - 1);
  const steps = EVALUATION_STEPS;
  let found = false;
  const stack: RawNode[] = [ast as unknown as RawNode];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const meta = node.meta;
    // The interpreter evaluates a macro call through its expansion (`alternate`).
    if (meta?.alternate !== undefined) {
      stack.push(meta.alternate);
      continue;
    }
    if (node.op === 'comprehension') {
      found = true;
      const args = node.args as ComprehensionArgs;
      if (!bounded.has(args)) {
        bounded.add(args);
        const condition = args.condition;
        args.condition =
          condition === undefined
            ? () => {
                if (++steps.n > max) throw budgetExceeded(max);
                return true;
              }
            : (accu) => {
                if (++steps.n > max) throw budgetExceeded(max);
                return condition(accu);
              };
      }
      stack.push(args.iterable, args.init, args.step);
      continue;
    }
    pushChildren(node.args, stack);
  }
  return found;
}

/**
 * Whether the evaluation since {@link EVALUATION_STEPS} was last reset went over `maxSteps`.
 *
 * @example
 * ```ts
 * if (stepsExceeded(max)) errors.record(ruleId, budgetExceeded(max));
 * ```
 */
export function stepsExceeded(maxSteps: number): boolean {
  return EVALUATION_STEPS.n > Math.min(maxSteps, STEP_CAP - 1);
}

function pushChildren(v: unknown, out: RawNode[]): void {
  if (Array.isArray(v)) for (const x of v) pushChildren(x, out);
  else if (typeof v === 'object' && v !== null && 'op' in v && 'meta' in v) out.push(v as RawNode);
}
