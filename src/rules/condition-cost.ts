import type { ASTNode } from '@marcbachmann/cel-js';
import { RULE_CEL } from './cel-environment.js';
import { isGroupSpec, type PatternRule, type QuantifierSpec } from './rule.js';
import { RULE_LIMITS } from './rule-limits.js';

/**
 * The cost factors of {@link estimateConditionCost}, in *cost units*. One unit is one AST node
 * evaluated by cel-js (about 20 ns warm, 60 ns cold, on the 2-core CI machine); the per-character
 * and per-element factors were measured against it (cel-js 8, Node 20, 64 KiB strings and 32 Ki
 * element lists):
 *
 * | factor | value | measured |
 * | --- | --- | --- |
 * | `node` | 1 | `e.l.exists(x, x < 0)`: 57 ns per iteration of a 3-node body |
 * | `scanPerChar` | 0.2 | `size(s)` (code points) 4.3 ns/char, `contains` 3.4 ns/char |
 * | `comparePerChar` | 0.01 | `==`, `<` on strings: 0.05 ns/char; lists: 2.8 ns/element (0.1 unit per 2 JSON chars) |
 * | `scanPerElement` | 0.25 | `x in list`: 4.5 ns/element |
 * | `copyPerElement` | 1 | `list + list`, `sum(list)`, copying a `matched` list: ~20 ns/element |
 *
 * Modelled on cel-go's `checker.CostEstimator` (constants cost 0, identifiers and selections 1,
 * string functions proportional to the string size, a comprehension costs its range plus range
 * size x its body), calibrated to cel-js rather than cel-go's `StringTraversalCostFactor` (0.1).
 *
 * @example
 * ```ts
 * CONDITION_COST_FACTORS.scanPerChar * RULE_LIMITS.maxEventChars; // 13107: one contains() on an event string
 * ```
 */
export const CONDITION_COST_FACTORS = Object.freeze({
  node: 1,
  scanPerChar: 0.2,
  comparePerChar: 0.01,
  scanPerElement: 0.25,
  copyPerElement: 1,
});

/**
 * Bounds of a value: `n` elements (lists, maps) and `c` characters of its JSON text (strings, and
 * everything else through the JSON text they came from). `elem` bounds the elements when known
 * better than "at most the whole value"; `list` marks values known to be lists or maps (`size()`
 * is O(1) on them, O(n) on strings).
 */
interface Size {
  readonly n: number;
  readonly c: number;
  readonly elem?: Size;
  readonly list?: boolean;
}

const SCALAR: Size = { n: 0, c: 24 };

/** Any value read from an event: bounded by the event's JSON text. */
const EVENT_VALUE: Size = { n: RULE_LIMITS.maxEventListElements, c: RULE_LIMITS.maxEventChars };

/**
 * Options of {@link estimateConditionCost}.
 *
 * @example
 * ```ts
 * estimateConditionCost('matched.fail.exists(f, f.ip == e.ip)', { stageBounds: new Map([['fail', 5]]) });
 * ```
 */
export interface ConditionCostOptions {
  /**
   * Stage name -> most events `matched.<stage>` can hold ({@link stageEventBounds}); a stage not
   * listed is assumed to hold {@link RULE_LIMITS}.maxMatchedEventsPerStage.
   */
  readonly stageBounds?: ReadonlyMap<string, number>;
}

/**
 * What {@link estimateConditionCost} found: the estimated cost of one evaluation in cost units
 * (see {@link CONDITION_COST_FACTORS}) and the `matched` stages whose size it had to assume
 * (looping stages: the engine does not cap them).
 *
 * @example
 * ```ts
 * const { cost, assumedStages } = estimateConditionCost('size(matched.fail) > 2', {});
 * ```
 */
export interface ConditionCost {
  readonly cost: number;
  readonly assumedStages: readonly string[];
}

