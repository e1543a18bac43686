import { describe, expect, it } from 'vitest';
import { ConditionErrors, compileCondition, type RuleEvent } from '../../../src/rules/index.js';

// Arithmetic between JSON numbers (CEL doubles) and int literals is refused when the condition is
// validated, with the fix in the message: it would type-check (fields are dyn) and then fail on
// every event, since CEL has no double * int.

const scope = { ruleId: 'r', stages: ['small', 'big'] };

function message(source: string): string | undefined {
  const r = compileCondition(source, scope);
  return r.ok ? undefined : r.message;
}

describe('arithmetic between a JSON number and an int literal', () => {
  it('is refused, saying to write a double literal', () => {
    expect(message('e.amount * 2 > 1000.0')).toBe('e.amount * 2: JSON numbers are doubles; write 2.0');
    expect(message('e.amount + 1 > 500')).toBe('e.amount + 1: JSON numbers are doubles; write 1.0');
    expect(message('2 * e.amount > 1000.0')).toBe('2 * e.amount: JSON numbers are doubles; write 2.0');
    expect(message('e.amount - -1 > 0.0')).toBe('e.amount - -1: JSON numbers are doubles; write -1.0');
    expect(message('e["amount"] / 4 > 1.0')).toBe('e["amount"] / 4: JSON numbers are doubles; write 4.0');
    expect(message('(e.a + e.b) * 3 > 1.0')).toBe('(e.a + e.b) * 3: JSON numbers are doubles; write 3.0');
    expect(message('matched.small.exists(s, s.amount * 10 > e.amount)')).toBe(
      's.amount * 10: JSON numbers are doubles; write 10.0',
    );
    expect(message('e.type == "x" || e.n % 2 == 0')).toBe(
      'e.n % 2: JSON numbers are doubles, which have no %; write int(e.n) instead of e.n',
    );
  });

  it('the suggested fixes validate and work', () => {
    const errors = new ConditionErrors();
    const event = { type: 'payout', ts: 1, amount: 600, n: 4 } as RuleEvent;
    for (const source of ['e.amount * 2.0 > 1000.0', 'e.amount + 1.0 > 500', 'int(e.n) % 2 == 0']) {
      const r = compileCondition(source, { ...scope, errors });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.condition.test(event)).toBe(true);
    }
    expect(errors.count('r')).toBe(0);
  });

  it('leaves comparisons and int-only arithmetic alone', () => {
    for (const source of [
      'e.amount > 500',
      'e.amount == 900',
      '500 < e.amount',
      'size(e.items) + 1 > 2',
      'size(matched.small) * 2 >= 4',
      'int(e.amount) * 2 > 1000',
      'e.amount * 2.0 > 1000.0',
      'e.amount > 1 + 2',
    ]) {
      expect(message(source), source).toBeUndefined();
    }
  });
});
