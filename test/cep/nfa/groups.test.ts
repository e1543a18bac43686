import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pattern } from '../../../src/cep/index.js';
import { compileNFA, UnsupportedPatternError } from '../../../src/cep/nfa/index.js';
import { type Ev, is, run, sorted } from './harness.js';

const streamArb = fc
  .array(fc.constantFrom('a', 'b', 'c', 'd', 'x'), { maxLength: 12 })
  .map((types) => types.map((type, i): Ev => ({ name: `${type}${i}`, type, ts: i })));

const a = () => Pattern.begin<Ev>('a').where(is('a'));
const group = (b: string, c: string, strict: boolean) => {
  const head = Pattern.begin<Ev>(b).where(is('b'));
  return strict ? head.next(c).where(is('c')) : head.followedBy(c).where(is('c'));
};
const matches = (p: Pattern<Ev, any>, events: Ev[]) => sorted(run(p, events).matches);

/** Appends `copies` flat copies of the group (b next/followedBy c) with the given edge between copies. */
function unrolled(copies: number, strict: boolean, end: boolean): Pattern<Ev, any> {
  let p: Pattern<Ev, any> = a();
  for (let i = 0; i < copies; i++) {
    p = p.followedBy(`b${i}`).where(is('b'));
    p = strict ? p.next(`c${i}`).where(is('c')) : p.followedBy(`c${i}`).where(is('c'));
  }
  return end ? p.followedBy('d').where(is('d')) : p;
}

describe('group patterns, against equivalent flat patterns (fast-check)', () => {
  it('a single group is its stages inlined', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (events, strict) => {
        const grouped = a()
          .followedBy(group('b', 'c', strict))
          .followedBy('d')
          .where(is('d'));
        expect(matches(grouped, events)).toEqual(matches(unrolled(1, strict, true), events));
      }),
    );
  });

  it('times(2) is two copies', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (events, strict) => {
        const grouped = a()
          .followedBy(group('b', 'c', strict))
          .times(2)
          .followedBy('d')
          .where(is('d'));
        expect(matches(grouped, events)).toEqual(matches(unrolled(2, strict, true), events));
      }),
    );
  });

  it('times(1, 2) is one or two copies', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (events, strict) => {
        const grouped = a()
          .followedBy(group('b', 'c', strict))
          .times(1, 2)
          .followedBy('d')
          .where(is('d'));
        const expected = [
          ...matches(unrolled(1, strict, true), events),
          ...matches(unrolled(2, strict, true), events),
        ];
        expect(matches(grouped, events)).toEqual(sorted(expected));
      }),
    );
  });

  it('optional() is zero or one copy', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (events, strict) => {
        const grouped = a()
          .followedBy(group('b', 'c', strict))
          .optional()
          .followedBy('d')
          .where(is('d'));
        const expected = [
          ...matches(unrolled(0, strict, true), events),
          ...matches(unrolled(1, strict, true), events),
        ];
        expect(matches(grouped, events)).toEqual(sorted(expected));
      }),
    );
  });

  it('oneOrMore() is one or more copies', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (events, strict) => {
        const grouped = a()
          .followedBy(group('b', 'c', strict))
          .oneOrMore()
          .followedBy('d')
          .where(is('d'));
        const expected = [1, 2, 3, 4, 5, 6].flatMap((k) => matches(unrolled(k, strict, true), events));
        expect(matches(grouped, events)).toEqual(sorted(expected));
      }),
    );
  });

  it('an optional stage at the head of a group keeps its optionality (FLINK-30864)', () => {
    fc.assert(
      fc.property(streamArb, (events) => {
        const inner = Pattern.begin<Ev>('b').where(is('b')).optional().next('c').where(is('c'));
        const grouped = a().followedBy(inner).followedBy('d').where(is('d'));
        const flat = a()
          .followedBy('b')
          .where(is('b'))
          .optional()
          .next('c')
          .where(is('c'))
          .followedBy('d')
          .where(is('d'));
        expect(matches(grouped, events)).toEqual(matches(flat, events));
      }),
    );
  });

  it('oneOrMore() on a fixed stream', () => {
    const p = a()
      .followedBy(group('b', 'c', true))
      .oneOrMore()
      .followedBy('d')
      .where(is('d'));
    expect(sorted(run(p, 'a1 b1 c1 x1 b2 c2 d1').matches)).toEqual(
      sorted(['a1 b1 c1 d1', 'a1 b1 c1 b2 c2 d1']),
    );
    const consecutive = a()
      .followedBy(group('b', 'c', true))
      .oneOrMore()
      .consecutive()
      .followedBy('d')
      .where(is('d'));
    expect(run(consecutive, 'a1 b1 c1 x1 b2 c2 d1').matches).toEqual(['a1 b1 c1 d1']);
  });

  it('stages inside groups report their events under their own names', () => {
    const p = a()
      .followedBy(group('b', 'c', true))
      .times(2);
    const r = run(p, 'a1 b1 c1 b2 c2');
    expect(r.matches).toEqual(['a1 b1 c1 b2 c2']);
    const nfa = r.nfa;
    const state = nfa.createInitialState();
    const out = ['a1', 'b1', 'c1', 'b2', 'c2'].flatMap((name, i) =>
      nfa.process(state, { name, type: name[0]!, ts: i }, i),
    );
    expect([...out[0]!].map(([k, v]) => `${k}:${v.map((e) => e.name).join(',')}`)).toEqual([
      'a:a1',
      'b:b1,b2',
      'c:c1,c2',
    ]);
  });

  it('unsupported group shapes fail at compile time with a clear error', () => {
    const nested = a().followedBy(Pattern.begin<Ev>('b').next(Pattern.begin<Ev>('c').next('d')));
    expect(() => compileNFA(nested)).toThrow(UnsupportedPatternError);
    const negAfter = a()
      .followedBy(group('b', 'c', true))
      .notNext('x')
      .followedBy('d');
    expect(() => compileNFA(negAfter)).toThrow(/negation right after a group/);
  });
});
