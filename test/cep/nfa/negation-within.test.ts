import { describe, expect, it } from 'vitest';
import { Pattern, WithinType } from '../../../src/cep/index.js';
import { compileNFA, NFA, StateType } from '../../../src/cep/nfa/index.js';
import { type Ev, is, run, stream } from './harness.js';

const begin = () => Pattern.begin<Ev>('a').where(is('a'));

describe('notNext', () => {
  const p = () => begin().notNext('b').where(is('b'));
  it('at the end: the match completes on the next allowed event', () => {
    expect(run(p(), 'a1 b1').matches).toEqual([]);
    expect(run(p(), 'a1 c1').matches).toEqual(['a1']);
    expect(run(p(), 'a1').matches).toEqual([]);
  });
  it('in the middle: the directly following event must not match', () => {
    const q = p().followedBy('c').where(is('c'));
    expect(run(q, 'a1 b1 c1').matches).toEqual([]);
    expect(run(q, 'a1 d1 b1 c1').matches).toEqual(['a1 c1']);
  });
});

describe('notFollowedBy', () => {
  it('in the middle: no forbidden event between the stages', () => {
    const q = begin().notFollowedBy('b').where(is('b')).followedBy('c').where(is('c'));
    expect(run(q, 'a1 b1 c1').matches).toEqual([]);
    expect(run(q, 'a1 d1 c1').matches).toEqual(['a1 c1']);
    expect(run(q, 'a1 c1 b1').matches).toEqual(['a1 c1']);
  });
  it('after a loop', () => {
    const q = begin().oneOrMore().notFollowedBy('b').where(is('b')).followedBy('c').where(is('c'));
    expect(run(q, 'a1 a2 b1 c1').matches).toEqual([]);
    expect(run(q, 'a1 a2 c1').matches.sort()).toEqual(['a1 a2 c1', 'a1 c1', 'a2 c1'].sort());
  });
  it('at the end with within: the pending match completes when time passes the window', () => {
    const q = begin().notFollowedBy('b').where(is('b')).within(10);
    expect(compileNFA(q).hasPendingState).toBe(true);
    expect(compileNFA(q).states.some((s) => s.type === StateType.Pending)).toBe(true);
    expect(run(q, 'a1@0 x1@3', 9).matches).toEqual([]);
    expect(run(q, 'a1@0 x1@3', 10).matches).toEqual(['a1']);
    expect(run(q, 'a1@0 b1@5', 20).matches).toEqual([]);
    expect(run(q, 'a1@0 a2@4', 20).matches).toEqual(['a1', 'a2']);
  });
  it('at the end after a loop: completes once per loop state, also without a later event', () => {
    const q = begin().oneOrMore().notFollowedBy('b').where(is('b')).within(10);
    expect(run(q, 'a1@0', 10).matches).toEqual(['a1']);
    expect(run(q, 'a1@0 x1@1', 10).matches).toEqual(['a1']);
    expect(run(q, 'a1@0 a2@1 b1@2', 20).matches).toEqual([]);
  });
  it('at the end after a loop, with a PREVIOUS_AND_CURRENT window on the negation: one match each', () => {
    const q = begin()
      .oneOrMore()
      .notFollowedBy('b')
      .where(is('b'))
      .within(3, WithinType.PREVIOUS_AND_CURRENT)
      .within(50);
    const r = run(q, 'a1@0 x1@1', 100);
    expect(r.matches).toEqual(['a1']);
    // The run still waiting for more a (in the loop's ignore state) times out with the pattern window.
    expect(r.timedOut).toEqual(['a1@50']);
  });
  it('at the end, the state is empty afterwards (W4: idle keys cost nothing)', () => {
    const r = run(begin().notFollowedBy('b').where(is('b')).within(10), 'a1@0 a2@1 x@2', 100);
    expect(r.nfa.isStateEmpty(r.state)).toBe(true);
    expect(r.state.buffer.isEmpty()).toBe(true);
  });
});

describe('within', () => {
  const p = () => begin().followedBy('b').where(is('b')).within(5);
  it('FIRST_AND_LAST: a match inside the window', () => {
    expect(run(p(), 'a1@0 b1@4').matches).toEqual(['a1 b1']);
  });
  it('FIRST_AND_LAST: the partial match times out at start + window', () => {
    const r = run(p(), 'a1@0 b1@5');
    expect(r.matches).toEqual([]);
    expect(r.timedOut).toEqual(['a1@5']);
  });
  it('the smallest window of the stages applies', () => {
    const q = begin().within(100).followedBy('b').where(is('b')).within(3);
    expect(run(q, 'a1@0 b1@3').timedOut).toEqual(['a1@3']);
  });
  it('PREVIOUS_AND_CURRENT: between the previous stage event and this one', () => {
    const q = begin()
      .followedBy('b')
      .where(is('b'))
      .followedBy('c')
      .where(is('c'))
      .within(3, WithinType.PREVIOUS_AND_CURRENT);
    expect(run(q, 'a1@0 b1@10 c1@12').matches).toEqual(['a1 b1 c1']);
    const r = run(q, 'a1@0 b1@10 c1@13');
    expect(r.matches).toEqual([]);
    expect(r.timedOut).toEqual(['a1 b1@13']);
  });
  it('a loop times out with all its events', () => {
    const q = begin().followedBy('b').where(is('b')).oneOrMore().followedBy('c').where(is('c')).within(5);
    const r = run(q, 'a1@0 b1@1 b2@2', 10);
    expect(r.timedOut.sort()).toEqual(['a1 b1 b2@5', 'a1 b1@5']);
    expect(r.state.buffer.isEmpty()).toBe(true);
  });
  it('a timed-out run takes no more events even if advanceTime was not called', () => {
    const nfa = new NFA<Ev>(compileNFA(p()));
    const state = nfa.createInitialState();
    const [a1, b1] = stream('a1@0 b1@7');
    nfa.process(state, a1!, 0);
    expect(nfa.process(state, b1!, 7)).toEqual([]);
    expect(nfa.advanceTime(state, 7).timedOut.map(([, t]) => t)).toEqual([5]);
  });
});
