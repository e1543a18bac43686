import type { ASTNode } from '@marcbachmann/cel-js';
import { RULE_CEL } from './cel-environment.js';
import { compileCondition } from './compile-condition.js';
import { ConditionErrors } from './condition-errors.js';
import { readFieldPath } from './field-path.js';
import { BUILTIN_PLACEHOLDERS, placeholdersOf, THRESHOLD_PLACEHOLDERS } from './render-alert.js';
import {
  type AlertTemplate,
  type GroupSpec,
  isGroupSpec,
  type PatternRule,
  type QuantifierSpec,
  type Rule,
  type StageSpec,
  type ThresholdRule,
} from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';
import type { RuleError } from './rule-schema.js';

/**
 * Options of {@link ruleWarnings}.
 *
 * @example
 * ```ts
 * ruleWarnings(rule, { exampleEvents: [{ type: 'payout', amount: '12.50', ts: 1 }] });
 * ```
 */
export interface RuleWarningOptions {
  /**
   * Sample events (a dry run's): when given, placeholders and `fields` are checked against the
   * fields these events have, and a threshold's `field` against the types they carry. Anything
   * that is not a JSON object is ignored.
   */
  readonly exampleEvents?: readonly unknown[];
  /** The event field holding the timestamp, default `'ts'`. */
  readonly timestampField?: string;
}

/**
 * What a valid rule may do wrong without being invalid: warnings (never errors), each with the
 * JSON Pointer of what it is about.
 *
 * - **Templates** (`/alert/message`, `/timeoutAlert/message`): a placeholder that names no stage,
 *   no built-in and no field the rule reads (its key, its conditions, `field`, `fields`) renders
 *   empty unless the event has such a field, so it is likely a typo (`{{payot.amount}}`); with
 *   example events, a placeholder whose field no example event has.
 * - **Fields** (`/alert/fields/i`): an entry starting with a stage name (`fields` are event paths,
 *   not stage-qualified); with example events, an entry no example event has.
 * - **Combinatorial patterns**: a loop (`oneOrMore`, `timesOrMore`, `times` with a range) whose
 *   condition takes every event (none, always true, or no conjunct reading the event);
 *   `allowCombinations`; `followedByAny` after a loop; consecutive loops whose conditions overlap
 *   joined by `followedByAny` or with `allowCombinations`.
 * - **Threshold values** (`/field`, with example events): example events passing the filter that
 *   carry the aggregated field as something else than a number (they are skipped, counted as
 *   condition errors).
 *
 * @example
 * ```ts
 * ruleWarnings({ ...rule, alert: { severity: 'low', message: '{{payot.amount}}' } });
 * // [{ path: '/alert/message', message: 'placeholder {{payot.amount}} names no stage, …' }]
 * ```
 */
export function ruleWarnings(rule: Rule, options: RuleWarningOptions = {}): RuleError[] {
  const examples = options.exampleEvents?.filter(isObject);
  const context = new WarningContext(rule, options.timestampField ?? DEFAULT_TIMESTAMP_FIELD, examples);
  const out: RuleError[] = [];
  templateWarnings(context, rule.alert, '/alert', out);
  if (rule.kind === 'pattern') {
    if (rule.timeoutAlert !== undefined) templateWarnings(context, rule.timeoutAlert, '/timeoutAlert', out);
    patternWarnings(rule, out);
  } else if (examples !== undefined) {
    thresholdFieldWarning(rule, examples, out);
  }
  return out;
}

