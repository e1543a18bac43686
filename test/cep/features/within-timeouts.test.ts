import { describe, expect, it } from 'vitest';
import { CEP, Pattern, WithinType } from '../../../src/cep/index.js';
import { CollectSink, StreamExecutionEnvironment } from '../../../src/core/index.js';
import {
  byTime,
  type Ev,
  is,
  type KEv,
  keyed,
  punctuated,
  Report,
  run,
  sorted,
  TIMED_OUT,
} from './support.js';

// Windows and timeouts, after Flink's NFAITCase (testSimplePatternWithTimeWindowNFA,
// testSimplePatternWithTimeoutHandling), CEPOperatorTest/CEPITCase timeout scenarios, and the
// trailing notFollowedBy that completes when time passes the window.

/** s m e with a 10 ms window: s1@1 s2@2 m3@3 x@4 e5@11 e6@13. */
const timeoutInput = 's1@1 s2@2 m3@3 x@4 e5@11 e6@13';
const sme = (contiguity: 'followedBy' | 'followedByAny') =>
  Pattern.begin<Ev>('start')
    .where(is('s'))
    [contiguity]('middle')
    .where(is('m'))
    [contiguity]('end')
    .where(is('e'))
    .within(10);

describe('within on the NFA (Flink NFAITCase)', () => {
  it('FIRST_AND_LAST: start1 is out of the window when end5 comes (testSimplePatternWithTimeWindowNFAWithinFirstAndLast)', () => {
    expect(run(sme('followedBy'), timeoutInput).matches).toEqual(['s2 m3 e5']);
  });

  it('PREVIOUS_AND_CURRENT on the end stage: only middle -> end must be within 9 (testSimplePatternWithTimeWindowNFAWithinPreviousAndCurrent)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('s'))
      .followedBy('middle')
      .where(is('m'))
      .followedBy('end')
      .where(is('e'))
      .within(9, WithinType.PREVIOUS_AND_CURRENT);
    expect(sorted(run(p, timeoutInput).matches)).toEqual(['s1 m3 e5', 's2 m3 e5']);
  });

  it('PREVIOUS_AND_CURRENT timeouts: only runs past middle time out, at middle + 10 (testSimplePatternWithTimeoutHandlingWithinPreviousAndCurrent)', () => {
    const p = Pattern.begin<Ev>('start')
      .where(is('s'))
      .followedByAny('middle')
      .where(is('m'))
      .followedByAny('end')
      .where(is('e'))
      .within(10, WithinType.PREVIOUS_AND_CURRENT);
    const r = run(p, timeoutInput);
    expect(sorted(r.matches)).toEqual(['s1 m3 e5', 's2 m3 e5']);
    expect(sorted(r.timedOut)).toEqual(['s1 m3@13', 's2 m3@13']);
  });

  for (const type of [WithinType.FIRST_AND_LAST, WithinType.PREVIOUS_AND_CURRENT]) {
    it(`a trailing notFollowedBy completes on advanceTime past the window, ${type} (testPendingStateMatchesWithin...)`, () => {
      const p = Pattern.begin<Ev>('start')
        .where(is('s'))
        .notFollowedBy('middle')
        .where(is('m'))
        .within(5, type);
      // s1 is cancelled by m2; s3 (window to 10) completes at 11; s4 (to 16) completes at 18.
      const r = run(p, 's1@1 m2@4 s3@5 s4@11 m5@18');
      expect(r.matches).toEqual(['s3', 's4']);
    });
  }

  it('partial matches time out at start + window, with what they had (testSimplePatternWithTimeoutHandling)', () => {
    const r = run(sme('followedByAny'), timeoutInput, { endTime: 100 });
    expect(r.matches).toEqual(['s2 m3 e5']);
    // start1 (window [1, 11)) is past its window when e5@11 arrives; start2's runs end at 12.
    expect(sorted(r.timedOut)).toEqual(sorted(['s1 m3@11', 's1@11', 's2 m3@12', 's2@12']));
    expect(r.nfa.isStateEmpty(r.state)).toBe(true);
  });

  it('an event exactly at start + window is outside the window', () => {
    const p = Pattern.begin<Ev>('a').where(is('a')).followedBy('b').where(is('b')).within(10);
    expect(run(p, 'a1@0 b1@10').matches).toEqual([]);
    expect(run(p, 'a1@0 b1@9').matches).toEqual(['a1 b1']);
  });

  it('a loop times out with every event it took', () => {
    const p = Pattern.begin<Ev>('a')
      .where(is('a'))
      .followedBy('b')
      .where(is('b'))
      .oneOrMore()
      .followedBy('c')
      .where(is('c'))
      .within(10);
    const r = run(p, 'a1@0 b1@2 b2@4', { endTime: 50 });
    expect(r.matches).toEqual([]);
    // The run waiting for the first b took b1 (followedBy does not keep a copy waiting), so a1 alone
    // does not time out; the loop with one and with two b does.
    expect(sorted(r.timedOut)).toEqual(sorted(['a1 b1@10', 'a1 b1 b2@10']));
  });

  describe('PREVIOUS_AND_CURRENT', () => {
    const chain = (type: WithinType) =>
      Pattern.begin<Ev>('a')
        .where(is('a'))
        .followedBy('b')
        .where(is('b'))
        .within(5, type)
        .followedBy('c')
        .where(is('c'))
        .within(5, type);

    it('each step within 5 ms matches, though the whole match takes 8', () => {
      expect(run(chain(WithinType.PREVIOUS_AND_CURRENT), 'a1@0 b1@4 c1@8').matches).toEqual(['a1 b1 c1']);
      expect(run(chain(WithinType.FIRST_AND_LAST), 'a1@0 b1@4 c1@8').matches).toEqual([]);
    });

    it('a step of 5 ms or more breaks it, and the partial match times out after the last event', () => {
      const r = run(chain(WithinType.PREVIOUS_AND_CURRENT), 'a1@0 b1@4 c1@9', { endTime: 50 });
      expect(r.matches).toEqual([]);
      expect(r.timedOut).toEqual(['a1 b1@9']);
    });
  });
});

