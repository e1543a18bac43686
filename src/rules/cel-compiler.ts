import type { ASTNode } from '@marcbachmann/cel-js';
import {
  addValues,
  budgetExceeded,
  CEL_BUDGET_EXCEEDED,
  CEL_DEOPT,
  CelRuntimeError,
  celEquals,
  celError,
  celNotEquals,
  chargeSteps,
  checkValue,
  compareValues,
  comprehensionRange,
  divideValues,
  EVALUATION_STEPS,
  indexValue,
  inValues,
  isMapObject,
  isPlainMap,
  listNumbers,
  moduloValues,
  multiplyValues,
  noOverload,
  noSuchKey,
  STEP_CAP,
  selectField,
  sizeOf,
  subtractValues,
} from './cel/cel-runtime.js';
import { RULE_LIMITS } from './rule-limits.js';

export { CEL_DEOPT, CelRuntimeError } from './cel/cel-runtime.js';

/**
 * Where a compiled condition reads `matched.<stage>` from (the CEP run context).
 *
 * @example
 * ```ts
 * const stages: StageEvents = { getEventsForPattern: (name) => [] };
 * ```
 */
export interface StageEvents {
  getEventsForPattern(name: string): Iterable<unknown>;
}

/**
 * A CEL expression compiled to JavaScript closures by {@link compileCel}.
 *
 * @example
 * ```ts
 * const c = compileCel(RULE_CEL.parse('e.amount > 500.0').ast, { stages: [] });
 * c?.evaluate({ type: 'payout', amount: 900 }, undefined); // true
 * ```
 */
export interface CompiledCel {
  /**
   * Evaluates the expression: returns what the interpreter returns and throws where it throws
   * (a {@link CelRuntimeError}), except that it throws {@link CEL_DEOPT} for a case it does not
   * model; then (and only then) the caller evaluates the expression with the interpreter.
   */
  evaluate(event: unknown, stages: StageEvents | undefined): unknown;
  /**
   * {@link evaluate} without the throw of an evaluation error: it is returned, a
   * {@link CelRuntimeError} (no exception on the path of, e.g., a missing field). Still throws
   * {@link CEL_DEOPT}.
   */
  run(event: unknown, stages: StageEvents | undefined): unknown;
}

/**
 * Options of {@link compileCel}.
 *
 * @example
 * ```ts
 * compileCel(ast, { stages: ['login', 'payout'] });
 * ```
 */
export interface CelCompileOptions {
  /** The stage names `matched` holds (`matched` alone is a map of all of them). */
  readonly stages: readonly string[];
  /** The event field `ts` reads (default `'ts'`). */
  readonly timestampField?: string;
  /**
   * Steps one evaluation may take (default {@link RULE_LIMITS}.maxEvaluationSteps, at most
   * 2^30 - 2): comprehension iterations plus the size-proportional work of lists and strings.
   */
  readonly maxEvaluationSteps?: number;
}

/** A compiled node: the event (`e`) is passed apart from the rest of the frame, the hot path. */
type Fn = (e: Record<string, unknown>, f: Frame) => unknown;

interface Frame {
  stages: StageEvents | undefined;
  /** Iteration variables and accumulators of comprehensions, by slot. */
  slots: unknown[];
}

/** What an identifier resolves to while compiling. */
interface Scope {
  readonly vars: ReadonlyMap<string, number>;
  /** The accumulator slot of the innermost comprehension. */
  readonly accu: number;
  readonly options: CelCompileOptions;
  /**
   * Slots allocated so far; whether `matched` is read (the frame must carry the stages); the step
   * budget of the comprehensions.
   */
  slotCount: { n: number; stages: boolean; readonly maxSteps: number };
}

/** The parts of cel-js's AST nodes the compiler reads beyond the public typing. */
interface RawNode {
  readonly op: string;
  readonly args: any;
  readonly meta: { alternate?: RawNode; macro?: { args: RawNode[] } };
  /** Set by cel-js's type checker (`parse(source).check()`). */
  readonly checkedType?: CheckedType;
}

