import { describe, expect, it } from 'vitest';
import { AfterMatchSkipStrategy, CepOperator, Pattern } from '../../../src/cep/index.js';
import { compileNFA, deserializeNFAState, NFA, serializeNFAState } from '../../../src/cep/nfa/index.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type HarnessEvent,
  OperatorTestHarness,
} from '../../../src/core/index.js';
import { type Ev, events, is, type KEv, keyed, Report, show, TIMED_OUT } from './support.js';

// Snapshot / restore of the CEP operator (Flink's CEPOperatorTest checkpointing tests:
// testKeyedCEPOperatorCheckpointing, ...WithRocksDB, testCEPOperatorComparatorEventTime) and of the
// NFA state alone. A script of events and watermarks runs once uninterrupted, and once with a
// snapshot after every step restored into a fresh operator (with a freshly compiled pattern): the
// output after the restore must be exactly the rest of the uninterrupted output.

type Step = { readonly event: KEv } | { readonly watermark: number };

/** A script: lists of events, and numbers for watermarks, in order. */
function script(...parts: Array<KEv[] | number>): Step[] {
  return parts.flatMap((p): Step[] =>
    typeof p === 'number' ? [{ watermark: p }] : p.map((event) => ({ event })),
  );
}

function operatorFactory(pattern: () => Pattern<Ev, any>) {
  return () =>
    new CepOperator<KEv, string, string>(new Report(), {
      compiled: compileNFA(pattern() as unknown as Pattern<KEv, any>),
      keySelector: (e) => e.key,
      eventTime: true,
      comparator: undefined,
      lateDataTag: undefined,
    });
}

function outputOf(events: readonly HarnessEvent<string>[]): string[] {
  return events.flatMap((e) => {
    if (e.kind === 'record') return [`${e.value} (ts ${e.timestamp})`];
    if (e.kind === 'side' && e.tag === TIMED_OUT.id)
      return [`timed out ${String(e.value)} (ts ${e.timestamp})`];
    return [];
  });
}

function apply(h: OperatorTestHarness<string, KEv>, steps: readonly Step[]): void {
  for (const s of steps) {
    if ('event' in s) h.processElement(s.event, s.event.ts);
    else h.processWatermark(s.watermark);
  }
}

async function uninterrupted(factory: () => CepOperator<KEv, string, string>, steps: readonly Step[]) {
  const h = new OperatorTestHarness<string, KEv>(factory, { keyed: true });
  await h.open();
  apply(h, steps);
  return outputOf(h.events);
}

/** Runs steps[0, k), snapshots (through the byte codec), restores into a fresh operator, runs the rest. */
async function interruptedAt(
  factory: () => CepOperator<KEv, string, string>,
  steps: readonly Step[],
  k: number,
) {
  const before = new OperatorTestHarness<string, KEv>(factory, { keyed: true });
  await before.open();
  apply(before, steps.slice(0, k));
  const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(before.snapshot()));
  await before.close();
  const after = new OperatorTestHarness<string, KEv>(factory, { keyed: true });
  await after.open([snapshot]);
  apply(after, steps.slice(k));
  return { before: outputOf(before.events), after: outputOf(after.events) };
}

/** Checks every split point and returns the uninterrupted output. */
async function sameOutputAtEverySplit(
  pattern: () => Pattern<Ev, any>,
  steps: readonly Step[],
): Promise<string[]> {
  const factory = operatorFactory(pattern);
  const expected = await uninterrupted(factory, steps);
  for (let k = 0; k <= steps.length; k++) {
    const { before, after } = await interruptedAt(factory, steps, k);
    expect([...before, ...after], `snapshot after step ${k}`).toEqual(expected);
  }
  return expected;
}

