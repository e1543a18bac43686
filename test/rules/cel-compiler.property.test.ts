import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainDataView } from '../../src/rules/cel/plain-data-view.js';
import { CEL_DEOPT, compileCel, type StageEvents } from '../../src/rules/cel-compiler.js';
import { ConditionErrors, compileCondition, RULE_CEL, type RuleEvent } from '../../src/rules/index.js';

// The compiled closures (src/rules/cel-compiler.ts) against the cel-js interpreter on random
// expressions and random events: the same value, or an error on both sides. The interpreter is
// given what compile-condition gives it, the events' plain-data view. A compiled evaluation that
// deoptimizes (CEL_DEOPT) is re-run by the interpreter in production, so it is counted, not
// compared.

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log('fast-check seed', seed, '(FC_SEED to replay)');

const STAGES = ['a', 'b'] as const;

// ---- random JSON data ----

// Field names include ones JavaScript objects inherit; `__proto_x` becomes `__proto__` as an own
// key through JSON text (see `viaJson`).
const KEYS = ['y', 'z', 's', 'amount', 'constructor', 'toString', 'valueOf', '__proto_x'] as const;
const jsonLeaf = fc.oneof(
  fc.constantFrom('a', 'ab', '', 'payout', 'héllo😀', 'b'),
  fc.constantFrom(0, 1, -1, 1.5, 2, 500, 900, -0.5, 1e21),
  fc.boolean(),
  fc.constant(null),
);
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 3 }),
  ),
}));
const numberList = fc.array(fc.constantFrom(0, 1, 2.5, 900, -3), { maxLength: 4 });

/** The value as JSON.parse makes it from text, with `__proto_x` keys renamed `__proto__`. */
function viaJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v).replaceAll('"__proto_x"', '"__proto__"')) as T;
}

const eventArb = fc
  .record(
    {
      type: fc.constantFrom('payout', 'login', 'a'),
      amount: fc.oneof(fc.constantFrom(0, 1, 2, 500, 900, 1.5, -2), json),
      n: fc.oneof(fc.constantFrom(0, 1, 2, 3), json),
      s: fc.oneof(fc.constantFrom('a', 'ab', 'payout', ''), json),
      b: fc.oneof(fc.boolean(), json),
      l: fc.oneof(numberList, fc.array(json, { maxLength: 3 })),
      x: fc.oneof(fc.record({ y: json, z: json }, { requiredKeys: [] }), json),
      ts: fc.constantFrom(1000, 2000),
    },
    { requiredKeys: ['type', 'ts'] },
  )
  .map(viaJson);
const stageEventsArb = fc.record({
  a: fc.array(eventArb, { maxLength: 3 }),
  b: fc.array(eventArb, { maxLength: 2 }),
});

// ---- random CEL expressions (well-typed-ish: the type checker filters the rest) ----

const { bool, any } = fc.letrec<{
  num: string;
  str: string;
  list: string;
  bool: string;
  any: string;
}>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('e.amount', 'e.n', 'e.x.y', 'e.l[0]', 'e["amount"]', 'ts', 'x', 'x.amount', 'x.y'),
    fc.constantFrom('e.l[e.n]', 'e.x[e.s]', '[1, 2][e.n]', 'e.x.toString', 'e.x["valueOf"]', 'e.s.size()'),
    fc.constantFrom('1.5', '2.0', '0.0', '-3.0', '500.0', '0', '1', '2', '-1', '9223372036854775807'),
    tie('str').map((s) => `size(${s})`),
    tie('list').map((l) => `size(${l})`),
    fc
      .tuple(tie('num'), fc.constantFrom('+', '-', '*', '/', '%'), tie('num'))
      .map(([a, o, b]) => `(${a} ${o} ${b})`),
    tie('num').map((a) => `-${a}`),
    fc.constantFrom('int', 'double', 'dyn').chain((f) => tie('num').map((a) => `${f}(${a})`)),
    fc.constantFrom('sum', 'avg', 'min', 'max').chain((f) => tie('list').map((l) => `${f}(${l})`)),
    fc.tuple(tie('bool'), tie('num'), tie('num')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
  ),
  str: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('e.s', 'e.type', 'e.x["y"]', 'x', 'x.s', '"a"', '"ab"', '""', "'payout'"),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
    tie('any').map((a) => `string(${a})`),
  ),
  list: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('e.l', 'e.x', '[1.0, 2.5]', '["a", "ab"]', '[]', '[1, 2]', 'matched.a', 'matched.b', 'x'),
    fc.constantFrom('matched.a.map(m, m.amount)', 'matched["b"].map(m, m.type)', 'e.l.map(v, v)'),
    fc.tuple(tie('list'), tie('bool')).map(([l, p]) => `${l}.filter(x, ${p})`),
    fc.tuple(tie('list'), tie('any')).map(([l, t]) => `${l}.map(x, ${t})`),
    fc.tuple(tie('list'), tie('bool'), tie('any')).map(([l, p, t]) => `${l}.map(x, ${p}, ${t})`),
    fc.tuple(tie('list'), tie('list')).map(([a, b]) => `(${a} + ${b})`),
    fc.tuple(tie('any'), tie('any')).map(([a, b]) => `[${a}, ${b}]`),
  ),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      'e.b',
      'true',
      'false',
      'x',
      'x.b',
      'has(e.x.y)',
      'has(e.amount)',
      'has(x.y)',
      'has(e.x.y.z)',
    ),
    fc
      .tuple(tie('any'), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), tie('any'))
      .map(([a, o, b]) => `${a} ${o} ${b}`),
    fc
      .tuple(tie('num'), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), tie('num'))
      .map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(tie('bool'), fc.constantFrom('&&', '||'), tie('bool')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    tie('bool').map((a) => `!${a}`),
    fc
      .tuple(tie('str'), fc.constantFrom('contains', 'startsWith', 'endsWith'), tie('str'))
      .map(([a, f, b]) => `${a}.${f}(${b})`),
    fc.tuple(tie('any'), tie('list')).map(([a, l]) => `${a} in ${l}`),
    tie('str').map((s) => `${s} in e.x`),
    fc
      .tuple(tie('list'), fc.constantFrom('all', 'exists', 'exists_one'), tie('bool'))
      .map(([l, m, p]) => `${l}.${m}(x, ${p})`),
    fc.tuple(tie('bool'), tie('bool'), tie('bool')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
  ),
  any: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('num'),
    tie('str'),
    tie('bool'),
    tie('list'),
    fc.constantFrom('null', 'e.x', 'e', '{"y": 1.0}', '{"y": e.amount, "s": "a"}', 'matched'),
  ),
}));