/** Runs `pattern` in event time over `input` (watermark = max timestamp - delay), reporting everything. */
async function eventTimeJob(pattern: Pattern<Ev, any>, input: KEv[], delay = 1, parallelism = 2) {
  const env = new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
  const main = CEP.pattern(
    env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(punctuated<KEv>(delay))
      .keyBy((e) => e.key),
    pattern as unknown as Pattern<KEv, any>,
  ).process(new Report());
  const timedOut = new CollectSink<string>();
  main.getSideOutput(TIMED_OUT).sinkTo(timedOut);
  const out = await main.executeAndCollect();
  return { out: sorted(out), timedOut: sorted(timedOut.values) };
}

describe('timeouts in a job (event time)', () => {
  it('timed-out partial matches reach the side output with their window end, per key', async () => {
    const input = byTime(keyed('A', timeoutInput), keyed('B', 's1@50 m1@52 e1@55'));
    const { out, timedOut } = await eventTimeJob(sme('followedByAny'), input);
    expect(out).toEqual(['A: s2 m3 e5 @11', 'B: s1 m1 e1 @55']);
    expect(timedOut).toEqual(
      sorted(['A: s1 m3 @11', 'A: s1 @11', 'A: s2 m3 @12', 'A: s2 @12', 'B: s1 m1 @60', 'B: s1 @60']),
    );
  });

  it('a key that goes quiet still times out, by the watermark of other keys', async () => {
    // A's partial match starts at 0; only B's later events move the watermark past 10.
    const input = byTime(keyed('A', 's1@0'), keyed('B', 'x@5 x@30'));
    const { timedOut } = await eventTimeJob(sme('followedBy'), input, 1, 1);
    expect(timedOut).toEqual(['A: s1 @10']);
  });
});

describe('a trailing notFollowedBy completes when the watermark passes the window', () => {
  // As in Flink's CepOperator (advanceTime(watermark) then processMatchedSequences(matches, watermark)),
  // a match completed by time is stamped with the watermark that completed it. Key Z only carries
  // fillers that move the watermark (max timestamp - 1) to chosen points, on one parallel instance.
  const absent = () => Pattern.begin<Ev>('a').where(is('a')).notFollowedBy('no b').where(is('b')).within(10);

  it('completes once the window has passed when nothing forbidden came; cancelled by a b in time', async () => {
    const input = byTime(
      keyed('A', 'a1@0 x@3'),
      keyed('B', 'a1@5 b1@9'),
      keyed('C', 'a1@20 b1@30'),
      keyed('D', 'a1@40'),
      keyed('Z', 'z@11 z@51'),
    );
    const { out, timedOut } = await eventTimeJob(absent(), input, 1, 1);
    // A: no b before 10; B: b1 within [5, 15); C: b1 at 30 = 20 + 10 is outside the window.
    expect(out).toEqual(['A: a1 @10', 'C: a1 @30', 'D: a1 @50']);
    expect(timedOut).toEqual([]);
  });

  it('a match completed only by the end of input is stamped with the final watermark', async () => {
    const { out } = await eventTimeJob(absent(), keyed('A', 'a1@0'), 1, 1);
    expect(out).toEqual(['A: a1 @Infinity']);
  });

  it('after a loop: one match per loop prefix, each when the window of its first event passed', async () => {
    const p = Pattern.begin<Ev>('a')
      .where(is('a'))
      .oneOrMore()
      .notFollowedBy('no b')
      .where(is('b'))
      .within(10);
    const input = byTime(keyed('A', 'a1@0 a2@2 a3@4'), keyed('Z', 'z@11 z@13 z@15'));
    const { out } = await eventTimeJob(p, input, 1, 1);
    expect(out).toEqual(
      sorted(['A: a1 @10', 'A: a1 a2 @10', 'A: a1 a2 a3 @10', 'A: a2 @12', 'A: a2 a3 @12', 'A: a3 @14']),
    );
  });

  it('with a PREVIOUS_AND_CURRENT window on the negation: completes that long after the last event', async () => {
    const p = Pattern.begin<Ev>('a')
      .where(is('a'))
      .followedBy('c')
      .where(is('c'))
      .notFollowedBy('no b')
      .where(is('b'))
      .within(5, WithinType.PREVIOUS_AND_CURRENT);
    const input = byTime(keyed('A', 'a1@0 c1@20 b1@26'), keyed('B', 'a1@0 c1@20 b1@24'), keyed('Z', 'z@26'));
    const { out } = await eventTimeJob(p, input, 1, 1);
    expect(out).toEqual(['A: a1 c1 @25']);
  });
});
