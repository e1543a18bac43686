/**
 * A partition task reading a transactional topic (a repartition topic): fetches end with commit
 * markers the consumer filters out, so offsets have gaps. The task's dedupe position must move past
 * them (else the next fetch looks like a skip and is fetched twice), and so must the committed
 * input offset once the task has read everything before them (else the group's lag never reaches 0).
 */
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../../../src/core/connectors/kafka/kafka-port.js';
import {
  PartitionTaskSource,
  TaskCommitContext,
} from '../../../../../src/core/connectors/kafka/partitioned/index.js';
import type { ReaderOutput } from '../../../../../src/core/connectors/source.js';

function record(offset: number): KafkaRecord {
  return {
    topic: 'rp',
    partition: 0,
    offset,
    timestamp: 1000 + offset,
    key: null,
    value: Buffer.from(JSON.stringify({ n: offset })),
    headers: {},
  };
}

function collecting(into: number[]): ReaderOutput<{ n: number }> {
  const output: ReaderOutput<{ n: number }> = {
    collect: (value) => into.push(value.n),
    emitWatermark: () => {},
    markIdle: () => {},
    markActive: () => {},
    createOutputForSplit: () => output,
    releaseOutputForSplit: () => {},
  };
  return output;
}

describe('partition task on a transactional input', () => {
  it('expects the next fetch after the filtered records the previous one covered', () => {
    const ctx = new TaskCommitContext('rp', 0, 0, 100, () => {});
    // Records 0-2, commit marker at 3: the fetch covered up to offset 4.
    ctx.push([record(0), record(1), record(2)], 4);
    expect(ctx.expected).toBe(4);
    ctx.push([record(4), record(5)], 6);
    expect(ctx.take(10).map((r) => r.offset)).toEqual([0, 1, 2, 4, 5]);
    // A batch from before a seek: duplicates, and its end does not move the position back.
    ctx.push([record(1), record(2)], 4);
    expect(ctx.expected).toBe(6);
    expect(ctx.buffered()).toBe(0);
    // Without a known end (kafkajs gave none), the last record decides.
    ctx.push([record(8)], null);
    expect(ctx.expected).toBe(9);
  });

  it('commits the input offset past the markers once everything before them was read', () => {
    const ctx = new TaskCommitContext('rp', 0, 0, 100, () => {});
    const reader = new PartitionTaskSource<{ n: number }>(ctx, {
      deserializer: (r) => JSON.parse(r.value!.toString()) as { n: number },
      maxRecordsPerPoll: 2,
      watermarks: 'upstream',
    }).createReader();
    const values: number[] = [];
    const output = collecting(values);
    ctx.push([record(0), record(1), record(2)], 4);
    reader.pollNext(output); // 2 of 3 records: the position is the last one read
    expect(reader.snapshotState(1)[0]!.nextOffset).toBe(2);
    expect(ctx.pendingFor(1).offset).toBe(2);
    reader.pollNext(output); // drained: past the marker at 3
    expect(reader.snapshotState(2)[0]!.nextOffset).toBe(4);
    expect(ctx.pendingFor(2).offset).toBe(4);
    expect(values).toEqual([0, 1, 2]);
  });
});