/**
 * A static upper bound of the work one evaluation of a CEL condition can do, from its parsed AST
 * (`RULE_CEL.parse(source).ast`), whatever the event: every node costs 1; a comprehension
 * (`all`, `exists`, `exists_one`, `map`, `filter`) costs its range, plus the range size times its
 * body, so nested comprehensions multiply; string functions, comparisons, `in`, concatenations and
 * aggregates cost in proportion to the sizes of their operands. Sizes are bounded by where a
 * value comes from: a literal by itself, a value read from the event by the event limits
 * ({@link RULE_LIMITS}.maxEventChars, .maxEventListElements), `matched.<stage>` by the stage's
 * quantifier ({@link stageEventBounds}) or {@link RULE_LIMITS}.maxMatchedEventsPerStage.
 * Throws what `RULE_CEL.parse` throws on an invalid source.
 *
 * Known under-estimate: cel-js compares maps entry by entry (~15 units per entry), charged here as
 * strings of the same JSON size; a condition comparing two event maps can cost ~100x its estimate.
 *
 * @example
 * ```ts
 * estimateConditionCost('e.type == "login"').cost;                       // 3
 * estimateConditionCost('[1, 2, 3].exists(a, [1, 2].exists(b, a == b))').cost; // 3 x 2 iterations
 * ```
 */
export function estimateConditionCost(source: string, options: ConditionCostOptions = {}): ConditionCost {
  return estimateAstCost((RULE_CEL.parse(source) as unknown as { ast: ASTNode }).ast, options);
}

/**
 * {@link estimateConditionCost} of an already parsed condition.
 *
 * @example
 * ```ts
 * estimateAstCost((RULE_CEL.parse(src) as unknown as { ast: ASTNode }).ast, {}).cost;
 * ```
 */
export function estimateAstCost(ast: ASTNode, options: ConditionCostOptions = {}): ConditionCost {
  const estimator = new Estimator(options.stageBounds ?? new Map());
  const { cost } = estimator.visit(ast, new Map());
  // Each evaluation copies the lists of the stages it reads (compile-condition.ts).
  let copies = 0;
  for (const stage of estimator.stagesRead)
    copies += estimator.stageBound(stage) * CONDITION_COST_FACTORS.copyPerElement;
  return { cost: cost + copies, assumedStages: [...estimator.assumedStages] };
}

/**
 * The message refusing a condition whose {@link estimateConditionCost} exceeds
 * {@link RULE_LIMITS}.maxConditionCost, or a warning when it exceeds
 * {@link RULE_LIMITS}.conditionCostWarning or relies on an assumed `matched` size; neither when
 * the condition is cheap. The source must be a valid condition (`compileCondition` accepted it).
 *
 * @example
 * ```ts
 * const r = checkConditionCost(source, { stageBounds });
 * if (r.error !== undefined) errors.push({ path, message: r.error });
 * ```
 */
export function checkConditionCost(
  source: string,
  options: ConditionCostOptions = {},
): { readonly cost: number; readonly error?: string; readonly warning?: string } {
  let estimate: ConditionCost;
  try {
    estimate = estimateConditionCost(source, options);
  } catch {
    return { cost: 0 }; // not valid CEL: compileCondition reports it
  }
  const { cost, assumedStages } = estimate;
  if (!(cost <= RULE_LIMITS.maxConditionCost)) {
    return {
      cost,
      error:
        `too expensive: estimated cost ${formatCost(cost)} exceeds the limit of ${formatCost(RULE_LIMITS.maxConditionCost)} ` +
        '(a comprehension costs its list size times its body, so nested ones multiply; event lists count as ' +
        `${RULE_LIMITS.maxEventListElements} elements, event strings as ${RULE_LIMITS.maxEventChars} characters)`,
    };
  }
  const notes: string[] = [];
  if (cost > RULE_LIMITS.conditionCostWarning) {
    notes.push(`estimated cost ${formatCost(cost)} (limit ${formatCost(RULE_LIMITS.maxConditionCost)})`);
  }
  if (assumedStages.length > 0) {
    notes.push(
      `the estimate assumes at most ${RULE_LIMITS.maxMatchedEventsPerStage} events in ` +
        `${assumedStages.map((s) => `matched.${s}`).join(', ')} (a looping stage; the engine does not cap it)`,
    );
  }
  return notes.length > 0 ? { cost, warning: notes.join('; ') } : { cost };
}

