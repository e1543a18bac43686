import { describe, expect, it } from 'vitest';
import type { ConditionContext } from '../../src/cep/index.js';
import { ConditionErrors, compileCondition, type RuleEvent } from '../../src/rules/index.js';

function compile(source: string, stages?: string[]) {
  const errors = new ConditionErrors();
  const r = compileCondition(source, { ruleId: 'r', stages, errors });
  if (!r.ok) throw new Error(r.message);
  return { c: r.condition, errors };
}

function ctxOf(matched: Record<string, RuleEvent[]>): ConditionContext<RuleEvent> & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    getEventsForPattern: (name) => {
      reads.push(name);
      return matched[name] ?? [];
    },
    timestamp: () => 0,
    currentProcessingTime: () => 0,
  };
}

const pay = (amount: unknown, extra: Record<string, unknown> = {}): RuleEvent => ({
  type: 'payment',
  ts: 1000,
  amount,
  ...extra,
});

describe('CEL conditions', () => {
  it('evaluate e, ts and nested fields; JSON numbers compare with int and double literals', () => {
    const { c } = compile(
      'e.type == "payment" && e.amount > 100 && e.amount < 1000.5 && ts == 1000.0 && e.card.country == "FR"',
    );
    expect(c.test(pay(150, { card: { country: 'FR' } }))).toBe(true);
    expect(c.test(pay(50, { card: { country: 'FR' } }))).toBe(false);
  });

  it('a run-time error (missing field, type mismatch, non-bool) is false and counted, never thrown', () => {
    const { c, errors } = compile('e.amount > 100.0');
    expect(c.test({ type: 'payment', ts: 1 })).toBe(false);
    expect(c.test(pay('a lot'))).toBe(false);
    expect(errors.count('r')).toBe(2);
    expect(errors.lastError()?.message).toMatch(/no such overload|No such key/);
    const dyn = compile('e.flag');
    expect(dyn.c.test(pay(1, { flag: 'yes' }))).toBe(false);
    expect(dyn.errors.count('r')).toBe(1);
    expect(dyn.c.test(pay(1, { flag: true }))).toBe(true);
  });

  it('cannot reach prototypes, even through own fields named like them', () => {
    // Statically refused names aside, a field lookup reads own keys only.
    const { c, errors } = compile('has(e.toString) || has(e.valueOf) || e.hasOwnProperty == null');
    expect(c.test(pay(1))).toBe(false);
    expect(errors.count('r')).toBe(1); // e.hasOwnProperty: No such key
    const poisoned = JSON.parse('{"type":"x","ts":1,"__proto__":{"admin":true}}') as RuleEvent;
    const admin = compile('has(e.admin)');
    expect(admin.c.test(poisoned)).toBe(false);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('reads matched only when the expression uses it, and only the stages it names', () => {
    const plain = compile('e.amount > 1.0', ['a', 'b']);
    expect(plain.c.matchedStages).toEqual([]);
    const ctx = ctxOf({ a: [pay(1)] });
    plain.c.test(pay(2), ctx);
    expect(ctx.reads).toEqual([]);

    const named = compile('size(matched.a) == 1 && size(matched["b"]) == 0', ['a', 'b', 'c']);
    expect(named.c.matchedStages).toEqual(['a', 'b']);
    const ctx2 = ctxOf({ a: [pay(1)] });
    expect(named.c.test(pay(2), ctx2)).toBe(true);
    expect(ctx2.reads.sort()).toEqual(['a', 'b']);

    const all = compile('size(matched) == 3', ['a', 'b', 'c']);
    expect(all.c.matchedStages).toEqual(['a', 'b', 'c']);
  });

  it('helper functions over matched events: sum, avg, min, max, with CEL macros', () => {
    const ctx = ctxOf({ small: [pay(1), pay(2.5), pay(0.5)] });
    const cases: Array<[string, boolean]> = [
      ['sum(matched.small.map(s, s.amount)) == 4.0', true],
      ['avg(matched.small.map(s, s.amount)) > 1.3', true],
      ['min(matched.small.map(s, s.amount)) == 0.5', true],
      ['max(matched.small.map(s, s.amount)) == 2.5', true],
      ['size(matched.small) >= 3', true],
      ['matched.small.exists(s, s.amount > 2.0)', true],
      ['matched.small.all(s, s.amount < 2.0)', false],
      ['size(matched.small.filter(s, s.amount < 2.0)) == 2', true],
    ];
    for (const [source, expected] of cases) {
      expect([source, compile(source, ['small']).c.test(pay(100), ctx)]).toEqual([source, expected]);
    }
    const empty = compile('avg(matched.small.map(s, s.amount)) > 0.0', ['small']);
    expect(empty.c.test(pay(1), ctxOf({}))).toBe(false);
    expect(empty.errors.count('r')).toBe(1);
  });

  it('refuses matched outside pattern rules, unknown stages, non-bool results', () => {
    expect(compileCondition('size(matched.a) > 0', { ruleId: 'r' })).toEqual({
      ok: false,
      message: '`matched` is only available in pattern rules',
    });
    expect(compileCondition('matched.zz.size() > 0', { ruleId: 'r', stages: ['a'] })).toMatchObject({
      ok: false,
    });
    expect(compileCondition('e.amount', { ruleId: 'r' })).toMatchObject({ ok: true }); // dyn: checked at run time
    expect(compileCondition('"x"', { ruleId: 'r' })).toEqual({
      ok: false,
      message: 'must return bool, returns string',
    });
  });
});
