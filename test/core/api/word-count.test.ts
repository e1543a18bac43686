import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../../src/core/index.js';

describe('word count', () => {
  it('counts words with flatMap -> keyBy -> sum and ends when the source drains', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const lines = ['to be or not to be', 'that is the question', 'to be'];
    const counts = await env
      .fromElements(...lines)
      .flatMap<[string, number]>((line, out) => {
        for (const w of line.split(' ')) out.collect([w, 1]);
      })
      .keyBy((t) => t[0])
      .sum(1)
      .executeAndCollect();
    const finalCounts = new Map<string, number>();
    for (const [w, n] of counts) finalCounts.set(w, Math.max(finalCounts.get(w) ?? 0, n));
    expect(Object.fromEntries(finalCounts)).toEqual({
      to: 3,
      be: 3,
      or: 1,
      not: 1,
      that: 1,
      is: 1,
      the: 1,
      question: 1,
    });
    // A rolling sum emits once per input word.
    expect(counts).toHaveLength(lines.join(' ').split(' ').length);
  });
});
