import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AfterMatchSkipStrategy, Pattern } from '../../../src/cep/index.js';
import {
  compileNFA,
  deserializeNFAState,
  NFA,
  type NFAState,
  nfaStateFromData,
  nfaStateToData,
  serializeNFAState,
} from '../../../src/cep/nfa/index.js';
import { type Ev, show } from './harness.js';
import { samplePatterns, skipStrategies } from './patterns.js';

const eventsArb = fc
  .array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 3 })), { maxLength: 30 })
  .map((xs) => {
    let ts = 0;
    return xs.map(([type, gap], i): Ev => {
      ts += gap;
      return { name: `${type}${i}`, type, ts };
    });
  });

const caseArb = fc.record({
  pattern: fc.integer({ min: 0, max: samplePatterns.length - 1 }),
  skip: fc.integer({ min: 0, max: 4 }),
  events: eventsArb,
});

function patternOf(c: { pattern: number; skip: number }): Pattern<Ev, any> {
  const sample = samplePatterns[c.pattern]!;
  const skip: AfterMatchSkipStrategy = skipStrategies(sample.stage)[c.skip]!;
  return sample.build(skip);
}

/** Runs events, optionally replacing the state by a restored copy before event `cut`. */
function runWithCut(
  pattern: Pattern<Ev, any>,
  events: Ev[],
  cut: number | undefined,
  check?: (nfa: NFA<Ev>, state: NFAState<Ev>) => void,
): string[] {
  let nfa = new NFA<Ev>(compileNFA(pattern));
  let state = nfa.createInitialState();
  const out: string[] = [];
  const end = (events.at(-1)?.ts ?? 0) + 100;
  const steps = [...events.map((e) => e.ts), end];
  for (let i = 0; i < steps.length; i++) {
    if (i === cut) {
      const bytes = serializeNFAState(nfa.compiled, state);
      nfa = new NFA<Ev>(compileNFA(pattern)); // compiled again, as after a restart
      state = deserializeNFAState(nfa.compiled, bytes);
    }
    const ts = steps[i]!;
    const r = nfa.advanceTime(state, ts);
    for (const m of r.matches) out.push(`M ${show(m)}`);
    for (const [m, at] of r.timedOut) out.push(`T ${show(m)}@${at}`);
    const e = events[i];
    if (e !== undefined) for (const m of nfa.process(state, e, ts)) out.push(`M ${show(m)}`);
    check?.(nfa, state);
  }
  return out;
}

/**
 * The reference counts must agree with reachability: the buffer's node and event counters equal the
 * nodes and events reachable from the live partial and held matches (what a snapshot stores).
 */
function checkNoLeak(nfa: NFA<Ev>, state: NFAState<Ev>): void {
  const data = nfaStateToData(nfa.compiled, state);
  expect(state.buffer.nodeCount()).toBe(data.buffer.nodes.length);
  expect(state.buffer.eventCount()).toBe(data.buffer.events.length);
  if (nfa.isStateEmpty(state)) expect(state.buffer.isEmpty()).toBe(true);
}

describe('snapshot / restore', () => {
  it('restoring at a random point continues identically (fast-check)', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, cutSeed) => {
        const pattern = patternOf(c);
        const cut = cutSeed % (c.events.length + 2);
        expect(runWithCut(pattern, c.events, cut)).toEqual(runWithCut(pattern, c.events, undefined));
      }),
      { numRuns: 300 },
    );
  });

  it('plain data is structured-cloneable and round-trips', () => {
    const sample = samplePatterns[0]!;
    const compiled = compileNFA(sample.build(skipStrategies('b')[0]!));
    const nfa = new NFA<Ev>(compiled);
    const state = nfa.createInitialState();
    for (const [i, type] of ['a', 'b', 'b'].entries())
      nfa.process(state, { name: `${type}${i}`, type, ts: i }, i);
    const data = nfaStateToData(compiled, state);
    const copy = nfaStateFromData(compiled, structuredClone(data));
    expect(nfaStateToData(compiled, copy)).toEqual(data);
    expect(nfa.process(copy, { name: 'c9', type: 'c', ts: 3 }, 3).map(show)).toEqual(
      nfa.process(state, { name: 'c9', type: 'c', ts: 3 }, 3).map(show),
    );
  });

  it('refuses a state naming an unknown NFA state', () => {
    const compiled = compileNFA(samplePatterns[0]!.build(skipStrategies('b')[0]!));
    const data = nfaStateToData(compiled, new NFA<Ev>(compiled).createInitialState());
    const bad = { ...data, partialMatches: [{ ...data.partialMatches[0]!, state: 'nope' }] };
    expect(() => nfaStateFromData(compiled, bad)).toThrow(/nope/);
  });
});

describe('shared-buffer memory', () => {
  it('no leaked node or event at any step, and empty once every partial match ended (fast-check)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const pattern = patternOf(c);
        let last: { nfa: NFA<Ev>; state: NFAState<Ev> } | undefined;
        runWithCut(pattern, c.events, undefined, (nfa, state) => {
          checkNoLeak(nfa, state);
          last = { nfa, state };
        });
        expect(last!.nfa.isStateEmpty(last!.state)).toBe(true);
        expect(last!.state.buffer.isEmpty()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('events are stored once however many partial matches share them', () => {
    const sample = samplePatterns[1]!; // a any b any c: many runs share a and b events
    const nfa = new NFA<Ev>(compileNFA(sample.build(skipStrategies('b')[0]!)));
    const state = nfa.createInitialState();
    const types = ['a', 'a', 'b', 'b', 'b', 'd'];
    for (const [i, type] of types.entries()) nfa.process(state, { name: `${type}${i}`, type, ts: 0 }, 0);
    expect(state.partialMatches.length).toBeGreaterThan(types.length);
    expect(state.buffer.eventCount()).toBe(5);
  });
});
