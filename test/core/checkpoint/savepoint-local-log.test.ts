import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalLog } from '../../../src/core/connectors/local-log/local-log.js';
import { LocalLogSink } from '../../../src/core/connectors/local-log/local-log-sink.js';
import { jsonValue } from '../../../src/core/connectors/local-log/log-record.js';
import {
  type Collector,
  JobStatus,
  type KeyedProcessContext,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { QueueFeed, QueueSource, waitFor } from './helpers.js';

let dir: string;
let log: LocalLog;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'savepoint-log-test-'));
  log = await LocalLog.open(join(dir, 'log'));
  await log.createTopic('counts', 2);
});
afterEach(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const events: string[] = Array.from({ length: 400 }, (_, i) => `k${(i * 11) % 29}`);

class Count extends KeyedProcessFunction<string, string, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_e: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(`${ctx.getCurrentKey()}#${c}`);
  }
}

function expectedCounts(input: readonly string[]): string[] {
  const counts = new Map<string, number>();
  return input
    .map((k) => {
      const c = (counts.get(k) ?? 0) + 1;
      counts.set(k, c);
      return `${k}#${c}`;
    })
    .sort();
}

function build(parallelism: number, feed: QueueFeed<string>): StreamExecutionEnvironment {
  const env = new StreamExecutionEnvironment({ parallelism });
  env.enableCheckpointing(1_000_000); // the sink commits at checkpoints (and the final one)
  env
    .fromSource(new QueueSource(feed, 9), WatermarkStrategy.noWatermarks(), 'events')
    .setParallelism(1)
    .uid('events')
    .keyBy((e) => e)
    .process(new Count())
    .uid('count')
    .sinkTo(new LocalLogSink<string>({ log, topic: 'counts', key: (s) => s.slice(0, s.indexOf('#')) }))
    .uid('sink');
  return env;
}

/** What a read-committed reader sees in the output topic. */
async function committed(): Promise<string[]> {
  const reader = await LocalLog.openReadOnly(log.dir);
  try {
    const out: string[] = [];
    for (let p = 0; p < 2; p++)
      out.push(
        ...reader
          .reader('counts', p)
          .poll(100_000)
          .map((r) => jsonValue<string>(r)),
      );
    return out.sort();
  } finally {
    await reader.close();
  }
}

describe('stop-with-savepoint with the exactly-once LocalLogSink', () => {
  it('commits exactly the cut, and a rescaled restore continues with no loss and no duplicate', async () => {
    const feed = new QueueFeed<string>().push(...events.slice(0, 150));
    const job1 = build(2, feed).execute('v1');
    await waitFor(() => feed.emitted === 150, 'read');
    const path = await job1.stopWithSavepoint(join(dir, 'savepoints'));
    expect((await job1).status).toBe(JobStatus.FINISHED);
    expect(await committed()).toEqual(expectedCounts(events.slice(0, 150)));

    const job2 = build(3, new QueueFeed<string>().push(...events).end()).execute({ restoreFrom: path });
    expect((await job2).status).toBe(JobStatus.FINISHED);
    expect(await committed()).toEqual(expectedCounts(events));
    expect(await log.abortPending()).toBe(0);
  });
});
