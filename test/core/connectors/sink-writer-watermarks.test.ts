import { describe, expect, it } from 'vitest';
import { type Sink, StreamExecutionEnvironment, WatermarkStrategy } from '../../../src/core/index.js';

/** A sink writer that records what it saw, in order: values and watermarks (Flink's writeWatermark). */
function recordingSink(seen: string[], slow: boolean): Sink<number> {
  return {
    createWriter: () => ({
      write: (v: number) => {
        seen.push(`v${v}`);
        return slow ? new Promise<void>((r) => setTimeout(r, 1)) : undefined;
      },
      writeWatermark: (wm: number) => {
        seen.push(`w${wm}`);
      },
      flush: () => {},
      close: () => {},
    }),
  };
}

async function run(slow: boolean): Promise<string[]> {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const seen: string[] = [];
  env
    .fromElements(1, 5, 3, 9, 12)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v),
    )
    .sinkTo(recordingSink(seen, slow));
  await env.execute().getJobExecutionResult();
  return seen;
}

describe('sink writers see watermarks (writeWatermark)', () => {
  for (const slow of [false, true]) {
    it(`${slow ? 'async' : 'sync'} writes: every watermark arrives after the records before it, increasing`, async () => {
      const seen = await run(slow);
      const values = seen.filter((s) => s.startsWith('v'));
      expect(values).toEqual(['v1', 'v5', 'v3', 'v9', 'v12']);
      const watermarks = seen.filter((s) => s.startsWith('w')).map((s) => Number(s.slice(1)));
      expect(watermarks.length).toBeGreaterThan(0);
      for (let i = 1; i < watermarks.length; i++) expect(watermarks[i]!).toBeGreaterThan(watermarks[i - 1]!);
      // The end of the bounded input flushes event time to +inf, after the last record.
      expect(seen.at(-1)).toBe(`w${Number.POSITIVE_INFINITY}`);
      // No watermark passes a record it should follow: a watermark w comes after every value <= w
      // that precedes it in the input (monotonous: watermark = max timestamp so far - 1).
      seen.forEach((s, i) => {
        if (!s.startsWith('w')) return;
        const wm = Number(s.slice(1));
        const later = seen
          .slice(i + 1)
          .filter((x) => x.startsWith('v'))
          .map((x) => Number(x.slice(1)));
        for (const v of later) if (v !== 3) expect(v).toBeGreaterThan(wm);
      });
    });
  }
});
