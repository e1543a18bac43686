import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/rules/compile-condition.js';
import { ConditionErrors } from '../../src/rules/condition-errors.js';
import type { RuleEvent } from '../../src/rules/rule-event.js';

/** An event whose `type` reads are counted (a getter), to see how often a condition ran. */
function countingEvent(fields: Record<string, unknown>): { event: RuleEvent; reads: () => number } {
  let reads = 0;
  const event = { ts: 1, ...fields } as Record<string, unknown>;
  const type = fields.type;
  Object.defineProperty(event, 'type', {
    enumerable: true,
    get: () => {
      reads++;
      return type;
    },
  });
  return { event: event as RuleEvent, reads: () => reads };
}

function compile(source: string, ruleId: string, errors: ConditionErrors, stages?: string[]) {
  const r = compileCondition(source, { ruleId, errors, ...(stages ? { stages } : {}) });
  if (!r.ok) throw new Error(r.message);
  return r.condition;
}

describe('compileCondition: one evaluation per event for rules sharing a condition', () => {
  it('evaluates a condition that reads only the event once per event, whatever the rule', () => {
    const errors = new ConditionErrors();
    const source = 'e.type == "login" && e.newDevice == true';
    const rules = ['r1', 'r2', 'r3'].map((id) => compile(source, id, errors));
    const a = countingEvent({ type: 'login', newDevice: true });
    expect(rules.map((c) => c.test(a.event))).toEqual([true, true, true]);
    expect(a.reads()).toBe(1);
    // Another event object is evaluated afresh.
    const b = countingEvent({ type: 'login', newDevice: false });
    expect(rules.map((c) => c.test(b.event))).toEqual([false, false, false]);
    expect(b.reads()).toBe(1);
    // Back to the first: one entry is remembered, so it runs again, with the same result.
    expect(rules[0]!.test(a.event)).toBe(true);
    expect(a.reads()).toBe(2);
  });

  it('counts a failure for every rule that evaluates it', () => {
    const errors = new ConditionErrors();
    const source = 'e.type == "payout" && e.amount > 5.0';
    const [r1, r2] = ['r1', 'r2'].map((id) => compile(source, id, errors));
    const event = { ts: 1, type: 'payout' } as RuleEvent; // no amount: an evaluation error
    expect(r1!.test(event)).toBe(false);
    expect(r2!.test(event)).toBe(false);
    expect(r2!.test(event)).toBe(false);
    expect(errors.count('r1')).toBe(1);
    expect(errors.count('r2')).toBe(2);
  });

  it('does not share conditions that read the partial match, nor across timestamp fields', () => {
    const errors = new ConditionErrors();
    const withMatched = 'e.type == "login" && size(matched.a) > 0';
    const c1 = compile(withMatched, 'r1', errors, ['a']);
    const c2 = compile(withMatched, 'r2', errors, ['a']);
    const e = countingEvent({ type: 'login' });
    const ctx = (n: number) => ({ getEventsForPattern: () => Array.from({ length: n }, () => e.event) });
    expect(c1.test(e.event, ctx(1) as never)).toBe(true);
    expect(c2.test(e.event, ctx(0) as never)).toBe(false);
    expect(e.reads()).toBe(2);

    const byTs = (field: string) => {
      const r = compileCondition('ts > 5.0', { ruleId: 't', errors, timestampField: field });
      if (!r.ok) throw new Error(r.message);
      return r.condition;
    };
    const event = { ts: 1, at: 10, type: 'x' } as RuleEvent;
    expect(byTs('ts').test(event)).toBe(false);
    expect(byTs('at').test(event)).toBe(true);
  });
});
