import { describe, expect, it } from 'vitest';
import { CollectSink } from '../../../src/core/connectors/collect-sink.js';
import type { SinkWriterContext } from '../../../src/core/connectors/sink.js';

const at = (timestamp: number | null): SinkWriterContext => ({
  timestamp: () => timestamp,
  currentWatermark: () => Number.NEGATIVE_INFINITY,
});

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('CollectSink', () => {
  it('collects values and records with timestamps from parallel writers', async () => {
    const sink = new CollectSink<string>();
    const writers = [0, 1, 2].map((subtaskIndex) => sink.createWriter({ subtaskIndex, parallelism: 3 }));
    // interleave the writers the way concurrent tasks on one event loop do
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 100; i++) {
          writer.write(`${w}:${i}`, at(i % 2 === 0 ? i : null));
          if (i % 7 === w) await tick();
        }
      }),
    );
    expect(sink.values).toHaveLength(300);
    expect(new Set(sink.values).size).toBe(300);
    for (let w = 0; w < 3; w++) {
      const mine = sink.records.filter((r) => r.subtaskIndex === w);
      expect(mine.map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `${w}:${i}`));
      expect(mine.map((r) => r.timestamp)).toEqual(
        Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? i : null)),
      );
    }
    expect(sink.records.map((r) => r.value)).toEqual(sink.values);
  });

  it('streams records as they arrive and ends when every writer has closed', async () => {
    const sink = new CollectSink<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const value of sink) seen.push(value);
    })();
    const a = sink.createWriter({ subtaskIndex: 0, parallelism: 2 });
    a.write(1, at(null));
    await tick();
    expect(seen).toEqual([1]);
    a.write(2, at(null));
    await a.close();
    await tick();
    expect(sink.isFinished).toBe(false);
    // the second writer opens late; the stream must not end before it closes
    const b = sink.createWriter({ subtaskIndex: 1, parallelism: 2 });
    b.write(3, at(null));
    await b.flush(true);
    await b.close();
    await consumer;
    expect(seen).toEqual([1, 2, 3]);
    expect(sink.isFinished).toBe(true);
  });

  it('gives each iterator every record from the start, with timestamps via recordStream', async () => {
    const sink = new CollectSink<string>();
    const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1 });
    writer.write('early', at(5));
    const records = (async () => {
      const all = [];
      for await (const record of sink.recordStream()) all.push(record);
      return all;
    })();
    const values = (async () => {
      const all: string[] = [];
      for await (const value of sink.stream()) all.push(value);
      return all;
    })();
    writer.write('late', at(null));
    await writer.close();
    expect(await values).toEqual(['early', 'late']);
    expect(await records).toEqual([
      { value: 'early', timestamp: 5, subtaskIndex: 0 },
      { value: 'late', timestamp: null, subtaskIndex: 0 },
    ]);
  });

  it('keeps streaming across a restarted writer', async () => {
    const sink = new CollectSink<number>();
    const first = sink.createWriter({ subtaskIndex: 0, parallelism: 2 });
    const other = sink.createWriter({ subtaskIndex: 1, parallelism: 2 });
    first.write(1, at(null));
    await first.close(); // failed and replaced
    const replacement = sink.createWriter({ subtaskIndex: 0, parallelism: 2 });
    await other.close();
    expect(sink.isFinished).toBe(false);
    replacement.write(2, at(null));
    await replacement.close();
    expect(sink.isFinished).toBe(true);
    const all: number[] = [];
    for await (const v of sink) all.push(v);
    expect(all).toEqual([1, 2]);
  });
});
