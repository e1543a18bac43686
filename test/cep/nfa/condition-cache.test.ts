import { describe, expect, it } from 'vitest';
import { type ConditionContext, Pattern } from '../../../src/cep/index.js';
import {
  compileNFA,
  edgeCondition,
  isContextFreeCondition,
  isContextFreeEdge,
  NFA,
} from '../../../src/cep/nfa/index.js';
import { type Ev, show, stream } from './harness.js';

/** Runs `a any b` over `events` and returns the matches and how often the b condition ran. */
function runCounting(bCondition: (e: Ev, ctx: ConditionContext<Ev>) => boolean, events: string) {
  const nfa = new NFA<Ev>(
    compileNFA(
      Pattern.begin<Ev>('a')
        .where((e) => e.type === 'a')
        .followedByAny('b')
        .where(bCondition),
    ),
  );
  const state = nfa.createInitialState();
  const matches: string[] = [];
  for (const e of stream(events)) for (const m of nfa.process(state, e, e.ts)) matches.push(show(m));
  return matches;
}

describe('per-event decisions for context-free conditions', () => {
  it('a one-parameter condition runs once per event and state, not once per partial match', () => {
    let calls = 0;
    const matches = runCounting((e) => {
      calls++;
      return e.type === 'b';
    }, 'a1 a2 a3 a4 x1 b1');
    // a2..b1 each find runs waiting in b (1, 2, 3, 4, 4 of them): one decision per event, not 14.
    expect(calls).toBe(5);
    expect(matches).toEqual(['a1 b1', 'a2 b1', 'a3 b1', 'a4 b1']);
  });

  it('an iterative condition (it takes ctx) runs for every partial match and sees its own events', () => {
    let calls = 0;
    const seen: string[] = [];
    const matches = runCounting((e, ctx) => {
      calls++;
      const a = [...ctx.getEventsForPattern('a')][0]!;
      seen.push(`${a.name}/${e.name}`);
      return e.type === 'b' && a.name !== 'a2';
    }, 'a1 a2 x1 b1');
    expect(calls).toBe(5);
    expect(seen).toEqual(['a1/a2', 'a1/x1', 'a2/x1', 'a1/b1', 'a2/b1']);
    expect(matches).toEqual(['a1 b1']);
  });

  it('classifies conditions by arity, composites by their parts', () => {
    expect(isContextFreeCondition((e: Ev) => e.type === 'a')).toBe(true);
    expect(isContextFreeCondition((_e: Ev, ctx: ConditionContext<Ev>) => ctx.timestamp() > 0)).toBe(false);
    expect(isContextFreeCondition({ filter: (e: Ev) => e.type === 'a' })).toBe(true);
    const where2 = Pattern.begin<Ev>('a')
      .where((e) => e.type === 'a')
      .where((e) => e.ts > 0);
    expect(isContextFreeCondition(where2.getCondition())).toBe(true);
    const mixed = Pattern.begin<Ev>('a')
      .where((e) => e.type === 'a')
      .or((_e, ctx) => ctx.timestamp() > 5);
    expect(isContextFreeCondition(mixed.getCondition())).toBe(false);
    expect(isContextFreeEdge(edgeCondition(where2.getCondition()))).toBe(true);
    expect(isContextFreeEdge(edgeCondition(mixed.getCondition()))).toBe(false);
  });
});