/**
 * Most events each stage of a pattern rule can hold in one partial match (`matched.<stage>`):
 * 1 for a single event, `to` (or `from`) for `times`, times the count of an enclosing group.
 * Stages that loop without bound (`oneOrMore`, `timesOrMore`, or in such a group) are left out:
 * the engine does not cap them, and {@link estimateConditionCost} assumes
 * {@link RULE_LIMITS}.maxMatchedEventsPerStage for them.
 *
 * @example
 * ```ts
 * stageEventBounds(rule); // Map { 'login' => 1, 'retries' => 5 }
 * ```
 */
export function stageEventBounds(rule: PatternRule): Map<string, number> {
  const bounds = new Map<string, number>();
  for (const s of rule.stages) {
    if (isGroupSpec(s)) {
      const outer = quantifierMax(s.quantifier);
      for (const inner of s.group) {
        const b = outer * quantifierMax(inner.quantifier);
        if (Number.isFinite(b)) bounds.set(inner.name, b);
      }
    } else {
      const b = quantifierMax(s.quantifier);
      if (Number.isFinite(b)) bounds.set(s.name, b);
    }
  }
  return bounds;
}

function quantifierMax(q: QuantifierSpec | undefined): number {
  if (q === undefined || q.type === 'one') return 1;
  if (q.type === 'times') return q.to ?? q.from ?? 1;
  return Number.POSITIVE_INFINITY;
}

/** `1234567` as is, `1.2e+9` above a billion. @example `formatCost(1.5e10) // '1.5e+10'` */
function formatCost(cost: number): string {
  return cost < 1e9 ? String(Math.ceil(cost)) : cost.toPrecision(2);
}

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const ARITHMETIC = new Set(['-', '*', '/', '%', '&&', '||', '!_', '-_']);
const AGGREGATES = new Set(['sum', 'avg', 'min', 'max']);
const SCANS = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'indexOf',
  'lastIndexOf',
  'lowerAscii',
  'upperAscii',
  'trim',
]);
const CONVERSIONS = new Set(['int', 'uint', 'double', 'bool', 'dyn', 'type', 'timestamp', 'duration']);

type Scope = ReadonlyMap<string, Size>;

class Estimator {
  readonly stagesRead = new Set<string>();
  readonly assumedStages = new Set<string>();
  private allStages = false;

  constructor(private readonly bounds: ReadonlyMap<string, number>) {}

  stageBound(stage: string): number {
    const b = this.bounds.get(stage);
    if (b !== undefined) return b;
    this.assumedStages.add(stage);
    return RULE_LIMITS.maxMatchedEventsPerStage;
  }

