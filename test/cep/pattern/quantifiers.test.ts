import { describe, expect, it } from 'vitest';
import {
  ConsumingStrategy,
  MalformedPatternError,
  Pattern,
  Quantifier,
  QuantifierProperty,
  Times,
} from '../../../src/cep/index.js';
import type { Event } from './fixtures.js';

const { SINGLE, LOOPING, TIMES, OPTIONAL, GREEDY } = QuantifierProperty;
const b = () => Pattern.begin<Event>('a').followedBy('b');

describe('quantifiers', () => {
  it('times(n): TIMES from n to n, keeping the consuming strategy', () => {
    const p = b().times(3);
    expect(p.getQuantifier().getProperties()).toEqual([TIMES]);
    expect(p.getQuantifier().getConsumingStrategy()).toBe(ConsumingStrategy.SKIP_TILL_NEXT);
    expect(p.getQuantifier().getInnerConsumingStrategy()).toBe(ConsumingStrategy.SKIP_TILL_NEXT);
    expect(p.getTimes()?.from).toBe(3);
    expect(p.getTimes()?.to).toBe(3);
  });

  it('times(from, to) and times(0, to) = optional times(1, to), as in Flink', () => {
    const p = b().times(2, 4);
    expect(p.getQuantifier().getProperties()).toEqual([TIMES]);
    expect([p.getTimes()?.getFrom(), p.getTimes()?.getTo()]).toEqual([2, 4]);
    const q = b().times(0, 3);
    expect(q.getQuantifier().getProperties()).toEqual([TIMES, OPTIONAL]);
    expect([q.getTimes()?.from, q.getTimes()?.to]).toEqual([1, 3]);
    expect(b().times(2, 2).getTimes()?.equals(Times.of(2))).toBe(true);
  });

  it('oneOrMore and timesOrMore are LOOPING with from = to = n; timesOrMore(0) is an optional oneOrMore', () => {
    const p = b().oneOrMore();
    expect(p.getQuantifier().getProperties()).toEqual([LOOPING]);
    expect(p.getTimes()?.equals(Times.of(1))).toBe(true);
    const q = b().timesOrMore(3);
    expect(q.getQuantifier().getProperties()).toEqual([LOOPING]);
    expect(q.getTimes()?.equals(Times.of(3, 3))).toBe(true);
    const z = b().timesOrMore(0);
    expect(z.getQuantifier().getProperties()).toEqual([LOOPING, OPTIONAL]);
    expect(z.getTimes()?.equals(Times.of(1))).toBe(true);
  });

  it('optional works on single, looping and times stages, before or after the quantifier', () => {
    expect(b().optional().getQuantifier().getProperties()).toEqual([SINGLE, OPTIONAL]);
    expect(b().oneOrMore().optional().getQuantifier().getProperties()).toEqual([LOOPING, OPTIONAL]);
    // unlike Flink, optional() before times() is not lost
    expect(b().optional().times(2).getQuantifier().getProperties()).toEqual([TIMES, OPTIONAL]);
    expect(b().optional().times(0, 2).getQuantifier().getProperties()).toEqual([TIMES, OPTIONAL]);
  });

  it('greedy on looping and times stages', () => {
    expect(b().oneOrMore().greedy().getQuantifier().getProperties()).toEqual([LOOPING, GREEDY]);
    expect(b().times(1, 3).greedy().getQuantifier().getProperties()).toEqual([TIMES, GREEDY]);
    expect(b().oneOrMore().greedy().greedy().getQuantifier().hasProperty(GREEDY)).toBe(true);
    expect(b().oneOrMore().optional().greedy().getQuantifier().getProperties()).toEqual([
      LOOPING,
      OPTIONAL,
      GREEDY,
    ]);
  });

  it('consecutive and allowCombinations set the inner consuming strategy', () => {
    expect(b().oneOrMore().consecutive().getQuantifier().getInnerConsumingStrategy()).toBe(
      ConsumingStrategy.STRICT,
    );
    expect(b().times(2).allowCombinations().getQuantifier().getInnerConsumingStrategy()).toBe(
      ConsumingStrategy.SKIP_TILL_ANY,
    );
    expect(b().times(2).consecutive().getQuantifier().getConsumingStrategy()).toBe(
      ConsumingStrategy.SKIP_TILL_NEXT,
    );
  });

  it('groups take times, oneOrMore, timesOrMore, optional, consecutive, allowCombinations', () => {
    const g = () => Pattern.begin<Event>('a').followedBy(Pattern.begin<Event>('x').next('y'));
    expect(g().times(2, 3).getTimes()?.equals(Times.of(2, 3))).toBe(true);
    expect(g().oneOrMore().consecutive().getQuantifier().getInnerConsumingStrategy()).toBe(
      ConsumingStrategy.STRICT,
    );
    expect(g().timesOrMore(2).allowCombinations().getQuantifier().getProperties()).toEqual([LOOPING]);
    expect(g().optional().getQuantifier().getProperties()).toEqual([SINGLE, OPTIONAL]);
  });

  it('Quantifier mirrors Flink: factories, equality, toString', () => {
    const q = Quantifier.looping(ConsumingStrategy.STRICT);
    expect(q.hasProperty(LOOPING)).toBe(true);
    expect(q.equals(Quantifier.looping(ConsumingStrategy.STRICT))).toBe(true);
    expect(q.equals(Quantifier.looping(ConsumingStrategy.SKIP_TILL_ANY))).toBe(false);
    q.consecutive();
    expect(q.equals(Quantifier.looping(ConsumingStrategy.STRICT))).toBe(false);
    expect(String(q)).toBe(
      'Quantifier{properties=[LOOPING], consumingStrategy=STRICT, innerConsumingStrategy=STRICT}',
    );
    expect(Quantifier.one(ConsumingStrategy.NOT_NEXT).isNegation()).toBe(true);
  });

  it('Times validates its bounds', () => {
    expect(() => Times.of(0)).toThrow(MalformedPatternError);
    expect(() => Times.of(3, 2)).toThrow(
      'The to should be an integer greater than or equal to from: 3, got 2.',
    );
    expect(() => Times.of(1.5)).toThrow('The from should be a positive integer greater than 0, got 1.5.');
    expect(String(Times.of(1, 3))).toBe('Times{from=1, to=3}');
  });
});
