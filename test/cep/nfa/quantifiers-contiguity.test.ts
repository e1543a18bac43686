import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, Pattern } from '../../../src/cep/index.js';
import { type Ev, is, run, sorted } from './harness.js';

const begin = () => Pattern.begin<Ev>('a').where(is('a'));

describe('contiguity between stages (Flink docs: pattern "a b" over "a c b1 b2")', () => {
  const events = 'a1 c1 b1 b2';
  it('strict (next): no match', () => {
    expect(run(begin().next('b').where(is('b')), events).matches).toEqual([]);
  });
  it('relaxed (followedBy): {a b1}', () => {
    expect(run(begin().followedBy('b').where(is('b')), events).matches).toEqual(['a1 b1']);
  });
  it('non-deterministic relaxed (followedByAny): {a b1}, {a b2}', () => {
    expect(run(begin().followedByAny('b').where(is('b')), events).matches).toEqual(['a1 b1', 'a1 b2']);
  });
});

describe('looping a b+ c over "a1 b1 b2 b3 c1"', () => {
  const events = 'a1 b1 b2 b3 c1';
  const abc = (b: (p: Pattern<Ev, Ev>) => Pattern<Ev, Ev>) =>
    b(begin().followedBy('b').where(is('b')).oneOrMore())
      .followedBy('c')
      .where(is('c'));
  it('relaxed inside the loop (default): the loop takes consecutive matching b', () => {
    expect(
      sorted(
        run(
          abc((p) => p),
          events,
        ).matches,
      ),
    ).toEqual(sorted(['a1 b1 c1', 'a1 b1 b2 c1', 'a1 b1 b2 b3 c1']));
  });
  it('allowCombinations: every subset of b starting at b1', () => {
    expect(
      sorted(
        run(
          abc((p) => p.allowCombinations()),
          events,
        ).matches,
      ),
    ).toEqual(sorted(['a1 b1 c1', 'a1 b1 b2 c1', 'a1 b1 b3 c1', 'a1 b1 b2 b3 c1']));
  });
  it('followedByAny into the loop: any first b', () => {
    const p = begin().followedByAny('b').where(is('b')).oneOrMore().followedBy('c').where(is('c'));
    expect(run(p, events).matches).toHaveLength(6);
  });
  it('greedy: only the longest loop', () => {
    expect(
      run(
        abc((p) => p.greedy()),
        events,
      ).matches,
    ).toEqual(['a1 b1 b2 b3 c1']);
  });
  it('strict c after the loop', () => {
    const p = begin().followedBy('b').where(is('b')).oneOrMore().next('c').where(is('c'));
    expect(run(p, events).matches).toEqual(['a1 b1 b2 b3 c1']);
  });
});

describe('consecutive / allowCombinations (Flink docs: C D A1 A2 A3 D A4 B)', () => {
  const events = 'c1 d1 a1 a2 a3 d2 a4 b1';
  const p = () => Pattern.begin<Ev>('start').where(is('c')).followedBy('middle').where(is('a')).oneOrMore();
  const end = (m: Pattern<Ev, Ev>) => m.followedBy('end1').where(is('b'));
  it('consecutive(): {C A1 B}, {C A1 A2 B}, {C A1 A2 A3 B}', () => {
    expect(sorted(run(end(p().consecutive()), events).matches)).toEqual(
      sorted(['c1 a1 b1', 'c1 a1 a2 b1', 'c1 a1 a2 a3 b1']),
    );
  });
  it('default (relaxed): adds {C A1 A2 A3 A4 B}', () => {
    expect(sorted(run(end(p()), events).matches)).toEqual(
      sorted(['c1 a1 b1', 'c1 a1 a2 b1', 'c1 a1 a2 a3 b1', 'c1 a1 a2 a3 a4 b1']),
    );
  });
  it('allowCombinations(): every combination starting at A1', () => {
    expect(sorted(run(end(p().allowCombinations()), events).matches)).toEqual(
      sorted([
        'c1 a1 b1',
        'c1 a1 a2 b1',
        'c1 a1 a3 b1',
        'c1 a1 a4 b1',
        'c1 a1 a2 a3 b1',
        'c1 a1 a2 a4 b1',
        'c1 a1 a3 a4 b1',
        'c1 a1 a2 a3 a4 b1',
      ]),
    );
  });
});