  /** The cost of evaluating `node` once, and the size of its value. */
  visit(node: ASTNode, scope: Scope): { cost: number; size: Size } {
    const F = CONDITION_COST_FACTORS;
    const a = node.args as any;
    switch (node.op) {
      case 'value':
        return { cost: 0, size: literalSize(a) };
      case 'id':
        if (scope.has(a)) return { cost: F.node, size: scope.get(a)! };
        if (a === 'matched') return { cost: F.node, size: this.wholeMatched() };
        return { cost: F.node, size: a === 'e' ? EVENT_VALUE : SCALAR };
      case '.':
      case '.?': {
        const [target, field] = a as [ASTNode, string];
        if (target.op === 'id' && target.args === 'matched' && !scope.has('matched')) {
          return { cost: 2 * F.node, size: this.matchedList(field) };
        }
        const t = this.visit(target, scope);
        return { cost: F.node + t.cost, size: elemOf(t.size) };
      }
      case '[]':
      case '[?]': {
        const [target, index] = a as [ASTNode, ASTNode];
        const i = this.visit(index, scope);
        if (
          target.op === 'id' &&
          target.args === 'matched' &&
          !scope.has('matched') &&
          index.op === 'value' &&
          typeof index.args === 'string'
        ) {
          return { cost: 2 * F.node, size: this.matchedList(index.args) };
        }
        const t = this.visit(target, scope);
        return { cost: F.node + t.cost + i.cost, size: elemOf(t.size) };
      }
      case 'list': {
        const items = (a as ASTNode[]).map((x) => this.visit(x, scope));
        return {
          cost: F.node + items.length * F.copyPerElement + sum(items.map((x) => x.cost)),
          size: {
            n: items.length,
            c: 2 + sum(items.map((x) => x.size.c + 1)),
            elem: items.map((x) => x.size).reduce(union, { n: 0, c: 0 }),
            list: true,
          },
        };
      }
      case 'map': {
        const entries = (a as [ASTNode, ASTNode][]).map(([k, v]) => [
          this.visit(k, scope),
          this.visit(v, scope),
        ]);
        const parts = entries.flat();
        return {
          cost: F.node + 2 * entries.length * F.copyPerElement + sum(parts.map((x) => x.cost)),
          size: {
            n: entries.length,
            c: 2 + sum(parts.map((x) => x.size.c + 1)),
            elem: parts.map((x) => x.size).reduce(union, { n: 0, c: 0 }),
            list: true,
          },
        };
      }
      case '?:': {
        const [cond, then, otherwise] = (a as ASTNode[]).map((x) => this.visit(x, scope)) as [
          Cost,
          Cost,
          Cost,
        ];
        return {
          cost: F.node + cond.cost + Math.max(then.cost, otherwise.cost),
          size: union(then.size, otherwise.size),
        };
      }
      case '+': {
        const [l, r] = (a as ASTNode[]).map((x) => this.visit(x, scope)) as [Cost, Cost];
        return {
          cost: F.node + l.cost + r.cost + (l.size.n + r.size.n) * F.copyPerElement,
          size: {
            n: l.size.n + r.size.n,
            c: l.size.c + r.size.c,
            elem: l.size.elem && r.size.elem ? union(l.size.elem, r.size.elem) : undefined,
            list: l.size.list === true && r.size.list === true,
          },
        };
      }
      case 'in': {
        const [l, r] = (a as ASTNode[]).map((x) => this.visit(x, scope)) as [Cost, Cost];
        return {
          cost:
            F.node +
            l.cost +
            r.cost +
            r.size.n * F.scanPerElement +
            Math.min(l.size.c, r.size.c) * F.comparePerChar,
          size: SCALAR,
        };
      }
      case 'call':
      case 'rcall':
        return this.call(node, scope);
      default: {
        if (COMPARISONS.has(node.op)) {
          const [l, r] = (a as ASTNode[]).map((x) => this.visit(x, scope)) as [Cost, Cost];
          return {
            cost: F.node + l.cost + r.cost + Math.min(l.size.c, r.size.c) * F.comparePerChar,
            size: SCALAR,
          };
        }
        // Arithmetic, logic and anything unforeseen: the node plus its operands, a value as large
        // as an event's (conservative).
        let cost = F.node;
        for (const child of childrenOf(node)) cost += this.visit(child, scope).cost;
        return { cost, size: ARITHMETIC.has(node.op) ? SCALAR : EVENT_VALUE };
      }
    }
  }

