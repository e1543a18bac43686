import { afterEach, describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../../src/core/api/stream-execution-environment.js';
import { LocalLog } from '../../../src/core/connectors/local-log/local-log.js';
import { LocalLogSink } from '../../../src/core/connectors/local-log/local-log-sink.js';
import { LocalLogSource } from '../../../src/core/connectors/local-log/local-log-source.js';
import { jsonValue } from '../../../src/core/connectors/local-log/log-record.js';
import { WatermarkStrategy } from '../../../src/core/time/watermark-strategy.js';
import { removeTempDirs, tempDir } from './local-log/log-test-dirs.js';

interface Order {
  readonly id: number;
  readonly account: string;
  readonly amount: number;
}
interface Charged {
  readonly id: number;
  readonly account: string;
  readonly cents: number;
}

const logs: LocalLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  removeTempDirs();
});

describe('LocalLogSource -> map -> LocalLogSink job', () => {
  it('a bounded job produces exactly the transformed input, visible to read-committed readers', async () => {
    const log = await LocalLog.open(tempDir());
    logs.push(log);
    await log.createTopic('orders', 3);
    await log.createTopic('charged', 2);
    const orders: Order[] = Array.from({ length: 300 }, (_, i) => ({
      id: i,
      account: `acct-${i % 7}`,
      amount: i + 0.25,
    }));
    const txn = log.beginTransaction('producer');
    for (const o of orders) txn.appendJson('orders', o.id % 3, o, { key: o.account });
    await txn.commit();

    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    env
      .fromSource(
        new LocalLogSource<Order>({ log, topic: 'orders', mode: 'bounded', maxRecordsPerPoll: 16 }),
        WatermarkStrategy.noWatermarks(),
        'orders',
      )
      .map((o): Charged => ({ id: o.id, account: o.account, cents: Math.round(o.amount * 100) }))
      .sinkTo(new LocalLogSink<Charged>({ log, topic: 'charged', key: (c) => c.account }));
    await env.execute('charge');

    const reader = await LocalLog.openReadOnly(log.dir);
    logs.push(reader);
    const out: Charged[] = [];
    const keysPerPartition: Set<string>[] = [];
    for (let p = 0; p < 2; p++) {
      const records = reader.reader('charged', p).poll(10_000);
      keysPerPartition.push(new Set(records.map((r) => r.key!.toString())));
      out.push(...records.map((r) => jsonValue<Charged>(r)));
    }
    expect(out.sort((a, b) => a.id - b.id)).toEqual(
      orders.map((o) => ({ id: o.id, account: o.account, cents: Math.round(o.amount * 100) })),
    );
    // A key lives in one partition only.
    for (const k of keysPerPartition[0]!) expect(keysPerPartition[1]!.has(k)).toBe(false);
    // One transaction per sink subtask (committed at the end of input), nothing left pending.
    expect(log.lastCommit('charged-sink-0')).toBeDefined();
    expect(log.lastCommit('charged-sink-1')).toBeDefined();
    expect(await log.abortPending()).toBe(0);
  });
});