describe('CEP operator snapshot / restore (Flink CEPOperatorTest checkpointing)', () => {
  it('a b+ c within: partial loops of two keys, queued events, timeouts after the restore', async () => {
    const pattern = () =>
      Pattern.begin<Ev>('a')
        .where(is('a'))
        .followedBy('b')
        .where(is('b'))
        .oneOrMore()
        .followedBy('c')
        .where(is('c'))
        .within(20);
    const steps = script(
      keyed('A', 'a1@1 b1@3'),
      keyed('B', 'a1@2'),
      2,
      keyed('A', 'b2@5 x@6'),
      keyed('B', 'b1@7'),
      6,
      keyed('A', 'c1@9'),
      keyed('B', 'b2@12'),
      10,
      keyed('A', 'a2@15'),
      30,
      keyed('A', 'b3@31'),
      60,
    );
    const expected = await sameOutputAtEverySplit(pattern, steps);
    // After c1, A's loop (relaxed) still waits for more b and times out at 1 + 20; a2 took b3.
    expect(expected).toEqual([
      'A: a1 b1 b2 c1 @9 (ts 9)',
      'A: a1 b1 c1 @9 (ts 9)',
      'timed out B: a1 b1 b2 @22 (ts 22)',
      'timed out B: a1 b1 @22 (ts 22)',
      'timed out A: a1 b1 b2 @21 (ts 21)',
      'timed out A: a2 b3 @35 (ts 35)',
    ]);
  });

  it('greedy loop: the longest run survives the restore', async () => {
    const pattern = () =>
      Pattern.begin<Ev>('a')
        .where(is('a'))
        .followedBy('b')
        .where(is('b'))
        .oneOrMore()
        .greedy()
        .followedBy('c')
        .where(is('c'));
    const steps = script(keyed('A', 'a1@1 b1@2'), 1, keyed('A', 'b2@3 b3@4'), 3, keyed('A', 'x@5 c1@6'), 10);
    expect(await sameOutputAtEverySplit(pattern, steps)).toEqual(['A: a1 b1 b2 b3 c1 @6 (ts 6)']);
  });

  it('trailing notFollowedBy pending at the snapshot completes after the restore', async () => {
    const pattern = () =>
      Pattern.begin<Ev>('a').where(is('a')).oneOrMore().notFollowedBy('no b').where(is('b')).within(10);
    const steps = script(keyed('A', 'a1@1 a2@3'), keyed('B', 'a1@4 b1@8'), 5, 20);
    expect(await sameOutputAtEverySplit(pattern, steps)).toEqual([
      'A: a1 @20 (ts 20)',
      'A: a1 a2 @20 (ts 20)',
      'A: a2 @20 (ts 20)',
    ]);
  });

  it('a match held back by a skip strategy (completed, waiting for an earlier partial match) survives', async () => {
    // Flink's testSkipBeforeOtherAlreadyCompleted in operator form: a2 c2 b1 completes first but is
    // held back until a1's run completes.
    const sameValue = (e: Ev, ctx: { getEventsForPattern(n: string): Iterable<Ev> }) =>
      e.type === 'b' && [...ctx.getEventsForPattern('a')][0]!.v === e.v;
    const pattern = () =>
      Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipToFirst('c'))
        .where(is('a'))
        .followedBy('c')
        .where(is('c'))
        .followedBy('b')
        .where(sameValue);
    const steps = script(keyed('A', 'a1:0@1 c1:0@2 a2:1@3 c2:0@4 b1:1@5'), 5, keyed('A', 'b2:0@6'), 6);
    expect(await sameOutputAtEverySplit(pattern, steps)).toEqual([
      'A: a1 c1 b2 @6 (ts 6)',
      'A: a2 c2 b1 @6 (ts 6)',
    ]);
  });

  it('the restored operator keeps no state for keys whose matches all ended', async () => {
    const pattern = () => Pattern.begin<Ev>('a').where(is('a')).followedBy('b').where(is('b')).within(5);
    const factory = operatorFactory(pattern);
    const h = new OperatorTestHarness<string, KEv>(factory, { keyed: true });
    await h.open();
    apply(h, script(keyed('A', 'a1@1 b1@2'), keyed('B', 'a1@3'), 100));
    expect(outputOf(h.events)).toEqual(['A: a1 b1 @2 (ts 2)', 'timed out B: a1 @8 (ts 8)']);
    const restored = new OperatorTestHarness<string, KEv>(factory, { keyed: true });
    await restored.open([h.snapshot()]);
    apply(restored, script(keyed('A', 'b2@101'), keyed('B', 'b1@102'), 200));
    expect(outputOf(restored.events)).toEqual([]);
  });
});