interface CheckedType {
  readonly kind: string;
  readonly name: string;
  readonly keyType?: CheckedType;
  readonly valueType?: CheckedType;
}

interface ComprehensionArgs {
  kind?: string;
  errorsAreFatal: boolean;
  iterable: RawNode;
  iterVarName: string;
  init: RawNode;
  condition?: (accu: unknown) => boolean;
  step: RawNode;
  result: (accu: unknown) => unknown;
}

/**
 * Compiles a type-checked CEL AST (`RULE_CEL.parse(source)`, then `.check()` on the result, which
 * annotates the AST; the interpreter can still evaluate it) into a tree of JavaScript closures: no `eval`, no generated source. The closures compute
 * exactly what the cel-js interpreter computes for the same data (values, and whether an error is
 * raised), with dynamic typing checked at run time as cel-js does it.
 *
 * Returns `undefined` (the caller keeps the interpreter for the whole expression) for constructs
 * it does not compile: `uint` and `bytes` literals, optional access (`.?`, `[?]`), `cel.bind`,
 * map literals with other than plain string-literal keys, identifiers other than `e`, `ts`,
 * `matched` and comprehension variables, and functions other than `size`, `contains`,
 * `startsWith`, `endsWith`, `int`, `double`, `string`, `dyn`, `sum`, `avg`, `min`, `max` and the
 * macros `has`, `all`, `exists`, `exists_one`, `map`, `filter` (so `timestamp`, `duration`,
 * `matches`, string methods such as `lowerAscii`, …). At run time, a few cases whose interpreter
 * behaviour is intricate deoptimize to the interpreter for that one evaluation
 * ({@link CEL_DEOPT}): `int()`/`double()`/`string()` of a string, null, list or map; a map
 * indexed or tested (`in`) with a non-string key; maps compared whose keys include names that
 * objects inherit (`toString`, `__proto__`, …); list elements or comprehension variables not of
 * their static type; values that are not JSON-like (functions, class instances). Errors are
 * values ({@link CelRuntimeError}), not exceptions: a missing field, a select on a non-map, an
 * index out of bounds, a type mismatch ("no such overload", e.g. `"a" < 1`, `e.s * 2.0` on a
 * string), int overflow, division by zero, a non-bool in `&&`/`||`/`?:`/`!`, sum/avg/min/max of
 * bad lists; every operation passes them on, and `&&`, `||`, `all` and `exists` absorb them as
 * CEL says. The AST must have been type-checked (`parse(source).check()`, which annotates it):
 * static element types decide run-time checks; an unchecked AST is not compiled.
 *
 * Evaluation budget: an expression with comprehensions counts its steps
 * ({@link CelCompileOptions}.maxEvaluationSteps, default {@link RULE_LIMITS}.maxEvaluationSteps):
 * one per iteration of every comprehension, nested ones included, plus the work of operations
 * proportional to a size (`in` on a list, list `+`, `contains`, `size` of a string, aggregates,
 * `==` on lists and maps; counted in `cel-runtime.ts`). Over the budget the evaluation is aborted
 * (an exception inside, which no `&&`, `||`, `all`, `exists` absorbs) and `run` returns the
 * {@link CelRuntimeError} "evaluation budget of N steps exceeded" (`evaluate` throws it); no
 * deoptimization. The counter is a module-level integer reset when such an evaluation starts:
 * expressions without comprehensions neither reset nor check it (their work is bounded by the
 * size of the data and of the expression), and no evaluation allocates for it.
 *
 * @example
 * ```ts
 * const c = compileCel(RULE_CEL.parse('e.type == "payout" && e.amount > 500.0').ast, { stages: [] });
 * c?.evaluate({ type: 'payout', amount: 900 }, undefined); // true
 * ```
 */