describe('times, timesOrMore, optional, until', () => {
  const events = 'a1 b1 b2 b3 c1';
  const withB = (q: (p: Pattern<Ev, Ev>) => Pattern<Ev, Ev>) =>
    q(begin().followedBy('b').where(is('b')))
      .followedBy('c')
      .where(is('c'));
  it('times(2)', () => {
    expect(
      run(
        withB((p) => p.times(2)),
        events,
      ).matches,
    ).toEqual(['a1 b1 b2 c1']);
  });
  it('times(2, 3)', () => {
    expect(
      sorted(
        run(
          withB((p) => p.times(2, 3)),
          events,
        ).matches,
      ),
    ).toEqual(sorted(['a1 b1 b2 c1', 'a1 b1 b2 b3 c1']));
  });
  it('times(2, 3).consecutive() with a gap', () => {
    expect(
      run(
        withB((p) => p.times(2, 3).consecutive()),
        'a1 b1 b2 x1 b3 c1',
      ).matches,
    ).toEqual(['a1 b1 b2 c1']);
  });
  it('times(0, 2) is optional', () => {
    expect(
      sorted(
        run(
          withB((p) => p.times(0, 2)),
          'a1 b1 b2 c1',
        ).matches,
      ),
    ).toEqual(sorted(['a1 c1', 'a1 b1 c1', 'a1 b1 b2 c1']));
  });
  it('timesOrMore(2)', () => {
    expect(
      sorted(
        run(
          withB((p) => p.timesOrMore(2)),
          events,
        ).matches,
      ),
    ).toEqual(sorted(['a1 b1 b2 c1', 'a1 b1 b2 b3 c1']));
  });
  it('optional()', () => {
    expect(
      sorted(
        run(
          withB((p) => p.optional()),
          'a1 b1 c1',
        ).matches,
      ),
    ).toEqual(sorted(['a1 c1', 'a1 b1 c1']));
  });
  it('oneOrMore().optional()', () => {
    expect(
      sorted(
        run(
          withB((p) => p.oneOrMore().optional()),
          'a1 b1 b2 c1',
        ).matches,
      ),
    ).toEqual(sorted(['a1 c1', 'a1 b1 c1', 'a1 b1 b2 c1']));
  });
  it('until stops the loop at the first event satisfying it', () => {
    const events2 = 'a1 b1 x1 b2 c1';
    expect(
      sorted(
        run(
          withB((p) => p.oneOrMore()),
          events2,
        ).matches,
      ),
    ).toEqual(sorted(['a1 b1 c1', 'a1 b1 b2 c1']));
    expect(
      run(
        withB((p) => p.oneOrMore().until(is('x'))),
        events2,
      ).matches,
    ).toEqual(['a1 b1 c1']);
  });
  it('a loop at the head of the pattern: every start', () => {
    const p = Pattern.begin<Ev>('b').where(is('b')).oneOrMore().next('c').where(is('c'));
    expect(sorted(run(p, 'b1 b2 c1').matches)).toEqual(sorted(['b1 b2 c1', 'b2 c1']));
  });
  it('greedy loop at the head of the pattern (FLINK-8914)', () => {
    const p = Pattern.begin<Ev>('b').where(is('b')).oneOrMore().greedy().followedBy('c').where(is('c'));
    expect(sorted(run(p, 'b1 b2 x1 c1').matches)).toEqual(sorted(['b1 b2 c1', 'b2 c1']));
    const longest = Pattern.begin<Ev>('b', AfterMatchSkipStrategy.skipPastLastEvent())
      .where(is('b'))
      .oneOrMore()
      .greedy()
      .followedBy('c')
      .where(is('c'));
    expect(run(longest, 'b1 b2 x1 c1').matches).toEqual(['b1 b2 c1']);
  });
});

describe('iterative conditions read the partial match from the shared buffer', () => {
  it('rising values: each b above the previous b', () => {
    const events: Ev[] = [3, 5, 4, 6].map((v, i) => ({ name: `b${v}`, type: 'b', ts: i }));
    const p = Pattern.begin<Ev>('b')
      .where((e, ctx) => {
        const prev = [...ctx.getEventsForPattern('b')].at(-1);
        return prev === undefined || Number(e.name.slice(1)) > Number(prev.name.slice(1));
      })
      .oneOrMore()
      .consecutive()
      .next('end')
      .where((e, ctx) => e.type === 'b' && ctx.timestamp() === 3);
    expect(sorted(run(p, events).matches)).toEqual(sorted(['b4 b6']));
  });
});

describe('iterative conditions see only their own branch', () => {
  it('allowCombinations: the condition of c counts the b of its own combination', () => {
    const p = Pattern.begin<Ev>('a')
      .where(is('a'))
      .followedBy('b')
      .where(is('b'))
      .oneOrMore()
      .allowCombinations()
      .followedBy('c')
      .where((e, ctx) => e.type === 'c' && [...ctx.getEventsForPattern('b')].length === 2);
    expect(sorted(run(p, 'a1 b1 b2 b3 c1').matches)).toEqual(sorted(['a1 b1 b2 c1', 'a1 b1 b3 c1']));
  });
});