  private call(node: ASTNode, scope: Scope): Cost {
    const F = CONDITION_COST_FACTORS;
    const receiverCall = node.op === 'rcall';
    const name = (node.args as any)[0] as string;
    const receiver = receiverCall ? ((node.args as any)[1] as ASTNode) : undefined;
    const args = ((receiverCall ? (node.args as any)[2] : (node.args as any)[1]) ?? []) as ASTNode[];
    if (
      receiver !== undefined &&
      COMPREHENSIONS.has(name) &&
      args.length >= 2 &&
      args.length <= 3 &&
      args[0]!.op === 'id'
    ) {
      return this.comprehension(name, receiver, args[0]!.args as string, args.slice(1), scope);
    }
    if (name === 'has' && !receiverCall) {
      // has(x.f) tests a field: the selection's cost, without reading the value.
      return { cost: F.node + sum(args.map((x) => this.visit(x, scope).cost)), size: SCALAR };
    }
    const target = receiver === undefined ? undefined : this.visit(receiver, scope);
    const argCosts = args.map((x) => this.visit(x, scope));
    const operands = target === undefined ? argCosts : [target, ...argCosts];
    const base = F.node + sum(operands.map((x) => x.cost));
    const first = operands[0]?.size ?? SCALAR;
    if (name === 'size') {
      return { cost: base + (first.list === true ? 0 : first.c * F.scanPerChar), size: SCALAR };
    }
    if (AGGREGATES.has(name)) return { cost: base + first.n * F.copyPerElement, size: SCALAR };
    if (CONVERSIONS.has(name))
      return { cost: base + first.c * F.comparePerChar, size: first.list ? first : SCALAR };
    if (SCANS.has(name)) {
      const chars = sum(operands.map((x) => x.size.c));
      const out = name.endsWith('Ascii') || name === 'trim' ? { n: 0, c: first.c } : SCALAR;
      return { cost: base + chars * F.scanPerChar, size: out };
    }
    if (name === 'join') {
      const sep = argCosts[0]?.size.c ?? 0;
      return {
        cost: base + (first.c + first.n * sep) * F.scanPerChar,
        size: { n: 0, c: first.c + first.n * sep },
      };
    }
    // string(), bytes(), split(), substring(), json(), ...: linear in their operands' sizes, a
    // result no larger than them (split: one element per character at most).
    const chars = sum(operands.map((x) => x.size.c));
    const elements = sum(operands.map((x) => x.size.n));
    return {
      cost: base + chars * F.scanPerChar + elements * F.copyPerElement,
      size: { n: elements + chars, c: chars },
    };
  }

  private comprehension(name: string, range: ASTNode, variable: string, body: ASTNode[], scope: Scope): Cost {
    const F = CONDITION_COST_FACTORS;
    const r = this.visit(range, scope);
    const inner = new Map(scope);
    inner.set(variable, elemOf(r.size));
    const parts = body.map((x) => this.visit(x, inner));
    const iterations = r.size.n;
    const cost = r.cost + F.node + iterations * (F.node + sum(parts.map((x) => x.cost)));
    if (name === 'map') {
      const out = parts[parts.length - 1]!.size;
      return { cost, size: { n: iterations, c: 2 + iterations * (out.c + 1), elem: out, list: true } };
    }
    if (name === 'filter') return { cost, size: { ...r.size, list: true } };
    return { cost, size: SCALAR };
  }

  private matchedList(stage: string): Size {
    this.stagesRead.add(stage);
    const n = this.stageBound(stage);
    return { n, c: n * (RULE_LIMITS.maxEventChars + 1) + 2, elem: EVENT_VALUE, list: true };
  }

  /** `matched` used as a map (not `matched.<stage>`): every stage is read. */
  private wholeMatched(): Size {
    if (!this.allStages) {
      this.allStages = true;
      for (const stage of this.bounds.keys()) this.stagesRead.add(stage);
    }
    const n = Math.max(RULE_LIMITS.maxMatchedEventsPerStage, ...this.bounds.values());
    const list: Size = { n, c: n * (RULE_LIMITS.maxEventChars + 1) + 2, elem: EVENT_VALUE, list: true };
    return { n: RULE_LIMITS.maxStages, c: RULE_LIMITS.maxStages * list.c, elem: list, list: true };
  }
}

type Cost = { cost: number; size: Size };

/** The elements (or fields) of a value: known, else no larger than the value itself. */
function elemOf(s: Size): Size {
  if (s.elem !== undefined) return s.elem;
  return { n: Math.min(s.n, Math.floor(s.c / 2)), c: s.c };
}

function union(a: Size, b: Size): Size {
  if (a === b) return a;
  return {
    n: Math.max(a.n, b.n),
    c: Math.max(a.c, b.c),
    elem: a.elem !== undefined && b.elem !== undefined ? union(a.elem, b.elem) : undefined,
    list: a.list === true && b.list === true,
  };
}

function literalSize(v: unknown): Size {
  if (typeof v === 'string') return { n: 0, c: v.length + 2 };
  if (v instanceof Uint8Array) return { n: 0, c: v.length };
  return SCALAR;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
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