export function compileCel(ast: ASTNode, options: CelCompileOptions): CompiledCel | undefined {
  // Static types decide run-time checks (elements of typed lists, comprehension variables).
  if ((ast as unknown as RawNode).checkedType === undefined) return undefined;
  // An unresolved type parameter (`[] + e.l` is a `list<T>`) makes cel-js dispatch operators on its
  // elements leniently (`x + e.s` concatenates a number and a string, `"" > x` is false): the
  // interpreter decides such expressions, so that both paths give the same results.
  if (hasPlaceholderType(ast as unknown as RawNode)) return undefined;
  const maxSteps = Math.min(options.maxEvaluationSteps ?? RULE_LIMITS.maxEvaluationSteps, STEP_CAP - 1);
  const slotCount = { n: 0, stages: false, maxSteps };
  const root = compileNode(ast as unknown as RawNode, { vars: new Map(), accu: -1, options, slotCount });
  if (root === undefined) return undefined;
  const n = slotCount.n;
  const usesStages = slotCount.stages;
  // Every comprehension takes two slots: with none, nothing loops and no budget is kept.
  const run =
    n === 0
      ? (event: unknown, stages: StageEvents | undefined): unknown => {
          // The event must be a map as cel-js sees one; its fields are then read without re-checking.
          if (!isMapObject(event)) throw CEL_DEOPT;
          return root(event as Record<string, unknown>, usesStages ? { stages, slots: NO_SLOTS } : NO_FRAME);
        }
      : (event: unknown, stages: StageEvents | undefined): unknown => {
          if (!isMapObject(event)) throw CEL_DEOPT;
          // A frame per evaluation (V8 makes this cheaper than reusing one).
          const f: Frame = { stages, slots: new Array(n) };
          EVALUATION_STEPS.n = 0;
          try {
            return root(event as Record<string, unknown>, f);
          } catch (x) {
            if (x === CEL_BUDGET_EXCEEDED) return budgetExceeded(maxSteps);
            throw x;
          }
        };
  return {
    run,
    evaluate(event, stages) {
      const r = run(event, stages);
      if (r instanceof CelRuntimeError) throw r;
      return r;
    },
  };
}

/** Whether a node of the checked AST has a type with an unresolved type parameter. */
function hasPlaceholderType(root: RawNode): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null || seen.has(x)) continue;
    seen.add(x);
    if (Array.isArray(x)) {
      for (const y of x) stack.push(y);
      continue;
    }
    const node = x as Partial<RawNode> & Record<string, unknown>;
    if (typeof node.op === 'string') {
      // An empty literal alone holds nothing to dispatch on (macros seed their accumulator with
      // one); what is built from it (`[] + e.l`) carries the placeholder on.
      const empty = (node.op === 'list' || node.op === 'map') && (node.args as unknown[]).length === 0;
      if (
        !empty &&
        (node.checkedType as { hasPlaceholderType?: boolean } | undefined)?.hasPlaceholderType === true
      )
        return true;
      stack.push(node.args, node.meta?.alternate, node.meta?.macro?.args);
    } else if (Object.getPrototypeOf(x) === Object.prototype) {
      // Comprehension arguments: iterable, init, step, result.
      for (const v of Object.values(node)) stack.push(v);
    }
  }
  return false;
}

const NO_SLOTS: unknown[] = [];
const NO_FRAME: Frame = { stages: undefined, slots: NO_SLOTS };

