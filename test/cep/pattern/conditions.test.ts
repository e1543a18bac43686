import fc from 'fast-check';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  BooleanConditions,
  type ConditionContext,
  type IterativeCondition,
  isIterativeCondition,
  NotCondition,
  Pattern,
  RichAndCondition,
  RichOrCondition,
  SubtypeCondition,
  toConditionFunction,
} from '../../../src/cep/index.js';
import { ctxOf, Event, Payment, Refund } from './fixtures.js';

const test = <E>(p: Pattern<any, any>, e: E, ctx: ConditionContext<any> = ctxOf()) =>
  toConditionFunction(p.getCondition())(e, ctx);

describe('conditions', () => {
  it('a single where is the condition itself', () => {
    const cond = (e: Event) => e.amount > 10;
    expect(Pattern.begin<Event>('a').where(cond).getCondition()).toBe(cond);
  });

  it('where ANDs with what is there, or ORs, left to right', () => {
    const big = (e: Event) => e.amount > 10;
    const pay = (e: Event) => e.type === 'payment';
    const refund = (e: Event) => e.type === 'refund';
    const p = Pattern.begin<Event>('a').where(big).where(pay).or(refund);
    const c = p.getCondition();
    expect(c).toBeInstanceOf(RichOrCondition);
    const or = c as RichOrCondition<Event>;
    expect(or.getRight()).toBe(refund);
    expect(or.getLeft()).toBeInstanceOf(RichAndCondition);
    expect((or.getLeft() as RichAndCondition<Event>).getNestedConditions()).toEqual([big, pay]);
    expect(test(p, new Event('payment', 20))).toBe(true);
    expect(test(p, new Event('payment', 5))).toBe(false);
    expect(test(p, new Event('refund', 0))).toBe(true);
    expect(test(p, new Event('other', 50))).toBe(false);
  });

  it('or on a stage without condition is the condition itself', () => {
    const c = (e: Event) => e.amount === 1;
    expect(Pattern.begin<Event>('a').or(c).getCondition()).toBe(c);
  });

  it('AND and OR short-circuit', () => {
    const right = vi.fn(() => true);
    expect(new RichAndCondition<number>(() => false, right).filter(1, ctxOf())).toBe(false);
    expect(new RichOrCondition<number>(() => true, right).filter(1, ctxOf())).toBe(true);
    expect(right).not.toHaveBeenCalled();
    expect(new NotCondition<number>((n) => n > 0).filter(1, ctxOf())).toBe(false);
    expect(new NotCondition<number>((n) => n > 0).getOriginal()).toBeTypeOf('function');
  });

  it('conditions may be objects with filter, and see the context', () => {
    const seen: unknown[] = [];
    const cond = {
      filter(e: Event, ctx: ConditionContext<Event>) {
        seen.push(ctx.timestamp(), [...ctx.getEventsForPattern('prev')]);
        return e.amount > [...ctx.getEventsForPattern('prev')].reduce((s, x) => s + x.amount, 0);
      },
    };
    const p = Pattern.begin<Event>('a')
      .where(cond)
      .where((e) => e.type !== 'x');
    const prev = [new Event('t', 3), new Event('t', 4)];
    expect(test(p, new Event('t', 8), ctxOf({ prev }, 42))).toBe(true);
    expect(test(p, new Event('t', 7), ctxOf({ prev }, 43))).toBe(false);
    expect(seen).toEqual([42, prev, 43, prev]);
  });

  it('subtype by class uses instanceof and narrows later where conditions', () => {
    const p = Pattern.begin<Event>('pay')
      .subtype(Payment)
      .where((pay) => pay.amount > 100);
    expectTypeOf(p).toEqualTypeOf<Pattern<Event, Payment>>();
    expect(test(p, new Payment(150))).toBe(true);
    expect(test(p, new Payment(50))).toBe(false);
    expect(test(p, new Refund(150))).toBe(false);
    expect(test(p, new Event('payment', 150))).toBe(false);
  });

  it('subtype runs after the existing conditions and guards the later ones', () => {
    const later = vi.fn((pay: Payment) => pay.amount > 0);
    const p = Pattern.begin<Event>('a')
      .where((e) => e.amount > 1)
      .subtype(Payment)
      .where(later);
    expect(test(p, new Refund(5))).toBe(false);
    expect(later).not.toHaveBeenCalled();
    expect(test(p, new Payment(5))).toBe(true);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('subtype by type guard', () => {
    type Ev = { kind: 'a'; x: number } | { kind: 'b'; y: string };
    const p = Pattern.begin<Ev>('a')
      .subtype((e): e is Extract<Ev, { kind: 'a' }> => e.kind === 'a')
      .where((e) => e.x > 0);
    expectTypeOf(p).toEqualTypeOf<Pattern<Ev, Extract<Ev, { kind: 'a' }>>>();
    expect(test(p, { kind: 'a', x: 1 })).toBe(true);
    expect(test(p, { kind: 'b', y: '' })).toBe(false);
  });

  it('SubtypeCondition tells classes from guards, and can be told', () => {
    expect(new SubtypeCondition<Event, Payment>(Payment).kind).toBe('class');
    expect(new SubtypeCondition<unknown, Date>(Date).kind).toBe('class');
    expect(new SubtypeCondition<unknown, Date>(Date).filter(new Date())).toBe(true);
    expect(new SubtypeCondition<Event, Payment>((e): e is Payment => e.type === 'payment').kind).toBe(
      'guard',
    );
    function isPay(e: Event): e is Payment {
      return e.type === 'payment';
    }
    expect(new SubtypeCondition<Event, Payment>(isPay).kind).toBe('guard');
    function Legacy(this: { v: number }) {
      this.v = 1;
    }
    Legacy.prototype.get = function get() {
      return 1;
    };
    expect(new SubtypeCondition<unknown, any>(Legacy as any).kind).toBe('class');
    function Bare() {}
    expect(new SubtypeCondition<unknown, any>(Bare as any).kind).toBe('guard');
    expect(SubtypeCondition.ofClass<unknown, any>(Bare as any).kind).toBe('class');
    expect(SubtypeCondition.ofGuard<Event, Payment>(isPay).filter(new Payment(1))).toBe(true);
    const explicit = SubtypeCondition.ofClass<Event, Payment>(Payment);
    const p = Pattern.begin<Event>('a').subtype(explicit);
    expect(p.getCondition()).toBe(explicit);
    expect(() => new SubtypeCondition<Event, Payment>(42 as any)).toThrow(TypeError);
  });

  it('or widens the stage back to the base type', () => {
    const p = Pattern.begin<Event>('a')
      .subtype(Payment)
      .or((e) => e.type === 'refund');
    expectTypeOf(p).toEqualTypeOf<Pattern<Event, Event>>();
    expect(test(p, new Refund(1))).toBe(true);
    expect(test(p, new Payment(1))).toBe(true);
    expect(test(p, new Event('x'))).toBe(false);
  });

  it('until keeps its condition', () => {
    const stop = (e: Event) => e.type === 'stop';
    expect(Pattern.begin<Event>('a').oneOrMore().until(stop).getUntilCondition()).toBe(stop);
  });

  it('toConditionFunction and isIterativeCondition', () => {
    const f = (n: number) => n > 1;
    expect(toConditionFunction(f)).toBe(f);
    const obj = {
      k: 5,
      filter(n: number) {
        return n > this.k;
      },
    };
    expect(toConditionFunction<number, number>(obj)(6, ctxOf())).toBe(true);
    expect(() => toConditionFunction({} as any)).toThrow(TypeError);
    expect(isIterativeCondition(f)).toBe(true);
    expect(isIterativeCondition(obj)).toBe(true);
    expect(isIterativeCondition(null)).toBe(false);
    expect(isIterativeCondition({ filter: 1 })).toBe(false);
  });

  it('BooleanConditions are constant singletons', () => {
    expect(BooleanConditions.trueFunction()(1, ctxOf())).toBe(true);
    expect(BooleanConditions.falseFunction()(1, ctxOf())).toBe(false);
    expect(BooleanConditions.trueFunction()).toBe(BooleanConditions.trueFunction());
  });

  it('composites forward the lifecycle to nested rich conditions, in order, awaiting async ones', async () => {
    const log: string[] = [];
    const rich = (name: string, async = false) => ({
      setRuntimeContext: () => log.push(`ctx ${name}`),
      open: () => {
        log.push(`open ${name}`);
        return async ? Promise.resolve().then(() => log.push(`opened ${name}`)) : undefined;
      },
      close: () => {
        log.push(`close ${name}`);
      },
      filter: () => true,
    });
    const c = new RichAndCondition<number>(
      rich('a', true) as IterativeCondition<number>,
      new NotCondition<number>(rich('b') as IterativeCondition<number>),
    );
    c.setRuntimeContext({} as any);
    await c.open({} as any);
    await c.close();
    expect(log).toEqual(['ctx a', 'ctx b', 'open a', 'opened a', 'open b', 'close a', 'close b']);
    // plain functions have no lifecycle: nothing to await
    expect(
      new RichOrCondition<number>(
        () => true,
        () => false,
      ).open({} as any),
    ).toBeUndefined();
  });

  it('property: where/or fold left over the conditions given', () => {
    const arb = fc.array(fc.tuple(fc.constantFrom('where', 'or'), fc.integer({ min: 0, max: 20 })), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 20 }), (ops, value) => {
        const p = Pattern.begin<number>('a');
        let expected: boolean | undefined;
        for (const [op, k] of ops) {
          const holds = value % (k + 1) === 0;
          if (op === 'where') p.where((n) => n % (k + 1) === 0);
          else p.or((n) => n % (k + 1) === 0);
          expected = expected === undefined ? holds : op === 'where' ? expected && holds : expected || holds;
        }
        expect(test(p, value)).toBe(expected);
      }),
    );
  });
});
