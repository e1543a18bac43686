import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, Pattern } from '../../../src/cep/index.js';
import { compileNFA, NFA, SkipStrategyError } from '../../../src/cep/nfa/index.js';
import { type Ev, is, run, show } from './harness.js';

const S = AfterMatchSkipStrategy;

describe('after-match skip strategies (Flink docs: pattern b+ c over b1 b2 b3 c1)', () => {
  // consecutive(): no partial match outlives c1, so no match is held back (see below for that case).
  const p = (s: AfterMatchSkipStrategy) =>
    Pattern.begin<Ev>('b', s).where(is('b')).oneOrMore().consecutive().next('c').where(is('c'));
  const events = 'b1 b2 b3 c1';
  it.each([
    ['noSkip', S.noSkip(), ['b1 b2 b3 c1', 'b2 b3 c1', 'b3 c1']],
    ['skipToNext', S.skipToNext(), ['b1 b2 b3 c1', 'b2 b3 c1', 'b3 c1']],
    ['skipPastLastEvent', S.skipPastLastEvent(), ['b1 b2 b3 c1']],
    ['skipToFirst(b)', S.skipToFirst('b'), ['b1 b2 b3 c1', 'b2 b3 c1', 'b3 c1']],
    ['skipToLast(b)', S.skipToLast('b'), ['b1 b2 b3 c1', 'b3 c1']],
  ])('%s', (_name, strategy, expected) => {
    expect(run(p(strategy), events).matches).toEqual(expected);
  });
});

describe('after-match skip strategies (Flink docs: (a|b|c) (b|c) c+.greedy d over a b c1 c2 c3 d)', () => {
  const p = (s: AfterMatchSkipStrategy) =>
    Pattern.begin<Ev>('a', s)
      .where(is('a', 'b', 'c'))
      .followedBy('b')
      .where(is('b', 'c'))
      .followedBy('c')
      .where(is('c'))
      .oneOrMore()
      .greedy()
      .followedBy('d')
      .where(is('d'));
  const events = 'a1 b1 c1 c2 c3 d1';
  it('noSkip', () => {
    expect(run(p(S.noSkip()), events).matches).toEqual([
      'a1 b1 c1 c2 c3 d1',
      'b1 c1 c2 c3 d1',
      'c1 c2 c3 d1',
    ]);
  });
  it('skipToFirst(c)', () => {
    expect(run(p(S.skipToFirst('c')), events).matches).toEqual(['a1 b1 c1 c2 c3 d1', 'c1 c2 c3 d1']);
  });
});

describe('after-match skip strategies (Flink docs: a b+ over a b1 b2 b3)', () => {
  const p = (s: AfterMatchSkipStrategy) =>
    Pattern.begin<Ev>('a', s).where(is('a')).followedBy('b').where(is('b')).oneOrMore();
  it('noSkip', () => {
    expect(run(p(S.noSkip()), 'a1 b1 b2 b3').matches).toEqual(['a1 b1', 'a1 b1 b2', 'a1 b1 b2 b3']);
  });
  it('skipToNext', () => {
    expect(run(p(S.skipToNext()), 'a1 b1 b2 b3').matches).toEqual(['a1 b1']);
  });
});

describe('skip-to misses', () => {
  const p = (s: AfterMatchSkipStrategy) =>
    Pattern.begin<Ev>('a', s)
      .where(is('a'))
      .followedBy('b')
      .where(is('b'))
      .optional()
      .followedBy('c')
      .where(is('c'));
  it('fall back to no skip', () => {
    expect(run(p(S.skipToLast('b')), 'a1 c1').matches).toEqual(['a1 c1']);
  });
  it('throw with throwExceptionOnMiss()', () => {
    expect(() => run(p(S.skipToLast('b').throwExceptionOnMiss()), 'a1 c1')).toThrow(SkipStrategyError);
  });
  it('skipping to the first event of the match throws with throwExceptionOnMiss()', () => {
    expect(() => run(p(S.skipToFirst('a').throwExceptionOnMiss()), 'a1 c1')).toThrow(
      'Could not skip to first element of a match.',
    );
  });
});

describe('skip strategies apply to matches completed by time (unlike Flink, FLINK-31017)', () => {
  it('skipPastLastEvent on a trailing notFollowedBy', () => {
    const p = (s: AfterMatchSkipStrategy) =>
      Pattern.begin<Ev>('a', s).where(is('a')).oneOrMore().notFollowedBy('b').where(is('b')).within(10);
    expect(run(p(S.noSkip()), 'a1@0 a2@1', 20).matches.sort()).toEqual(['a1', 'a1 a2', 'a2']);
    expect(run(p(S.skipPastLastEvent()), 'a1@0 a2@1', 20).matches).toEqual(['a1', 'a2']);
  });
  it('a match is held back while an earlier partial match lives, and released when it times out', () => {
    // Relaxed loop: after c1 the runs started at b1, b2, b3 still wait in the loop.
    const p = Pattern.begin<Ev>('b', S.skipToFirst('b'))
      .where(is('b'))
      .oneOrMore()
      .next('c')
      .where(is('c'))
      .within(10);
    const nfa = new NFA<Ev>(compileNFA(p));
    const state = nfa.createInitialState();
    const out: string[] = [];
    for (const [i, name] of ['b1', 'b2', 'b3', 'c1'].entries()) {
      nfa.advanceTime(state, i);
      for (const m of nfa.process(state, { name, type: name[0]!, ts: i }, i)) out.push(show(m));
    }
    expect(out).toEqual(['b1 b2 b3 c1']);
    const { matches, timedOut } = nfa.advanceTime(state, 100);
    expect(matches.map(show)).toEqual(['b2 b3 c1', 'b3 c1']);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(nfa.isStateEmpty(state)).toBe(true);
    expect(state.buffer.isEmpty()).toBe(true);
  });
});