function isObject(v: unknown): v is RuleEvent {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What placeholders and fields of a rule may name. */
class WarningContext {
  readonly stages: readonly string[];
  /** Field heads the rule reads (key, conditions, `field`, `fields`, the timestamp, `type`, `id`). */
  readonly knownFields = new Set<string>();

  constructor(
    readonly rule: Rule,
    timestampField: string,
    readonly examples: readonly RuleEvent[] | undefined,
  ) {
    this.stages = rule.kind === 'pattern' ? stageList(rule).map((s) => s.spec.name) : [];
    const heads = (paths: readonly string[] | undefined): void => {
      for (const p of paths ?? []) this.knownFields.add(headOf(p));
    };
    heads([timestampField, 'type', 'id', ...rule.key, ...(rule.alert.fields ?? [])]);
    if (rule.kind === 'threshold') {
      if (rule.field !== undefined) heads([rule.field]);
      if (rule.filter !== undefined) heads(eventFieldsOf(rule.filter));
    } else {
      heads(rule.timeoutAlert?.fields);
      for (const { spec } of stageList(rule)) {
        heads(eventFieldsOf(spec.condition));
        heads(eventFieldsOf(spec.until));
      }
    }
  }

  /** Whether some example event has `path` (when there are examples). */
  seen(path: string): boolean {
    return this.examples!.some((e) => readFieldPath(e, path) !== undefined);
  }

  /** A close stage name or built-in, for "did you mean". */
  suggestion(head: string): string | undefined {
    const names = [...this.stages, ...BUILTIN_PLACEHOLDERS];
    if (this.rule.kind === 'threshold') names.push(...THRESHOLD_PLACEHOLDERS);
    const limit = Math.max(1, Math.min(2, Math.floor(head.length / 3)));
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const n of names) {
      const d = editDistance(head.toLowerCase(), n.toLowerCase());
      if (d <= limit && d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return best;
  }
}

function templateWarnings(c: WarningContext, template: AlertTemplate, at: string, out: RuleError[]): void {
  const done = new Set<string>();
  for (const path of placeholdersOf(template.message)) {
    if (done.has(path)) continue;
    done.add(path);
    const message = placeholderProblem(c, path);
    if (message !== undefined) out.push({ path: `${at}/message`, message });
  }
  (template.fields ?? []).forEach((field, i) => {
    const message = fieldProblem(c, field);
    if (message !== undefined) out.push({ path: `${at}/fields/${i}`, message });
  });
}

function placeholderProblem(c: WarningContext, path: string): string | undefined {
  if (BUILTIN_PLACEHOLDERS.includes(path)) return undefined;
  if (c.rule.kind === 'threshold' && THRESHOLD_PLACEHOLDERS.includes(path)) return undefined;
  const head = headOf(path);
  if (c.stages.includes(head)) {
    if (path === head || c.examples === undefined) return undefined;
    const rest = path.slice(head.length + 1);
    if (c.seen(rest)) return undefined;
    return `placeholder {{${path}}}: no example event has a field "${rest}", so it renders empty for stage "${head}"`;
  }
  const builtins =
    c.rule.kind === 'threshold'
      ? [...BUILTIN_PLACEHOLDERS, ...THRESHOLD_PLACEHOLDERS]
      : [...BUILTIN_PLACEHOLDERS];
  const names = `names no ${c.rule.kind === 'pattern' ? 'stage, no ' : ''}built-in (${builtins.join(', ')})`;
  const hint = c.suggestion(head);
  const meant = hint === undefined ? '' : `; did you mean {{${hint}${path.slice(head.length)}}}?`;
  if (c.examples !== undefined) {
    if (c.seen(path)) return undefined;
    return `placeholder {{${path}}} ${names} and no example event has a field "${path}": it renders empty${meant}`;
  }
  if (c.knownFields.has(head)) return undefined;
  return `placeholder {{${path}}} ${names} and no field the rule reads (key, conditions, fields): it renders empty unless the event has a field "${path}"${meant}`;
}

function fieldProblem(c: WarningContext, field: string): string | undefined {
  const head = headOf(field);
  const staged = c.stages.includes(head) && field !== head;
  if (c.examples !== undefined && c.seen(field)) return undefined;
  if (staged) {
    return `"${field}" is read as an event field path ("${head}" is a stage name, but fields are not stage-qualified): use "${field.slice(head.length + 1)}" (copied from the latest event that has it) or {{${field}}} in the message`;
  }
  if (c.examples === undefined) return undefined;
  return `no example event has a field "${field}": the alert will not carry it`;
}

function thresholdFieldWarning(rule: ThresholdRule, examples: readonly RuleEvent[], out: RuleError[]): void {
  const field = rule.field;
  if (rule.aggregate === 'count' || field === undefined) return;
  let filter: ((e: RuleEvent) => boolean) | undefined;
  if (rule.filter !== undefined) {
    // A throwaway error counter: the filter's failures on samples are a dry run's business.
    const c = compileCondition(rule.filter, { ruleId: rule.id, errors: new ConditionErrors() });
    if (c.ok) filter = (e) => c.condition.test(e);
  }
  const wrong: number[] = [];
  let first: unknown;
  examples.forEach((e, i) => {
    const v = readFieldPath(e, field);
    if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) return;
    if (filter !== undefined && !filter(e)) return;
    if (wrong.length === 0) first = v;
    wrong.push(i);
  });
  if (wrong.length === 0) return;
  const kind = typeof first === 'string' ? 'a string' : first === null ? 'null' : `a ${typeof first}`;
  out.push({
    path: '/field',
    message: `${wrong.length} of the example events ${rule.filter === undefined ? '' : 'passing the filter '}carry "${field}" as something else than a number (the first ${kind}: ${JSON.stringify(first)?.slice(0, 40)}): ${rule.aggregate} skips such events and counts a condition error for each; send "${field}" as a JSON number`,
  });
}

// ---------------------------------------------------------------------------------------------
// Combinatorial patterns

/** A stage or group of a pattern, with what its conditions say. */
interface Unit {
  readonly path: string;
  readonly label: string;
  readonly spec: StageSpec | GroupSpec;
  readonly loops: boolean;
  readonly combinations: boolean;
  /** Why it takes every event, when it does. */
  readonly takesAll: string | undefined;
  /** Per event field path, the literals a conjunct pins it to (`e.type == "x"`), per member. */
  readonly pins: readonly Pins[];
}

type Pins = ReadonlyMap<string, ReadonlySet<string>>;

function patternWarnings(rule: PatternRule, out: RuleError[]): void {
  const top = rule.stages.map((s, i) => unitOf(s, `/stages/${i}`));
  sequenceWarnings(top, out);
  rule.stages.forEach((s, i) => {
    if (isGroupSpec(s))
      sequenceWarnings(
        s.group.map((g, j) => unitOf(g, `/stages/${i}/group/${j}`)),
        out,
      );
  });
}

function sequenceWarnings(units: readonly Unit[], out: RuleError[]): void {
  const covered = new Set<string>();
  // Consecutive loops over events both can take, joined so that every split is a match.
  for (let i = 0; i + 1 < units.length; i++) {
    const a = units[i]!;
    const b = units[i + 1]!;
    if (!a.loops || !b.loops || !overlap(a, b)) continue;
    const any = b.spec.contiguity === 'followedByAny';
    const combos = a.combinations || b.combinations;
    if (!any && !combos) continue;
    const how = combos
      ? 'with allowCombinations every subset is a match: up to 2^n matches for n events'
      : 'with followedByAny every split of the events between them is a match, and none is consumed: matches grow as a power of the events';
    out.push({ path: b.path, message: `${a.label} and ${b.label} loop over events both can take; ${how}` });
    if (any) covered.add(`${b.path}/contiguity`);
    if (a.combinations) covered.add(`${a.path}/inner`);
    if (b.combinations) covered.add(`${b.path}/inner`);
  }
  units.forEach((u, i) => {
    if (u.loops && u.takesAll !== undefined) {
      const q = u.spec.quantifier!;
      out.push({
        path:
          !isGroupSpec(u.spec) && u.spec.condition !== undefined
            ? `${u.path}/condition`
            : `${u.path}/quantifier`,
        message: `${u.label} loops (${quantifierText(q)}) and ${u.takesAll}, so it takes every event of its key: each event starts a partial match and extends every open one, up to n²/2 matches for n events; test a field of the event (e.g. e.type == "…")`,
      });
    }
    if (u.combinations && !covered.has(`${u.path}/inner`)) {
      out.push({
        path: `${u.path}/inner`,
        message: `${u.label} has inner allowCombinations: every subset of the events it can take is a match, up to 2^n matches for n events; use relaxed (the default) unless every combination is wanted`,
      });
    }
    const before = units[i - 1];
    if (
      before?.loops === true &&
      u.spec.contiguity === 'followedByAny' &&
      !covered.has(`${u.path}/contiguity`)
    ) {
      out.push({
        path: `${u.path}/contiguity`,
        message: `${u.label} follows the loop of ${before.label} with followedByAny: every event it can take completes each partial match the loop holds open, and none is consumed, so matches multiply (about n² for n events); use followedBy unless every pairing is wanted`,
      });
    }
  });
}

function unitOf(spec: StageSpec | GroupSpec, path: string): Unit {
  const q = spec.quantifier;
  const loops = isLoop(q);
  const repeats = loops || (q?.type === 'times' && (q.from ?? 1) > 1);
  const combinations = repeats && spec.inner === 'allowCombinations';
  if (isGroupSpec(spec)) {
    const members = spec.group.map((g) => conditionFacts(g.condition));
    const all = members.every((m) => m.takesAll !== undefined);
    return {
      path,
      label: `group ${path} (stages ${spec.group.map((g) => `"${g.name}"`).join(', ')})`,
      spec,
      loops,
      combinations,
      takesAll: all ? 'none of its stages tests the event' : undefined,
      pins: members.map((m) => m.pins),
    };
  }
  const facts = conditionFacts(spec.condition);
  return {
    path,
    label: `stage "${spec.name}"`,
    spec,
    loops,
    combinations,
    takesAll: facts.takesAll,
    pins: [facts.pins],
  };
}

function isLoop(q: QuantifierSpec | undefined): boolean {
  if (q === undefined) return false;
  if (q.type === 'oneOrMore' || q.type === 'timesOrMore') return true;
  return q.type === 'times' && q.to !== undefined && q.to > (q.from ?? 1);
}

function quantifierText(q: QuantifierSpec): string {
  if (q.type === 'times') return `times ${q.from}..${q.to}`;
  if (q.type === 'timesOrMore') return `timesOrMore ${q.from}`;
  return q.type;
}

/** Two units overlap unless a field is pinned to disjoint literals in every pair of members. */
function overlap(a: Unit, b: Unit): boolean {
  return a.pins.some((pa) => b.pins.some((pb) => !disjoint(pa, pb)));
}

function disjoint(a: Pins, b: Pins): boolean {
  for (const [field, values] of a) {
    const other = b.get(field);
    if (other !== undefined && ![...values].some((v) => other.has(v))) return true;
  }
  return false;
}

/**
 * What a condition says about the events it takes: whether it takes every event (and why), and
 * the literals its top-level conjuncts pin event fields to.
 */
function conditionFacts(source: string | undefined): { takesAll: string | undefined; pins: Pins } {
  if (source === undefined) return { takesAll: 'has no condition', pins: new Map() };
  let ast: ASTNode;
  try {
    ast = (RULE_CEL.parse(source) as unknown as { ast: ASTNode }).ast;
  } catch {
    return { takesAll: undefined, pins: new Map() };
  }
  if (alwaysTrue(ast)) return { takesAll: 'its condition is always true', pins: new Map() };
  const conjuncts = conjunctsOf(ast);
  const pins = new Map<string, Set<string>>();
  for (const c of conjuncts) {
    const pin = pinOf(c);
    if (pin === undefined) continue;
    const current = pins.get(pin.field);
    pins.set(
      pin.field,
      current === undefined ? pin.values : new Set([...current].filter((v) => pin.values.has(v))),
    );
  }
  const discriminating = conjuncts.some((c) => !alwaysTrue(c) && readsEvent(c));
  return {
    takesAll: discriminating
      ? undefined
      : 'its condition does not test the event (no conjunct reads a field of e)',
    pins,
  };
}

function conjunctsOf(node: ASTNode): ASTNode[] {
  if (node.op !== '&&') return [node];
  const [l, r] = node.args as [ASTNode, ASTNode];
  return [...conjunctsOf(l), ...conjunctsOf(r)];
}

/** Literal `true`, and `&&` / `||` / `!` of literals that fold to it. */
function alwaysTrue(node: ASTNode): boolean {
  return constantBool(node) === true;
}

function constantBool(node: ASTNode): boolean | undefined {
  const a = node.args as unknown;
  switch (node.op) {
    case 'value':
      return typeof a === 'boolean' ? a : undefined;
    case '&&': {
      const [l, r] = (a as [ASTNode, ASTNode]).map(constantBool);
      if (l === false || r === false) return false;
      return l === true && r === true ? true : undefined;
    }
    case '||': {
      const [l, r] = (a as [ASTNode, ASTNode]).map(constantBool);
      if (l === true || r === true) return true;
      return l === false && r === false ? false : undefined;
    }
    case '!_': {
      const v = constantBool(a as ASTNode);
      return v === undefined ? undefined : !v;
    }
    case '==':
    case '!=': {
      const [l, r] = a as [ASTNode, ASTNode];
      if (l.op !== 'value' || r.op !== 'value') return undefined;
      const same = literalKey(l.args) === literalKey(r.args);
      return node.op === '==' ? same : !same;
    }
    default:
      return undefined;
  }
}

function readsEvent(node: ASTNode): boolean {
  if (node.op === 'id') return node.args === 'e';
  return childrenOf(node).some(readsEvent);
}

/** `e.f == lit`, `lit == e.f`, `e.f in [lits]`: the field path and its allowed literals. */
function pinOf(node: ASTNode): { field: string; values: Set<string> } | undefined {
  const a = node.args as [ASTNode, ASTNode];
  if (node.op === '==') {
    const [l, r] = a;
    const field = eventPath(l) ?? eventPath(r);
    const literal = l.op === 'value' ? l : r.op === 'value' ? r : undefined;
    if (field === undefined || literal === undefined) return undefined;
    return { field, values: new Set([literalKey(literal.args)]) };
  }
  if (node.op === 'in') {
    const [l, r] = a;
    const field = eventPath(l);
    if (field === undefined || r.op !== 'list') return undefined;
    const items = r.args as unknown as ASTNode[];
    if (!items.every((x) => x.op === 'value')) return undefined;
    return { field, values: new Set(items.map((x) => literalKey(x.args))) };
  }
  return undefined;
}

/** `e.a.b` or `e["a"]["b"]` as `a.b`. */
function eventPath(node: ASTNode): string | undefined {
  const parts: string[] = [];
  let n = node;
  for (;;) {
    if (n.op === 'id') return n.args === 'e' && parts.length > 0 ? parts.reverse().join('.') : undefined;
    if (n.op === '.') {
      const [target, field] = n.args as [ASTNode, string];
      parts.push(field);
      n = target;
    } else if (n.op === '[]') {
      const [target, index] = n.args as [ASTNode, ASTNode];
      if (index.op !== 'value' || typeof index.args !== 'string') return undefined;
      parts.push(index.args);
      n = target;
    } else {
      return undefined;
    }
  }
}

/** Literals as comparable keys (CEL ints are bigints, JSON numbers doubles: `1 == 1.0`). */
function literalKey(v: unknown): string {
  if (typeof v === 'bigint' || typeof v === 'number') return `n:${Number(v)}`;
  if (typeof v === 'string') return `s:${v}`;
  return `${typeof v}:${String(v)}`;
}

/** The event field paths a condition reads (`e.amount`, `e["ip"]`), for the fields it knows. */
function eventFieldsOf(source: string | undefined): string[] {
  if (source === undefined) return [];
  let ast: ASTNode;
  try {
    ast = (RULE_CEL.parse(source) as unknown as { ast: ASTNode }).ast;
  } catch {
    return [];
  }
  const out: string[] = [];
  const visit = (node: ASTNode): void => {
    const path = node.op === '.' || node.op === '[]' ? eventPath(node) : undefined;
    if (path !== undefined) out.push(path);
    for (const child of childrenOf(node)) visit(child);
  };
  visit(ast);
  return out;
}

function stageList(rule: PatternRule): { spec: StageSpec }[] {
  return rule.stages.flatMap((s) => (isGroupSpec(s) ? s.group.map((g) => ({ spec: g })) : [{ spec: s }]));
}

function headOf(path: string): string {
  const dot = path.indexOf('.');
  return dot === -1 ? path : path.slice(0, dot);
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

/** Levenshtein distance (short names only). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}
