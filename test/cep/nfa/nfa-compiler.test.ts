import { describe, expect, it } from 'vitest';
import {
  AfterMatchSkipStrategy,
  MalformedPatternError,
  Pattern,
  WithinType,
} from '../../../src/cep/index.js';
import {
  compileNFA,
  StateType,
  TransitionAction,
  UnsupportedPatternError,
} from '../../../src/cep/nfa/index.js';
import { type Ev, is } from './harness.js';

const describeStates = (p: Pattern<Ev, any>) =>
  compileNFA(p).states.map(
    (s) =>
      `${s.name}:${s.type}[${s.transitions.map((t) => `${t.action}>${compileNFA(p).states[t.target]!.name}`).join(' ')}]`,
  );

describe('compileNFA', () => {
  it('a strict sequence: Start, Normal, Final', () => {
    expect(describeStates(Pattern.begin<Ev>('a').where(is('a')).next('b').where(is('b')))).toEqual([
      '$endState$:Final[]',
      'b:Normal[TAKE>$endState$]',
      'a:Start[TAKE>b]',
    ]);
  });
  it('relaxed contiguity adds IGNORE edges; a loop has a looping and an ignore state', () => {
    const states = describeStates(
      Pattern.begin<Ev>('a').where(is('a')).followedBy('b').where(is('b')).oneOrMore(),
    );
    expect(states).toContain('b:Normal[PROCEED>$endState$ TAKE>b IGNORE>b:1]');
    expect(states).toContain('b:1:Normal[TAKE>b IGNORE>b:1]');
    expect(states).toContain('b:2:Normal[TAKE>b IGNORE>b:2]');
  });
  it('times(2, 3): mandatory then optional states', () => {
    const c = compileNFA(Pattern.begin<Ev>('a').where(is('a')).times(2, 3).consecutive());
    expect(c.states.filter((s) => s.stageName === 'a')).toHaveLength(3);
    expect(c.states[c.startState]!.type).toBe(StateType.Start);
  });
  it('notNext and notFollowedBy create Stop states; a trailing notFollowedBy a Pending one', () => {
    const c = compileNFA(
      Pattern.begin<Ev>('a')
        .notNext('x')
        .followedBy('b')
        .notFollowedBy('y')
        .within(5, WithinType.PREVIOUS_AND_CURRENT),
    );
    expect(
      c.states
        .filter((s) => s.type === StateType.Stop)
        .map((s) => s.stageName)
        .sort(),
    ).toEqual(['x', 'y']);
    expect(c.states.filter((s) => s.type === StateType.Pending).map((s) => s.stageName)).toEqual(['y']);
    expect(c.hasPendingState).toBe(true);
    expect(c.windowTimes.get('y')).toBe(5);
  });
  it('windows and skip strategy are carried', () => {
    const c = compileNFA(
      Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipPastLastEvent()).within(100).next('b').within(50),
    );
    expect(c.windowTime).toBe(50);
    expect(c.afterMatchSkipStrategy).toBe(AfterMatchSkipStrategy.skipPastLastEvent());
  });
  it("greedy: the following stage's transitions are guarded by the greedy stage's condition", () => {
    const c = compileNFA(Pattern.begin<Ev>('a').where(is('a')).oneOrMore().greedy().next('b'));
    const loop = c.states.find((s) => s.name === 'a')!;
    expect(loop.greedy).toBe(true);
    expect(loop.transitions.find((t) => t.action === TransitionAction.PROCEED)!.condition).toBeNull();
    const b = c.states.find((s) => s.name === 'b')!;
    const take = b.transitions.find((t) => t.action === TransitionAction.TAKE)!;
    expect(take.condition).not.toBeNull(); // 'b' has no condition of its own: only the greedy guard
  });
  it('validates the pattern first', () => {
    expect(() => compileNFA(Pattern.begin<Ev>('a').notFollowedBy('b'))).toThrow(MalformedPatternError);
  });
  it('nested group patterns are not supported yet: a clear error at compile time', () => {
    const p = Pattern.begin<Ev>('a')
      .next(Pattern.begin<Ev>('b').next(Pattern.begin<Ev>('c').next('d')))
      .times(2);
    expect(() => compileNFA(p)).toThrow(UnsupportedPatternError);
    expect(() => compileNFA(p)).toThrow(/not supported/);
  });
});