function compileNode(node: RawNode, sc: Scope): Fn | undefined {
  const meta = node.meta;
  if (meta.alternate !== undefined) return compileNode(meta.alternate, sc);
  if (meta.macro !== undefined) return node.args[0] === 'has' ? compileHas(meta.macro.args, sc) : undefined;
  switch (node.op) {
    case 'value':
      return compileValue(node.args);
    case 'id':
      return compileId(node.args as string, sc);
    case '.':
      return compileSelect(node.args[0] as RawNode, node.args[1] as string, sc);
    case '[]':
      return compileIndex(node.args[0] as RawNode, node.args[1] as RawNode, sc);
    case '&&':
    case '||':
      return compileLogical(node.op === '&&', node.args[0], node.args[1], sc);
    case '!_': {
      const x = compileNode(node.args, sc);
      if (x === undefined) return undefined;
      return (e, f) => {
        const v = x(e, f);
        if (typeof v === 'boolean') return !v;
        return noOverload(v);
      };
    }
    case '-_': {
      const x = compileNode(node.args, sc);
      if (x === undefined) return undefined;
      return (e, f) => {
        const v = x(e, f);
        if (typeof v === 'number') return -v;
        if (typeof v === 'bigint') return -v;
        return noOverload(v);
      };
    }
    case '?:':
      return compileTernary(node.args[0], node.args[1], node.args[2], sc);
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case 'in':
      return compileBinary(node.op, node.args[0], node.args[1], sc);
    case 'list':
      return compileList(node.args as RawNode[], sc);
    case 'map':
      return compileMap(node.args as [RawNode, RawNode][], sc);
    case 'call':
      return compileCall(node.args[0] as string, undefined, node.args[1] as RawNode[], sc);
    case 'rcall':
      return compileCall(node.args[0] as string, node.args[1] as RawNode, node.args[2] as RawNode[], sc);
    case 'comprehension':
      return compileComprehension(node.args as ComprehensionArgs, sc);
    case 'accuValue': {
      const slot = sc.accu;
      return (_e, f) => f.slots[slot];
    }
    case 'accuInc': {
      const slot = sc.accu;
      return (_e, f) => {
        const v = (f.slots[slot] as number) + 1;
        f.slots[slot] = v;
        return v;
      };
    }
    case 'accuPush': {
      const slot = sc.accu;
      const x = compileNode(node.args, sc);
      if (x === undefined) return undefined;
      return (e, f) => {
        const accu = f.slots[slot] as unknown[];
        const v = x(e, f);
        if (v instanceof CelRuntimeError) return v;
        accu.push(v);
        return accu;
      };
    }
    default:
      return undefined;
  }
}

function compileValue(v: unknown): Fn | undefined {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return () => v;
    case 'object':
      return v === null ? () => null : undefined;
    default:
      return undefined;
  }
}

function compileId(name: string, sc: Scope): Fn | undefined {
  const slot = sc.vars.get(name);
  if (slot !== undefined) return (_e, f) => f.slots[slot];
  switch (name) {
    case 'e':
      return (e) => e;
    case 'ts': {
      const field = sc.options.timestampField ?? 'ts';
      return (e, _f) => {
        const ts = e[field]; // as compile-condition hands `ts` to the interpreter
        if (typeof ts === 'number') return ts;
        return celError(ts === undefined ? 'Unknown variable: ts' : "Variable 'ts' is not of type 'double'");
      };
    }
    case 'matched': {
      const names = sc.options.stages;
      sc.slotCount.stages = true;
      return (_e, f) => {
        const m: Record<string, unknown[]> = Object.create(null);
        for (const n of names) m[n] = stageEvents(f, n);
        return m;
      };
    }
    default:
      return undefined;
  }
}

function stageEvents(f: Frame, name: string): unknown[] {
  const s = f.stages;
  if (s === undefined) return [];
  const events = s.getEventsForPattern(name);
  return Array.isArray(events) ? events : [...events];
}

function compileSelect(target: RawNode, field: string, sc: Scope): Fn | undefined {
  if (target.op === 'id' && target.args === 'matched' && !sc.vars.has('matched')) {
    if (!sc.options.stages.includes(field)) return undefined;
    sc.slotCount.stages = true;
    return (_e, f) => stageEvents(f, field);
  }
  if (target.op === 'id' && target.args === 'e' && !sc.vars.has('e')) {
    // The hot path: a field of the event (a plain object, checked once per evaluation).
    return (e, _f) => {
      const v = e[field];
      if (v !== undefined && Object.hasOwn(e, field)) return checkValue(v);
      return noSuchKey(field);
    };
  }
  const t = compileNode(target, sc);
  if (t === undefined) return undefined;
  const guard = elementGuard(target.checkedType, 'value');
  if (guard === undefined) return undefined;
  if (guard === null) return (e, f) => selectField(t(e, f), field);
  return (e, f) => guarded(guard, selectField(t(e, f), field));
}

type Guard = (v: unknown) => boolean;

