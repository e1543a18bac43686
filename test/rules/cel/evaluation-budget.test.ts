import { describe, expect, it } from 'vitest';
import type { ConditionContext } from '../../../src/cep/index.js';
import { CelRuntimeError, compileCel } from '../../../src/rules/cel-compiler.js';
import { checkConditionCost } from '../../../src/rules/condition-cost.js';
import {
  ConditionErrors,
  type ConditionScope,
  compileCondition,
  RULE_CEL,
  RULE_LIMITS,
  type RuleEvent,
} from '../../../src/rules/index.js';

// The run-time evaluation budget (RULE_LIMITS.maxEvaluationSteps), the second guard behind the
// static cost estimate: compiled closures and the interpreter fallback both abort an evaluation
// over it, which then counts as false and as a condition error.

const HOSTILE = 'e.items.all(a, e.items.all(b, a != b || true))'; // n^2 + n steps
const ITEMS = Array.from({ length: 10_000 }, (_, i) => i); // 1e8 steps
const budgetMessage = (n: number): string => `evaluation budget of ${n} steps exceeded`;

function condition(source: string, scope: Partial<ConditionScope> = {}) {
  const errors = new ConditionErrors();
  const r = compileCondition(source, { ruleId: 'r', errors, ...scope });
  if (!r.ok) throw new Error(r.message);
  return { c: r.condition, errors };
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

function stages(events: Record<string, RuleEvent[]>): ConditionContext<RuleEvent> {
  return {
    getEventsForPattern: (name: string) => events[name] ?? [],
  } as unknown as ConditionContext<RuleEvent>;
}

describe('RULE_LIMITS.maxEvaluationSteps', () => {
  it('is five times the static cost limit, a small integer', () => {
    expect(RULE_LIMITS.maxEvaluationSteps).toBe(5 * RULE_LIMITS.maxConditionCost);
    expect(RULE_LIMITS.maxEvaluationSteps).toBeLessThan(2 ** 30 - 1);
  });
});

describe('the evaluation budget, compiled closures', () => {
  it('stops nested comprehensions over a 10k-element event list (1e8 steps) quickly, as an error', () => {
    const { c, errors } = condition(HOSTILE);
    expect(c.compiled).toBe(true);
    const event = { type: 'x', ts: 1, items: ITEMS };
    c.test(event); // warm-up
    const { value, ms } = timed(() => c.test(event));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(500);
    expect(errors.count('r')).toBe(2);
    expect(errors.lastError()?.message).toContain(budgetMessage(RULE_LIMITS.maxEvaluationSteps));
    // The static estimate refuses this one at validation (the first guard).
    expect(checkConditionCost(HOSTILE).error).toMatch(/too expensive/);
  });

  it('aborts even where && / || / exists would absorb an error', () => {
    for (const source of [
      `${HOSTILE} || true`,
      `e.items.exists(a, e.items.all(b, a != b || true) && false) || true`,
    ]) {
      const { c, errors } = condition(source, { maxEvaluationSteps: 10_000 });
      expect(c.compiled).toBe(true);
      expect(c.test({ type: 'x', ts: 1, items: ITEMS.slice(0, 1000) })).toBe(false);
      expect(errors.lastError()?.message).toContain(budgetMessage(10_000));
    }
  });

  it('counts every iteration, nested ones included, per evaluation', () => {
    const event = { type: 'x', ts: 1, items: ITEMS.slice(0, 10) }; // 10 + 10 x 10 = 110 steps
    const fits = condition('e.items.all(a, e.items.all(b, b < 100))', { maxEvaluationSteps: 110 });
    const over = condition('e.items.all(a, e.items.all(b, b < 100))', { maxEvaluationSteps: 109 });
    for (let i = 0; i < 3; i++) {
      // The counter starts again at each evaluation.
      expect(fits.c.test(event)).toBe(true);
      expect(over.c.test(event)).toBe(false);
    }
    expect(fits.errors.total()).toBe(0);
    expect(over.errors.total()).toBe(3);
    const exists = condition(
      'e.items.exists(b, b > 100) || e.items.map(x, x + 1.0).filter(y, y > 5).size() > 3',
      {
        maxEvaluationSteps: 30,
      },
    );
    expect(exists.c.test(event)).toBe(true); // 10 + 10 + 10 steps
    expect(exists.errors.total()).toBe(0);
  });

  it('counts size-proportional work in loops, e.g. `in` on a long list', () => {
    const big = Array.from({ length: 1000 }, (_, i) => -i - 1); // `in` scans it: 250 steps
    const { c, errors } = condition('e.items.exists(x, x in e.big)', { maxEvaluationSteps: 1000 });
    expect(c.test({ type: 'x', ts: 1, items: ITEMS.slice(0, 10), big })).toBe(false);
    expect(errors.lastError()?.message).toContain(budgetMessage(1000));
    expect(c.test({ type: 'x', ts: 1, items: ITEMS.slice(0, 3), big })).toBe(false);
    expect(errors.total()).toBe(1);
  });

  it('aborts a condition that passes validation when an estimate assumption fails (map ==)', () => {
    // Comparing whole events: the estimate charges the JSON size x 0.01, cel-js compares entry by
    // entry; the budget counts 8 steps per entry. Estimated under the limit (a warning only).
    const source = 'matched.s.exists(m, m == e)';
    expect(checkConditionCost(source).error).toBeUndefined();
    const fields: Record<string, unknown> = { type: 'x', ts: 1 };
    for (let i = 0; i < 6000; i++) fields[`k${i}`] = 0;
    const wide = fields as RuleEvent;
    expect(JSON.stringify(wide).length).toBeLessThan(RULE_LIMITS.maxEventChars);
    const { c, errors } = condition(source, { stages: ['s', 'now'] });
    expect(c.compiled).toBe(true);
    const ctx = stages({ s: new Array<RuleEvent>(1000).fill(wide) });
    const { value, ms } = timed(() => c.test({ ...wide, type: 'y' }, ctx));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(1000);
    expect(errors.lastError()?.message).toContain(budgetMessage(RULE_LIMITS.maxEvaluationSteps));
  });

  it('returns the error from run and throws it from evaluate (compileCel)', () => {
    const parsed = RULE_CEL.parse(HOSTILE);
    parsed.check();
    const cel = compileCel(parsed.ast, { stages: [], maxEvaluationSteps: 1000 })!;
    const event = { items: ITEMS.slice(0, 100) };
    const r = cel.run(event, undefined);
    expect(r).toBeInstanceOf(CelRuntimeError);
    expect((r as Error).message).toContain(budgetMessage(1000));
    expect(() => cel.evaluate(event, undefined)).toThrow(budgetMessage(1000));
    expect(cel.run({ items: ITEMS.slice(0, 31) }, undefined)).toBe(true); // 31 + 961 = 992 steps
  });

  it('leaves typical conditions alone', () => {
    const { c, errors } = condition(
      'e.type == "payout" && matched.small.exists(s, s.amount < 2.0) && e.amount >= 40.0 * max(matched.small.map(s, s.amount))',
      { stages: ['small', 'big'] },
    );
    const ctx = stages({ small: [{ type: 'p', ts: 0, amount: 1.5 }] });
    expect(c.test({ type: 'payout', ts: 1, amount: 900 }, ctx)).toBe(true);
    expect(c.test({ type: 'payout', ts: 1, amount: 9 }, ctx)).toBe(false);
    expect(errors.total()).toBe(0);
  });
});

describe('the evaluation budget, interpreter fallback', () => {
  it('bounds a condition the compiler leaves to the interpreter', () => {
    const { c, errors } = condition(`${HOSTILE} && e.s.lowerAscii() == "x"`);
    expect(c.compiled).toBe(false);
    const { value, ms } = timed(() => c.test({ type: 'x', ts: 1, items: ITEMS, s: 'X' }));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(3000); // ~0.3 s: an interpreted step costs more
    expect(errors.lastError()?.message).toContain(budgetMessage(RULE_LIMITS.maxEvaluationSteps));
  });

  it('aborts even where cel-js absorbs the error (|| true, exists)', () => {
    const source = `e.items.exists(a, e.items.all(b, a != b || true) && false) || e.s.lowerAscii() == "x"`;
    const { c, errors } = condition(source, { maxEvaluationSteps: 10_000 });
    expect(c.compiled).toBe(false);
    expect(c.test({ type: 'x', ts: 1, items: ITEMS.slice(0, 1000), s: 'X' })).toBe(false);
    expect(errors.lastError()?.message).toContain(budgetMessage(10_000));
  });

  it('counts iterations as the compiled form does, per evaluation', () => {
    const source = 'e.items.all(a, e.items.all(b, b < 100)) || e.s.lowerAscii() == "x"';
    const event = { type: 'x', ts: 1, items: ITEMS.slice(0, 10), s: 'X' };
    const fits = condition(source, { maxEvaluationSteps: 110 });
    const over = condition(source, { maxEvaluationSteps: 109 });
    for (let i = 0; i < 3; i++) {
      expect(fits.c.test(event)).toBe(true);
      expect(over.c.test(event)).toBe(false);
    }
    expect(fits.errors.total()).toBe(0);
    expect(over.errors.total()).toBe(3);
  });

  it('bounds an evaluation the compiled form hands to the interpreter (a deoptimization)', () => {
    // int() of a string deoptimizes: the interpreter evaluates the whole condition.
    const { c, errors } = condition(`int(e.s) > 0 && ${HOSTILE}`, { maxEvaluationSteps: 10_000 });
    expect(c.compiled).toBe(true);
    expect(c.test({ type: 'x', ts: 1, s: '5', items: ITEMS.slice(0, 1000) })).toBe(false);
    expect(errors.lastError()?.message).toContain(budgetMessage(10_000));
    expect(c.test({ type: 'x', ts: 1, s: '5', items: ITEMS.slice(0, 50) })).toBe(true);
    expect(errors.total()).toBe(1);
  });
});
