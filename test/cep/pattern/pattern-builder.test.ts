import { describe, expect, it } from 'vitest';
import {
  AfterMatchSkipStrategy,
  BooleanConditions,
  ConsumingStrategy,
  GroupPattern,
  isGroupPattern,
  leafStagesOf,
  Pattern,
  QuantifierProperty,
  stagesOf,
} from '../../../src/cep/index.js';
import type { Event } from './fixtures.js';

describe('Pattern builder: the linked list of stages', () => {
  it('begin starts a single strict stage with no previous and a no-skip strategy', () => {
    const a = Pattern.begin<Event>('a');
    expect(a.getName()).toBe('a');
    expect(a.getPrevious()).toBeNull();
    expect(a.getQuantifier().getConsumingStrategy()).toBe(ConsumingStrategy.STRICT);
    expect(a.getQuantifier().getProperties()).toEqual([QuantifierProperty.SINGLE]);
    expect(a.getTimes()).toBeUndefined();
    expect(a.getUntilCondition()).toBeUndefined();
    expect(a.getCondition()).toBe(BooleanConditions.trueFunction());
    expect(a.getAfterMatchSkipStrategy()).toBe(AfterMatchSkipStrategy.noSkip());
    expect(a.getWindowSize()).toBeUndefined();
  });

  it('each appending method returns a new stage pointing back with its consuming strategy', () => {
    const a = Pattern.begin<Event>('a');
    const b = a.next('b');
    const c = b.followedBy('c');
    const d = c.followedByAny('d');
    const e = d.notNext('e');
    const f = e.followedBy('f');
    const g = f.notFollowedBy('g');
    expect(g.getPrevious()).toBe(f);
    expect(f.getPrevious()).toBe(e);
    expect(b.getPrevious()).toBe(a);
    expect(stagesOf(g).map((s) => [s.getName(), s.getQuantifier().getConsumingStrategy()])).toEqual([
      ['a', ConsumingStrategy.STRICT],
      ['b', ConsumingStrategy.STRICT],
      ['c', ConsumingStrategy.SKIP_TILL_NEXT],
      ['d', ConsumingStrategy.SKIP_TILL_ANY],
      ['e', ConsumingStrategy.NOT_NEXT],
      ['f', ConsumingStrategy.SKIP_TILL_NEXT],
      ['g', ConsumingStrategy.NOT_FOLLOW],
    ]);
    expect(g.getQuantifier().isNegation()).toBe(true);
    expect(f.getQuantifier().isNegation()).toBe(false);
  });

  it('modifiers return the same stage, so chains read like Flink', () => {
    const a = Pattern.begin<Event>('a');
    expect(a.where((e) => e.amount > 0)).toBe(a);
    expect(a.oneOrMore()).toBe(a);
    expect(a.optional()).toBe(a);
    expect(a.consecutive()).toBe(a);
    expect(a.greedy()).toBe(a);
    expect(a.within(10)).toBe(a);
    expect(a.until(() => false)).toBe(a);
  });

  it('the skip strategy given to begin is carried by every stage, groups included', () => {
    const skip = AfterMatchSkipStrategy.skipToLast('b');
    const last = Pattern.begin<Event>('a', skip)
      .next('b')
      .followedBy(Pattern.begin<Event>('c').next('d'))
      .notNext('e');
    for (const stage of stagesOf(last)) expect(stage.getAfterMatchSkipStrategy()).toBe(skip);
  });

  it('groups: begin/next/followedBy/followedByAny accept a pattern and build a GroupPattern', () => {
    const inner = Pattern.begin<Event>('x').followedBy('y');
    const g0 = Pattern.begin(inner);
    expect(g0).toBeInstanceOf(GroupPattern);
    expect(g0).toBeInstanceOf(Pattern);
    expect(g0.getRawPattern()).toBe(inner);
    expect(g0.getName()).toBe('GroupPattern');
    expect(g0.describe()).toBe('GroupPattern(x -> y)');
    expect(g0.getPrevious()).toBeNull();
    expect(isGroupPattern(g0)).toBe(true);
    expect(isGroupPattern(inner)).toBe(false);

    const base = Pattern.begin<Event>('a');
    const strategies = [
      [base.next(Pattern.begin<Event>('n1')), ConsumingStrategy.STRICT],
      [base.followedBy(Pattern.begin<Event>('n2')), ConsumingStrategy.SKIP_TILL_NEXT],
      [base.followedByAny(Pattern.begin<Event>('n3')), ConsumingStrategy.SKIP_TILL_ANY],
    ] as const;
    for (const [group, strategy] of strategies) {
      expect(group).toBeInstanceOf(GroupPattern);
      expect(group.getPrevious()).toBe(base);
      expect(group.getQuantifier().getConsumingStrategy()).toBe(strategy);
    }
  });

  it('begin(group, strategy) sets the strategy of the outer pattern', () => {
    const g = Pattern.begin(Pattern.begin<Event>('a'), AfterMatchSkipStrategy.skipPastLastEvent());
    expect(g.getAfterMatchSkipStrategy()).toBe(AfterMatchSkipStrategy.skipPastLastEvent());
  });

  it('leafStagesOf flattens nested groups in order', () => {
    const p = Pattern.begin<Event>('a')
      .followedBy(Pattern.begin(Pattern.begin<Event>('b').next('c')).next('d'))
      .oneOrMore()
      .next('e');
    expect(leafStagesOf(p).map((s) => s.getName())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(stagesOf(p).map((s) => s.describe())).toEqual(['a', 'GroupPattern(b -> c -> d)', 'e']);
  });

  it('toString shows the stage', () => {
    const s = String(Pattern.begin<Event>('a').next('b').times(2).within(5));
    expect(s).toContain("name='b'");
    expect(s).toContain('previous=a');
    expect(s).toContain('TIMES');
    expect(s).toContain('FIRST_AND_LAST=5');
  });
});