/**
 * The run-time check cel-js makes on an element read from a statically typed list or map (or on
 * a comprehension variable): `null` when the static element type is `dyn` (no check), a
 * predicate for the types modelled, `undefined` (do not compile) for others.
 */
function elementGuard(t: CheckedType | undefined, part: 'value' | 'key'): Guard | null | undefined {
  if (t === undefined) return undefined;
  if (t.kind === 'dyn' || t.kind === 'param') return null;
  if (t.kind !== 'list' && t.kind !== 'map') return null; // a select on it is an error anyway
  const el = part === 'key' && t.kind === 'map' ? t.keyType : t.valueType;
  if (el === undefined) return undefined;
  if (el.kind === 'dyn' || el.kind === 'param') return null;
  switch (el.kind === 'list' || el.kind === 'map' ? el.kind : el.name) {
    case 'int':
      return (v) => typeof v === 'bigint';
    case 'double':
      return (v) => typeof v === 'number';
    case 'string':
      return (v) => typeof v === 'string';
    case 'bool':
      return (v) => typeof v === 'boolean';
    case 'null':
      return (v) => v === null;
    case 'list':
      return Array.isArray;
    case 'map':
      return (v) => typeof v === 'object' && v !== null && isPlainMap(v);
    default:
      return undefined;
  }
}

function guarded(guard: Guard, v: unknown): unknown {
  if (guard(v) || v instanceof CelRuntimeError) return v;
  throw CEL_DEOPT;
}

function compileIndex(target: RawNode, index: RawNode, sc: Scope): Fn | undefined {
  if (
    target.op === 'id' &&
    target.args === 'matched' &&
    !sc.vars.has('matched') &&
    index.op === 'value' &&
    typeof index.args === 'string'
  ) {
    return compileSelect(target, index.args, sc);
  }
  const t = compileNode(target, sc);
  const i = compileNode(index, sc);
  if (t === undefined || i === undefined) return undefined;
  const guard = elementGuard(target.checkedType, 'value');
  if (guard === undefined) return undefined;
  if (guard === null) return (e, f) => indexValue(t(e, f), i(e, f));
  return (e, f) => guarded(guard, indexValue(t(e, f), i(e, f)));
}

function compileLogical(isAnd: boolean, left: RawNode, right: RawNode, sc: Scope): Fn | undefined {
  const l = compileNode(left, sc);
  const r = compileNode(right, sc);
  if (l === undefined || r === undefined) return undefined;
  // CEL's commutative && and ||: an error (or non-bool) on one side is absorbed when the other
  // side decides the result.
  const decisive = !isAnd;
  return (e, f) => {
    const lv = l(e, f);
    if (lv === decisive) return decisive;
    const rv = r(e, f);
    if (lv === !decisive) {
      if (typeof rv === 'boolean' || rv instanceof CelRuntimeError) return rv;
      return celError('Logical operator requires bool operands');
    }
    if (rv === decisive) return decisive;
    if (lv instanceof CelRuntimeError) return lv;
    if (rv instanceof CelRuntimeError) return rv;
    return celError('Logical operator requires bool operands');
  };
}

function compileTernary(cond: RawNode, a: RawNode, b: RawNode, sc: Scope): Fn | undefined {
  const c = compileNode(cond, sc);
  const x = compileNode(a, sc);
  const y = compileNode(b, sc);
  if (c === undefined || x === undefined || y === undefined) return undefined;
  return (e, f) => {
    const v = c(e, f);
    if (v === true) return x(e, f);
    if (v === false) return y(e, f);
    if (v instanceof CelRuntimeError) return v;
    return celError('Ternary condition must be bool');
  };
}

