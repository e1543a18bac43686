import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../../../src/core/connectors/kafka/kafka-port.js';
import {
  isWatermarkRecord,
  UpstreamWatermarks,
  watermarkRecords,
} from '../../../../../src/core/connectors/kafka/partitioned/index.js';

/** The watermark record upstream task `source` writes to partition 0, as read back from Kafka. */
function record(source: number, watermark: number, idle = false, sources = 3): KafkaRecord {
  const [r] = watermarkRecords(
    { topic: 'rp', partitions: 1, source: `in-${source}`, sources },
    watermark,
    idle,
  );
  return {
    topic: 'rp',
    partition: 0,
    offset: 0,
    timestamp: 0,
    key: null,
    value: Buffer.from(''),
    headers: Object.fromEntries(Object.entries(r!.headers!).map(([k, v]) => [k, Buffer.from(String(v))])),
  };
}

describe('watermarks across a repartition topic', () => {
  it('writes one record per output partition, recognisable as a watermark record', () => {
    const records = watermarkRecords({ topic: 'rp', partitions: 4, source: 'in-0', sources: 2 }, 10, false);
    expect(records.map((r) => r.partition)).toEqual([0, 1, 2, 3]);
    expect(isWatermarkRecord(record(0, 10))).toBe(true);
    expect(isWatermarkRecord({ ...record(0, 10), headers: {} })).toBe(false);
  });

  it('is the minimum over all upstream tasks, unknown until every one reported', () => {
    const t = new UpstreamWatermarks();
    t.observe(record(0, 100));
    t.observe(record(1, 50));
    expect(t.current()).toBeUndefined();
    t.observe(record(2, 70));
    expect(t.current()).toEqual({ watermark: 50, idle: false });
    t.observe(record(1, 200));
    expect(t.current()).toEqual({ watermark: 70, idle: false });
  });

  it('leaves idle upstream tasks out, and is idle when all are', () => {
    const t = new UpstreamWatermarks();
    t.observe(record(0, 100));
    t.observe(record(1, Number.NEGATIVE_INFINITY, true));
    t.observe(record(2, 300));
    expect(t.current()).toEqual({ watermark: 100, idle: false });
    t.observe(record(0, 100, true));
    t.observe(record(2, 300, true));
    expect(t.current()).toEqual({ watermark: Number.NEGATIVE_INFINITY, idle: true });
    t.observe(record(1, 20));
    expect(t.current()).toEqual({ watermark: 20, idle: false });
  });

  it('never moves an upstream task back (a restored upstream repeats an older watermark)', () => {
    const t = new UpstreamWatermarks([], 1);
    t.observe(record(0, 100, false, 1));
    t.observe(record(0, 40, false, 1));
    expect(t.current()).toEqual({ watermark: 100, idle: false });
  });

  it('restores from its snapshot', () => {
    const t = new UpstreamWatermarks();
    for (const s of [0, 1, 2]) t.observe(record(s, 10 * (s + 1)));
    const { expected, sources } = t.snapshot();
    const back = new UpstreamWatermarks(sources, expected);
    expect(back.current()).toEqual({ watermark: 10, idle: false });
  });
});