describe('serializeNFAState round trip in the middle of matches', () => {
  const cases: Array<{ name: string; pattern: () => Pattern<Ev, any>; input: string; end: number }> = [
    {
      name: 'a b+ c (relaxed loop) within',
      pattern: () =>
        Pattern.begin<Ev>('a')
          .where(is('a'))
          .followedBy('b')
          .where(is('b'))
          .oneOrMore()
          .followedBy('c')
          .where(is('c'))
          .within(8),
      input: 'a1@1 b1@2 a2@3 b2@4 x@5 b3@6 c1@7 b4@9 c2@10 a3@11 b5@12',
      end: 40,
    },
    {
      name: 'a any b{2,3} allowCombinations, c',
      pattern: () =>
        Pattern.begin<Ev>('a')
          .where(is('a'))
          .followedByAny('b')
          .where(is('b'))
          .times(2, 3)
          .allowCombinations()
          .followedBy('c')
          .where(is('c')),
      input: 'a1 b1 b2 a2 b3 b4 c1 b5 c2',
      end: 40,
    },
    {
      name: 'c (a b)+ d group',
      pattern: () =>
        Pattern.begin<Ev>('c')
          .where(is('c'))
          .followedBy(Pattern.begin<Ev>('g-a').where(is('a')).followedBy('g-b').where(is('b')))
          .oneOrMore()
          .followedBy('d')
          .where(is('d')),
      input: 'c1 a1 b1 a2 c2 b2 a3 b3 d1',
      end: 40,
    },
    {
      name: 'a !b c+ greedy, d, skipPastLastEvent',
      pattern: () =>
        Pattern.begin<Ev>('a', AfterMatchSkipStrategy.skipPastLastEvent())
          .where(is('a'))
          .notFollowedBy('no b')
          .where(is('b'))
          .followedBy('c')
          .where(is('c'))
          .oneOrMore()
          .greedy()
          .followedBy('d')
          .where(is('d')),
      input: 'a1 c1 a2 c2 b1 c3 d1 a3 c4 c5 d2',
      end: 40,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: continuing from a deserialized copy at every point gives the same output`, () => {
      const evs = events(c.input);
      const drive = (
        nfa: NFA<Ev>,
        state: ReturnType<NFA<Ev>['createInitialState']>,
        from: number,
        out: string[],
      ) => {
        for (const e of evs.slice(from)) {
          const r = nfa.advanceTime(state, e.ts);
          for (const m of r.matches) out.push(show(m));
          for (const [m, at] of r.timedOut) out.push(`timeout ${show(m)}@${at}`);
          for (const m of nfa.process(state, e, e.ts)) out.push(show(m));
        }
        const r = nfa.advanceTime(state, c.end);
        for (const m of r.matches) out.push(show(m));
        for (const [m, at] of r.timedOut) out.push(`timeout ${show(m)}@${at}`);
      };
      const reference = new NFA<Ev>(compileNFA(c.pattern()));
      const expected: string[] = [];
      drive(reference, reference.createInitialState(), 0, expected);
      expect(expected.length).toBeGreaterThan(0);

      for (let k = 0; k <= evs.length; k++) {
        const first = new NFA<Ev>(compileNFA(c.pattern()));
        const state = first.createInitialState();
        const out: string[] = [];
        for (const e of evs.slice(0, k)) {
          const r = first.advanceTime(state, e.ts);
          for (const m of r.matches) out.push(show(m));
          for (const [m, at] of r.timedOut) out.push(`timeout ${show(m)}@${at}`);
          for (const m of first.process(state, e, e.ts)) out.push(show(m));
        }
        const bytes = serializeNFAState(first.compiled, state);
        // A freshly compiled pattern restores the state by state names.
        const second = new NFA<Ev>(compileNFA(c.pattern()));
        const restored = deserializeNFAState(second.compiled, bytes);
        drive(second, restored, k, out);
        expect(out, `serialized after event ${k}`).toEqual(expected);
      }
    });
  }
});