function compileBinary(op: string, left: RawNode, right: RawNode, sc: Scope): Fn | undefined {
  const l = compileNode(left, sc);
  const r = compileNode(right, sc);
  if (l === undefined || r === undefined) return undefined;
  const special = compileWithLiteral(op, l, left, right);
  if (special !== undefined) return special;
  switch (op) {
    case '==':
      return (e, f) => celEquals(l(e, f), r(e, f));
    case '!=':
      return (e, f) => celNotEquals(l(e, f), r(e, f));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (e, f) => compareValues(op, l(e, f), r(e, f));
    case '+':
      return (e, f) => addValues(l(e, f), r(e, f));
    case '-':
      return (e, f) => subtractValues(l(e, f), r(e, f));
    case '*':
      return (e, f) => multiplyValues(l(e, f), r(e, f));
    case '/':
      return (e, f) => divideValues(l(e, f), r(e, f));
    case '%':
      return (e, f) => moduloValues(l(e, f), r(e, f));
    case 'in':
      return (e, f) => inValues(l(e, f), r(e, f));
    default:
      return undefined;
  }
}

/**
 * The common shapes `x == "lit"`, `x > 500.0`, `x in ["a", "b"]` with the literal on the right:
 * the same results as the general operations, with the literal's type known in advance.
 */
function compileWithLiteral(op: string, l: Fn, left: RawNode, right: RawNode): Fn | undefined {
  if (right.op === 'list' && op === 'in') {
    const strings = constantStrings(right);
    if (strings === undefined) return undefined;
    // Only strings in the list: anything but a string equals none of them.
    return (e, f) => {
      const a = l(e, f);
      if (typeof a === 'string') return strings.has(a);
      return a instanceof CelRuntimeError ? a : false;
    };
  }
  if (right.op !== 'value' || left.op === 'value') return undefined;
  const lit: unknown = right.args;
  if (op === '==' || op === '!=') {
    const eq = op === '==';
    switch (typeof lit) {
      case 'string':
      case 'boolean':
        // Equal only to the same string / bool; unequal to everything else.
        return (e, f) => {
          const a = l(e, f);
          if (a === lit) return eq;
          return a instanceof CelRuntimeError ? a : !eq;
        };
      case 'number':
        return (e, f) => {
          const a = l(e, f);
          if (typeof a === 'number') return (a === lit) === eq;
          // biome-ignore lint/suspicious/noDoubleEquals: int == double compares values, as in cel-js
          if (typeof a === 'bigint') return ((a as any) == lit) === eq;
          return a instanceof CelRuntimeError ? a : !eq;
        };
      default:
        return undefined;
    }
  }
  if (typeof lit !== 'number' && typeof lit !== 'bigint') return undefined;
  const n = lit as number;
  switch (op) {
    case '<':
      return (e, f) => {
        const a = l(e, f);
        if (typeof a === 'number' || typeof a === 'bigint') return a < n;
        return noOverload(a);
      };
    case '<=':
      return (e, f) => {
        const a = l(e, f);
        if (typeof a === 'number' || typeof a === 'bigint') return a <= n;
        return noOverload(a);
      };
    case '>':
      return (e, f) => {
        const a = l(e, f);
        if (typeof a === 'number' || typeof a === 'bigint') return a > n;
        return noOverload(a);
      };
    case '>=':
      return (e, f) => {
        const a = l(e, f);
        if (typeof a === 'number' || typeof a === 'bigint') return a >= n;
        return noOverload(a);
      };
    default:
      return undefined;
  }
}

/** The strings of a list literal made only of string literals. */
function constantStrings(list: RawNode): ReadonlySet<string> | undefined {
  const elements = list.args as RawNode[];
  if (elements.length === 0) return undefined;
  const out = new Set<string>();
  for (const e of elements) {
    if (e.op !== 'value' || typeof e.args !== 'string') return undefined;
    out.add(e.args);
  }
  return out;
}

function compileAll(nodes: readonly RawNode[], sc: Scope): Fn[] | undefined {
  const out: Fn[] = [];
  for (const n of nodes) {
    const c = compileNode(n, sc);
    if (c === undefined) return undefined;
    out.push(c);
  }
  return out;
}

