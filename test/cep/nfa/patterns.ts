import { AfterMatchSkipStrategy, Pattern } from '../../../src/cep/index.js';
import { type Ev, is } from './harness.js';

/** Skip strategies to combine with the sample patterns (`stage` names a stage that takes events). */
export const skipStrategies = (stage: string): AfterMatchSkipStrategy[] => [
  AfterMatchSkipStrategy.noSkip(),
  AfterMatchSkipStrategy.skipToNext(),
  AfterMatchSkipStrategy.skipPastLastEvent(),
  AfterMatchSkipStrategy.skipToFirst(stage),
  AfterMatchSkipStrategy.skipToLast(stage),
];

const a = (s: AfterMatchSkipStrategy) => Pattern.begin<Ev>('a', s).where(is('a'));

/** Sample patterns over the alphabet a b c d, each with a window, by name; `stage` for skip-to. */
export const samplePatterns: Array<{
  name: string;
  stage: string;
  build: (s: AfterMatchSkipStrategy) => Pattern<Ev, any>;
}> = [
  {
    name: 'a b+ c',
    stage: 'b',
    build: (s) => a(s).followedBy('b').where(is('b')).oneOrMore().followedBy('c').where(is('c')).within(6),
  },
  {
    name: 'a any b any c',
    stage: 'b',
    build: (s) => a(s).followedByAny('b').where(is('b')).followedByAny('c').where(is('c')).within(5),
  },
  {
    name: 'a !b c',
    stage: 'a',
    build: (s) => a(s).notFollowedBy('b').where(is('b')).followedBy('c').where(is('c')).within(6),
  },
  {
    name: 'a+ !b (end)',
    stage: 'a',
    build: (s) => a(s).oneOrMore().notFollowedBy('b').where(is('b')).within(4),
  },
  {
    name: 'a b{1,3}? c',
    stage: 'b',
    build: (s) =>
      a(s).followedBy('b').where(is('b')).times(1, 3).optional().followedBy('c').where(is('c')).within(8),
  },
  {
    name: 'a !next b c',
    stage: 'a',
    build: (s) => a(s).notNext('b').where(is('b')).followedBy('c').where(is('c')).within(5),
  },
  {
    name: 'a b+ greedy c',
    stage: 'b',
    build: (s) =>
      a(s).followedBy('b').where(is('b', 'c')).oneOrMore().greedy().followedBy('c').where(is('c')).within(6),
  },
  {
    name: 'a b+ combinations until d, next c',
    stage: 'b',
    build: (s) =>
      a(s)
        .followedBy('b')
        .where(is('b'))
        .oneOrMore()
        .allowCombinations()
        .until(is('d'))
        .next('c')
        .where(is('c'))
        .within(7),
  },
  {
    name: 'a (b c)+ d',
    stage: 'b',
    build: (s) =>
      a(s)
        .followedBy(Pattern.begin<Ev>('b').where(is('b')).followedBy('c').where(is('c')))
        .oneOrMore()
        .followedBy('d')
        .where(is('d'))
        .within(8),
  },
  {
    name: 'a (b? next c){1,2} d',
    stage: 'c',
    build: (s) =>
      a(s)
        .followedByAny(Pattern.begin<Ev>('b').where(is('b')).optional().next('c').where(is('c')))
        .times(1, 2)
        .followedBy('d')
        .where(is('d'))
        .within(8),
  },
  {
    name: 'a (b c)+ d',
    stage: 'b',
    build: (s) =>
      a(s)
        .followedBy(Pattern.begin<Ev>('b').where(is('b')).followedBy('c').where(is('c')))
        .oneOrMore()
        .followedBy('d')
        .where(is('d'))
        .within(8),
  },
  {
    name: 'a (b? next c){1,2} d',
    stage: 'c',
    build: (s) =>
      a(s)
        .followedByAny(Pattern.begin<Ev>('b').where(is('b')).optional().next('c').where(is('c')))
        .times(1, 2)
        .followedBy('d')
        .where(is('d'))
        .within(8),
  },
];
