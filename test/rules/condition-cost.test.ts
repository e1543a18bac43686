import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONDITION_COST_FACTORS,
  checkConditionCost,
  estimateConditionCost,
  stageEventBounds,
} from '../../src/rules/condition-cost.js';
import type { PatternRule } from '../../src/rules/index.js';
import { RULE_LIMITS, validateRule } from '../../src/rules/index.js';

const L25 = `[${Array.from({ length: 25 }, (_, i) => i).join(',')}]`;
const vars = ['a', 'b', 'c', 'd', 'f', 'g'];
/** Six nested comprehensions over 25-element lists: 25^6 = 244 million evaluations of the body. */
const SIX_NESTED = vars.reduceRight(
  (body, v) => `${L25}.all(${v}, ${body})`,
  `${vars.join(' + ')} >= 0 || e.type == "x"`,
);

function patternRule(stages: unknown[]): unknown {
  return {
    id: 'cost',
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages,
    alert: { severity: 'low', message: 'm' },
  };
}

describe('static condition cost', () => {
  it('refuses six nested comprehensions over 25-element lists at the condition path, with the estimate', () => {
    expect(SIX_NESTED.length).toBeGreaterThan(400);
    expect(SIX_NESTED.length).toBeLessThan(500);
    const cost = estimateConditionCost(SIX_NESTED).cost;
    expect(cost).toBeGreaterThan(25 ** 6);
    const v = validateRule(patternRule([{ name: 'a', condition: SIX_NESTED }]));
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors).toHaveLength(1);
    expect(v.errors[0]!.path).toBe('/stages/0/condition');
    expect(v.errors[0]!.message).toContain(`estimated cost ${cost.toPrecision(2)}`);
    expect(v.errors[0]!.message).toContain(`limit of ${RULE_LIMITS.maxConditionCost}`);
  });

  it('refuses an expensive threshold filter and an expensive until at their paths', () => {
    const filter = `${L25}.all(a, ${L25}.all(b, ${L25}.all(c, ${L25}.all(d, a + b + c + d >= 0))))`;
    const v = validateRule({
      id: 't',
      version: 1,
      status: 'active',
      kind: 'threshold',
      key: ['user'],
      aggregate: 'count',
      filter,
      window: { type: 'tumbling', size: 'PT1M' },
      compare: { op: '>', value: 1 },
      alert: { severity: 'low', message: 'm' },
    });
    expect(v.ok ? [] : v.errors.map((e) => e.path)).toEqual(['/filter']);
    const u = validateRule(
      patternRule([
        { name: 'a', condition: 'e.type == "a"', quantifier: { type: 'oneOrMore' }, until: filter },
      ]),
    );
    expect(u.ok ? [] : u.errors.map((e) => e.path)).toEqual(['/stages/0/until']);
  });

  it('accepts every example rule of rules/', () => {
    const dir = join(import.meta.dirname, '../../rules');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'schema.json');
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const v = validateRule(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      expect(v.ok ? 'ok' : `${f}: ${JSON.stringify(v.errors)}`).toBe('ok');
    }
  });

  it('keeps typical conditions cheap', () => {
    expect(estimateConditionCost('e.type == "login" && e.newDevice == true').cost).toBeLessThan(20);
    expect(estimateConditionCost('e.type == "payout" && e.amount > 500.0').cost).toBeLessThan(20);
    // One pass over an event list: 32 Ki elements x a 4-unit body.
    const items = estimateConditionCost('e.items.exists(i, i.sku == "X")').cost;
    expect(items).toBeGreaterThan(RULE_LIMITS.maxEventListElements * 4);
    expect(items).toBeLessThan(RULE_LIMITS.maxConditionCost);
    // Comparing with every event of a looping stage (1000 assumed): accepted.
    const loop = estimateConditionCost('matched.logins.exists(l, l.ip == e.ip)');
    expect(loop.cost).toBeLessThan(RULE_LIMITS.maxConditionCost);
    expect(loop.assumedStages).toEqual(['logins']);
  });

  it('multiplies nested comprehensions', () => {
    const one = estimateConditionCost('[1, 2, 3].exists(a, a == 2)').cost;
    const two = estimateConditionCost('[1, 2, 3].exists(a, [1, 2, 3, 4].exists(b, a == b))').cost;
    const three = estimateConditionCost(
      '[1, 2, 3].exists(a, [1, 2, 3, 4].exists(b, [1, 2, 3, 4, 5].exists(c, a == b && b == c)))',
    ).cost;
    expect(two).toBeGreaterThan(3 * 4);
    expect(three).toBeGreaterThan(3 * 4 * 5);
    expect(three / two).toBeGreaterThan(4);
    expect(two / one).toBeGreaterThan(3);
    // Two nested passes over event lists: 32 Ki x 32 Ki iterations.
    const nested = estimateConditionCost('e.xs.exists(x, e.ys.exists(y, x == y))').cost;
    expect(nested).toBeGreaterThan(RULE_LIMITS.maxEventListElements ** 2);
    expect(checkConditionCost('e.xs.exists(x, e.ys.exists(y, x == y))').error).toMatch(/too expensive/);
    // map() and filter() keep their range's size for what iterates over them.
    const mapped = estimateConditionCost('[1, 2, 3].map(a, a * 2).exists(b, b > 4)').cost;
    expect(mapped).toBeGreaterThan(6);
    expect(mapped).toBeLessThan(50);
  });

  it('bounds matched.<stage> by the stage quantifier, or the documented assumption for looping stages', () => {
    const rule = patternRule([
      { name: 'one', condition: 'e.type == "a"' },
      { name: 'five', condition: 'e.type == "b"', quantifier: { type: 'times', from: 2, to: 5 } },
      { name: 'many', condition: 'e.type == "c"', quantifier: { type: 'oneOrMore' } },
      {
        group: [{ name: 'inner', condition: 'e.type == "d"', quantifier: { type: 'times', from: 3 } }],
        quantifier: { type: 'times', from: 4 },
      },
    ]) as PatternRule;
    const bounds = stageEventBounds(rule);
    expect([...bounds]).toEqual([
      ['one', 1],
      ['five', 5],
      ['inner', 12],
    ]);
    const body = '.exists(x, x.v == e.v)';
    const cost = (stage: string) => estimateConditionCost(`matched.${stage}${body}`, { stageBounds: bounds });
    expect(cost('one').assumedStages).toEqual([]);
    expect(cost('five').cost).toBeGreaterThan(cost('one').cost * 3);
    expect(cost('many').assumedStages).toEqual(['many']);
    expect(cost('many').cost).toBeGreaterThan(RULE_LIMITS.maxMatchedEventsPerStage * 5);
    // Nested loops over two looping stages: 1000 x 1000 assumed iterations, refused.
    const v = validateRule(
      patternRule([
        { name: 'a', condition: 'e.type == "a"', quantifier: { type: 'oneOrMore' } },
        { name: 'b', condition: 'e.type == "b"', quantifier: { type: 'oneOrMore' } },
        { name: 'c', condition: 'matched.a.exists(x, matched.b.exists(y, x.ip == y.ip))' },
      ]),
    );
    expect(v.ok ? [] : v.errors.map((e) => e.path)).toEqual(['/stages/2/condition']);
  });

  it('warns when an estimate relies on an assumed matched size', () => {
    const v = validateRule(
      patternRule([
        { name: 'small', condition: 'e.amount < 5.0', quantifier: { type: 'timesOrMore', from: 3 } },
        { name: 'big', condition: 'e.amount > 40.0 * max(matched.small.map(s, s.amount))' },
      ]),
    );
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.warnings?.map((w) => w.path)).toEqual(['/stages/1/condition']);
    expect(v.warnings?.[0]?.message).toContain('matched.small');
  });

  it('charges string functions by the size of event strings', () => {
    const contains = estimateConditionCost('e.name.contains("x")').cost;
    expect(contains).toBeGreaterThan(RULE_LIMITS.maxEventChars * CONDITION_COST_FACTORS.scanPerChar);
    const literal = estimateConditionCost('"abc".contains("x")').cost;
    expect(literal).toBeLessThan(10);
    // size() of a list is O(1), of an event value (maybe a string) O(n).
    expect(estimateConditionCost('size([1, 2]) == 2').cost).toBeLessThan(10);
    expect(estimateConditionCost('size(e.name) == 2').cost).toBeGreaterThan(1000);
  });
});