function compileList(elements: RawNode[], sc: Scope): Fn | undefined {
  const xs = compileAll(elements, sc);
  if (xs === undefined) return undefined;
  const n = xs.length;
  return (e, f) => {
    const out = new Array<unknown>(n);
    // cel-js evaluates list elements last to first.
    for (let i = n - 1; i >= 0; i--) {
      const v = xs[i]!(e, f);
      if (v instanceof CelRuntimeError) return v;
      out[i] = v;
    }
    return out;
  };
}

const UNSAFE_MAP_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function compileMap(entries: [RawNode, RawNode][], sc: Scope): Fn | undefined {
  const keys: string[] = [];
  for (const [k] of entries) {
    if (k.op !== 'value' || typeof k.args !== 'string' || UNSAFE_MAP_KEYS.has(k.args)) return undefined;
    keys.push(k.args);
  }
  const values = compileAll(
    entries.map((e) => e[1]),
    sc,
  );
  if (values === undefined) return undefined;
  return (e, f) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = values[i]!(e, f);
      if (v instanceof CelRuntimeError) return v;
      out[keys[i]!] = v;
    }
    return out;
  };
}

function compileCall(
  name: string,
  receiver: RawNode | undefined,
  args: RawNode[],
  sc: Scope,
): Fn | undefined {
  const xs = compileAll(receiver === undefined ? args : [receiver, ...args], sc);
  if (xs === undefined) return undefined;
  const [a, b] = xs;
  if (receiver !== undefined) {
    if (name === 'size' && xs.length === 1) return (e, f) => sizeOf(a!(e, f));
    if (xs.length !== 2) return undefined;
    const method = STRING_METHODS[name];
    if (method === undefined) return undefined;
    return (e, f) => {
      const s = a!(e, f);
      const t = b!(e, f);
      if (typeof s === 'string' && typeof t === 'string') return method(s, t);
      return noOverload(s, t);
    };
  }
  if (xs.length !== 1) return undefined;
  const fn = FUNCTIONS[name];
  if (fn === undefined) return undefined;
  return (e, f) => fn(a!(e, f));
}

const STRING_METHODS: Readonly<Record<string, (s: string, t: string) => boolean>> = {
  __proto__: null as never,
  contains: (s, t) => {
    chargeSteps(s.length >>> 3); // a scan: 0.2 a character in the estimate, counted 0.125
    return s.includes(t);
  },
  startsWith: (s, t) => s.startsWith(t),
  endsWith: (s, t) => s.endsWith(t),
};

const FUNCTIONS: Readonly<Record<string, (x: unknown) => unknown>> = {
  __proto__: null as never,
  size: sizeOf,
  dyn: (x) => x,
  int: (x) => {
    if (typeof x === 'bigint') return x;
    if (typeof x === 'number') {
      if (Number.isFinite(x)) return BigInt(Math.trunc(x));
      return celError('int() type error: integer overflow');
    }
    return errorOrDeopt(x);
  },
  double: (x) => {
    if (typeof x === 'number') return x;
    if (typeof x === 'bigint') return Number(x);
    return errorOrDeopt(x);
  },
  string: (x) => {
    switch (typeof x) {
      case 'string':
        return x;
      case 'boolean':
      case 'bigint':
        return `${x}`;
      case 'number':
        return x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : `${x}`;
      default:
        return errorOrDeopt(x);
    }
  },
  // The rule environment's list helpers (cel-environment.ts), computed the same way.
  sum: (l) => {
    const xs = listNumbers(l, 'sum');
    return xs instanceof CelRuntimeError ? xs : xs.reduce((a, b) => a + b, 0);
  },
  avg: (l) => {
    const xs = nonEmpty(listNumbers(l, 'avg'), 'avg');
    return xs instanceof CelRuntimeError ? xs : xs.reduce((a, b) => a + b, 0) / xs.length;
  },
  min: (l) => {
    const xs = nonEmpty(listNumbers(l, 'min'), 'min');
    return xs instanceof CelRuntimeError ? xs : Math.min(...xs);
  },
  max: (l) => {
    const xs = nonEmpty(listNumbers(l, 'max'), 'max');
    return xs instanceof CelRuntimeError ? xs : Math.max(...xs);
  },
};