// ---- comparison ----

type Outcome = { value: unknown } | { error: true } | { deopt: true };

function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return { int: String(v) };
  if (typeof v === 'number') return { double: Object.is(v, -0) ? '-0' : String(v) };
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) return normalize(Object.fromEntries(v));
  if (typeof v === 'object' && v !== null) {
    const out: [string, unknown][] = Object.keys(v).map((k) => [k, normalize((v as never)[k])]);
    return { map: out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
  }
  return v;
}

function stagesOf(events: Record<string, RuleEvent[]>): StageEvents {
  return { getEventsForPattern: (name) => events[name] ?? [] };
}

function interpreted(source: string, event: RuleEvent, stages: Record<string, RuleEvent[]>): Outcome {
  const evaluate = RULE_CEL.parse(source);
  const matched: Record<string, unknown> = Object.create(null);
  for (const s of STAGES) matched[s] = (stages[s] ?? []).map(plainDataView);
  try {
    return { value: normalize(evaluate({ e: plainDataView(event), ts: event.ts, matched })) };
  } catch {
    return { error: true };
  }
}

function compiledOutcome(
  source: string,
  event: RuleEvent,
  stages: Record<string, RuleEvent[]>,
): Outcome | undefined {
  const parsed = RULE_CEL.parse(source);
  parsed.check();
  const compiled = compileCel(parsed.ast, { stages: STAGES });
  if (compiled === undefined) return undefined;
  try {
    return { value: normalize(compiled.evaluate(event, stagesOf(stages))) };
  } catch (e) {
    return e === CEL_DEOPT ? { deopt: true } : { error: true };
  }
}

describe('compiled CEL vs the cel-js interpreter (property)', () => {
  it('random expressions over random events: same value, or an error on both sides', () => {
    const stats = { checked: 0, compared: 0, notCompiled: 0, deopt: 0, errors: 0, trueResults: 0 };
    fc.assert(
      fc.property(fc.oneof(bool, any), eventArb, stageEventsArb, (source, event, stages) => {
        if (!RULE_CEL.check(source).valid) return;
        stats.checked++;
        const c = compiledOutcome(source, event, stages);
        if (c === undefined) {
          stats.notCompiled++;
          return;
        }
        if ('deopt' in c) {
          stats.deopt++;
          return;
        }
        const i = interpreted(source, event, stages);
        stats.compared++;
        if ('error' in c) stats.errors++;
        else if (c.value === true) stats.trueResults++;
        if (!isDeepStrictEqual(c, i)) {
          throw new Error(
            `${source} on ${JSON.stringify(event)}: compiled ${JSON.stringify(c)}, interpreter ${JSON.stringify(i)}`,
          );
        }
      }),
      { seed, numRuns: 4000 },
    );
    console.log('cel-compiler property:', stats);
    // The generator must exercise the compiled path, not only the fallbacks.
    expect(stats.compared).toBeGreaterThan(stats.checked / 3);
    expect(stats.trueResults).toBeGreaterThan(20);
  });

  it('compileCondition (compiled, with its interpreter fallback) agrees with the interpreter alone', () => {
    fc.assert(
      fc.property(bool, eventArb, stageEventsArb, (source, event, stages) => {
        const r = compileCondition(source, { ruleId: 'p', stages: STAGES, errors: new ConditionErrors() });
        if (!r.ok) return;
        const i = interpreted(source, event, stages);
        const expected = 'value' in i && i.value === true;
        const ctx = { getEventsForPattern: (name: string) => stages[name as 'a'] ?? [] };
        expect(r.condition.test(event, ctx as never)).toBe(expected);
      }),
      { seed, numRuns: 1500 },
    );
  });
});

