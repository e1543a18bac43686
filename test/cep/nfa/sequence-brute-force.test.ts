import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pattern } from '../../../src/cep/index.js';
import { type Ev, is, run, sorted } from './harness.js';

type Contiguity = 'next' | 'followedBy' | 'followedByAny';

/** All matches of a sequence of single stages, straight from the contiguity definitions. */
function bruteForce(types: string[], contiguities: Contiguity[], events: Ev[]): string[] {
  const out: string[] = [];
  const extend = (stage: number, picked: number[]) => {
    if (stage === types.length) {
      out.push(picked.map((i) => events[i]!.name).join(' '));
      return;
    }
    const from = stage === 0 ? 0 : picked[stage - 1]! + 1;
    for (let i = from; i < events.length; i++) {
      if (events[i]!.type !== types[stage]) continue;
      if (stage > 0) {
        const c = contiguities[stage]!;
        if (c === 'next' && i !== from) continue;
        if (c === 'followedBy' && events.slice(from, i).some((e) => e.type === types[stage])) continue;
      }
      extend(stage + 1, [...picked, i]);
    }
  };
  extend(0, []);
  return out;
}

describe('single-stage sequences against a brute-force enumeration (noSkip)', () => {
  it('same matches for random contiguities and streams (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom<Contiguity>('next', 'followedBy', 'followedByAny'), {
          minLength: 4,
          maxLength: 4,
        }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 14 }),
        (types, contiguities, stream) => {
          const events: Ev[] = stream.map((type, i) => ({ name: `${type}${i}`, type, ts: i }));
          let p: Pattern<Ev, any> = Pattern.begin<Ev>('s0').where(is(types[0]!));
          for (let i = 1; i < types.length; i++) p = p[contiguities[i]!](`s${i}`).where(is(types[i]!));
          expect(sorted(run(p, events).matches)).toEqual(sorted(bruteForce(types, contiguities, events)));
        },
      ),
      { numRuns: 400 },
    );
  });
});