function errorOrDeopt(x: unknown): CelRuntimeError {
  if (x instanceof CelRuntimeError) return x;
  throw CEL_DEOPT;
}

function nonEmpty(xs: number[] | CelRuntimeError, fn: string): number[] | CelRuntimeError {
  if (!(xs instanceof CelRuntimeError) && xs.length === 0) return celError(`${fn}() of an empty list`);
  return xs;
}

/** `has(a.b.c)`: whether the last select finds a key; a missing key before it is an error. */
function compileHas(args: RawNode[], sc: Scope): Fn | undefined {
  if (args.length !== 1) return undefined;
  let node = args[0]!;
  const fields: string[] = [];
  while (node.op === '.') {
    fields.push(node.args[1] as string);
    node = node.args[0] as RawNode;
  }
  if (fields.length === 0 || node.op !== 'id') return undefined;
  const root = compileId(node.args as string, sc);
  if (root === undefined) return undefined;
  fields.reverse(); // outermost select last
  return (e, f) => {
    let obj: unknown = root(e, f);
    for (let i = 0; i < fields.length; i++) {
      const key = fields[i]!;
      let v: unknown;
      if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) {
        if (!isMapObject(obj)) throw CEL_DEOPT;
        v = Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
        if (v !== undefined) checkValue(v);
      } else if (typeof obj === 'function' || typeof obj === 'symbol' || obj === undefined) {
        throw CEL_DEOPT;
      }
      if (v === undefined) {
        if (i === fields.length - 1) return false;
        return celError(`No such key: ${key}`);
      }
      obj = v;
    }
    return true;
  };
}

function compileComprehension(c: ComprehensionArgs, sc: Scope): Fn | undefined {
  const iterable = compileNode(c.iterable, sc);
  if (iterable === undefined) return undefined;
  // The variable is checked against the static element type (list element, map key).
  const guard = elementGuard(c.iterable.checkedType, 'key');
  if (guard === undefined) return undefined;
  const item = guard === null ? checkValue : (v: unknown) => guarded(guard, checkValue(v));
  const iterSlot = sc.slotCount.n++;
  const accuSlot = sc.slotCount.n++;
  const vars = new Map(sc.vars).set(c.iterVarName, iterSlot);
  const inner: Scope = { vars, accu: accuSlot, options: sc.options, slotCount: sc.slotCount };
  const init = compileNode(c.init, inner);
  const step = compileNode(c.step, inner);
  if (init === undefined || step === undefined) return undefined;
  const condition = c.condition;
  const result = c.result;
  const maxSteps = sc.slotCount.maxSteps;
  const steps = EVALUATION_STEPS;
  if (c.errorsAreFatal) {
    // map, filter, exists_one: the first error is the result.
    return (e, f) => {
      const items = comprehensionRange(iterable(e, f));
      if (items instanceof CelRuntimeError) return items;
      let accu = init(e, f);
      f.slots[accuSlot] = accu;
      for (let i = 0; i < items.length; i++) {
        if (condition !== undefined && !condition(accu)) break;
        if (++steps.n > maxSteps) throw CEL_BUDGET_EXCEEDED;
        f.slots[iterSlot] = item(items[i]);
        accu = step(e, f);
        if (accu instanceof CelRuntimeError) return accu;
      }
      return result(accu);
    };
  }
  if (condition === undefined) return undefined;
  // all / exists: an error on one element is the result only if no other element decides.
  return (e, f) => {
    const items = comprehensionRange(iterable(e, f));
    if (items instanceof CelRuntimeError) return items;
    let accu = init(e, f);
    f.slots[accuSlot] = accu;
    let error: CelRuntimeError | undefined;
    for (let i = 0; i < items.length; i++) {
      if (!condition(accu)) return result(accu);
      if (++steps.n > maxSteps) throw CEL_BUDGET_EXCEEDED;
      f.slots[iterSlot] = item(items[i]);
      const stp = step(e, f);
      if (stp instanceof CelRuntimeError) error ??= stp;
      else accu = stp;
    }
    if (error !== undefined && condition(accu)) return error;
    return result(accu);
  };
}