// ---- events carrying field names that JavaScript objects inherit ----

const ODD_NAMES = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];

/** JSON text of an event with `name` at `depth` (0: top level), as an HTTP body would carry it. */
function oddEventJson(name: string, depth: number, odd: unknown, amount: number, type: string): string {
  let nested: unknown = odd;
  for (let i = 0; i < depth; i++) nested = { [name]: nested, y: i };
  // Built as text so that `__proto__` is an ordinary key, as JSON.parse makes it.
  const inner = JSON.stringify(nested);
  return `{"type":${JSON.stringify(type)},"ts":1000,"amount":${amount},${JSON.stringify(name)}:${inner},"x":{${JSON.stringify(name)}:${inner},"y":2}}`;
}

describe('events whose field names are Object.prototype names (property)', () => {
  const oddValue = fc.oneof(fc.constantFrom(1, 'x', null, true, [1, 2]), fc.constant({ a: 1 }));

  it('evaluate like any other event, compiled and interpreted', () => {
    const errors = new ConditionErrors();
    const scope = { ruleId: 'odd', errors };
    const compiled = compileCondition('e.type == "payout" && e.amount > 500.0 && e.x.y == 2.0', scope);
    // lowerAscii() is not compiled: this one runs in the interpreter, on the plain-data view.
    const interpretedOnly = compileCondition(
      'e.type.lowerAscii() == "payout" && e.amount > 500.0 && e.x.y == 2.0 && size(e.x) == 2',
      scope,
    );
    if (!compiled.ok || !interpretedOnly.ok) throw new Error('conditions must compile');
    expect(compiled.condition.compiled).toBe(true);
    expect(interpretedOnly.condition.compiled).toBe(false);
    fc.assert(
      fc.property(
        fc.constantFrom(...ODD_NAMES),
        fc.nat(3),
        oddValue,
        fc.constantFrom(100, 900),
        fc.constantFrom('payout', 'login'),
        (name, depth, odd, amount, type) => {
          const event = JSON.parse(oddEventJson(name, depth, odd, amount, type)) as RuleEvent;
          const expected = type === 'payout' && amount > 500;
          expect(compiled.condition.test(event)).toBe(expected);
          expect(interpretedOnly.condition.test(event)).toBe(expected);
        },
      ),
      { seed, numRuns: 400 },
    );
    expect(errors.count('odd')).toBe(0);
  });

  it('reading such a field: refused for prototype-reaching names, own keys only for the others', () => {
    for (const name of ['constructor', '__proto__', 'prototype']) {
      expect(compileCondition(`e["${name}"] == 1.0`, { ruleId: 'r' }).ok).toBe(false);
      expect(compileCondition(`e.x.${name} == 1.0`, { ruleId: 'r' }).ok).toBe(false);
    }
    const readable = ODD_NAMES.filter((n) => !['constructor', '__proto__', 'prototype'].includes(n));
    fc.assert(
      fc.property(fc.constantFrom(...readable), fc.nat(2), fc.boolean(), (name, depth, present) => {
        const errors = new ConditionErrors();
        const path = `e${'.x'.repeat(depth)}["${name}"]`;
        const fast = compileCondition(`${path} == 1.0`, { ruleId: 'r', errors });
        const slow = compileCondition(`${path} == 1.0 && e.type.lowerAscii() == "payout"`, {
          ruleId: 'r',
          errors,
        });
        if (!fast.ok || !slow.ok) throw new Error(`${path} must compile`);
        let obj: Record<string, unknown> = present ? { [name]: 1 } : { other: 1 };
        for (let i = 0; i < depth; i++) obj = { x: obj };
        const event = JSON.parse(JSON.stringify({ type: 'payout', ts: 1, ...obj })) as RuleEvent;
        // Present: the own field's value; absent: a missing field (an error, false), never the
        // inherited function.
        expect(fast.condition.test(event)).toBe(present);
        expect(slow.condition.test(event)).toBe(present);
        expect(errors.count('r')).toBe(present ? 0 : 2);
      }),
      { seed, numRuns: 200 },
    );
  });
});
