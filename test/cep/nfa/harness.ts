import type { Pattern } from '../../../src/cep/index.js';
import { compileNFA, NFA, type NFAState } from '../../../src/cep/nfa/index.js';

/** A test event: `name` like `b2`, `type` its letter, `ts` its timestamp. Plain data (cloneable). */
export interface Ev {
  readonly name: string;
  readonly type: string;
  readonly ts: number;
}

/** `is('a')`: the condition "event of type a". */
export const is =
  (...types: string[]) =>
  (e: Ev): boolean =>
    types.includes(e.type);

/** Parses `"a1 b1@5 c1"`: timestamps default to the position; `@t` sets one. */
export function stream(text: string): Ev[] {
  return text
    .trim()
    .split(/\s+/)
    .map((token, i) => {
      const [name, at] = token.split('@') as [string, string | undefined];
      return { name, type: name.replace(/[0-9]+$/, ''), ts: at === undefined ? i : Number(at) };
    });
}

/** A match as its event names in time order, e.g. `'a1 b1 c1'`. */
export function show(match: Map<string, Ev[]>): string {
  return [...match.values()]
    .flat()
    .sort((x, y) => x.ts - y.ts || x.name.localeCompare(y.name))
    .map((e) => e.name)
    .join(' ');
}

/** A match by stage, e.g. `'a:a1|b:b1,b2'`. */
export function showStages(match: Map<string, Ev[]>): string {
  return [...match].map(([k, v]) => `${k}:${v.map((e) => e.name).join(',')}`).join('|');
}

export interface RunResult {
  readonly matches: string[];
  readonly timedOut: string[];
  readonly nfa: NFA<Ev>;
  readonly state: NFAState<Ev>;
}

/**
 * Runs `pattern` over `events` as the CEP operator would: `advanceTime(ts)` then `process` for each
 * event, then `advanceTime(endTime)` if given.
 */
export function run(pattern: Pattern<Ev, any>, events: Ev[] | string, endTime?: number): RunResult {
  const nfa = new NFA<Ev>(compileNFA(pattern));
  const state = nfa.createInitialState();
  const matches: string[] = [];
  const timedOut: string[] = [];
  const advance = (ts: number) => {
    const r = nfa.advanceTime(state, ts);
    for (const m of r.matches) matches.push(show(m));
    for (const [m, at] of r.timedOut) timedOut.push(`${show(m)}@${at}`);
  };
  for (const e of typeof events === 'string' ? stream(events) : events) {
    advance(e.ts);
    for (const m of nfa.process(state, e, e.ts)) matches.push(show(m));
  }
  if (endTime !== undefined) advance(endTime);
  return { matches, timedOut, nfa, state };
}

/** Sorted, for comparisons where the order of simultaneous matches does not matter. */
export function sorted(xs: readonly string[]): string[] {
  return [...xs].sort();
}
