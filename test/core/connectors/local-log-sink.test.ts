import { afterEach, describe, expect, it } from 'vitest';
import { LocalLog } from '../../../src/core/connectors/local-log/local-log.js';
import { LocalLogSink } from '../../../src/core/connectors/local-log/local-log-sink.js';
import { jsonValue } from '../../../src/core/connectors/local-log/log-record.js';
import type { PreparedTransaction } from '../../../src/core/connectors/local-log/log-transaction.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
} from '../../../src/core/runtime/operator-snapshot-codec.js';
import { CommittingSinkOperator } from '../../../src/core/runtime/operators/committing-sink-operator.js';
import type { OperatorSnapshot } from '../../../src/core/runtime/stream-operator.js';
import { OperatorTestHarness } from '../../../src/core/testing/operator-test-harness.js';
import { removeTempDirs, simulateCrash, tempDir } from './local-log/log-test-dirs.js';

interface Rec {
  readonly k: string;
  readonly n: number;
}
type Op = CommittingSinkOperator<Rec, PreparedTransaction>;

const logs: LocalLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  removeTempDirs();
});

async function openLog(dir: string, partitions = 2): Promise<LocalLog> {
  const log = await LocalLog.open(dir);
  logs.push(log);
  await log.createTopic('out', partitions);
  return log;
}

/** Everything a read-committed reader sees, all partitions. */
function readAll(log: LocalLog, topic = 'out'): Rec[] {
  const out: Rec[] = [];
  for (let p = 0; p < log.partitions(topic); p++) {
    const reader = log.reader(topic, p);
    out.push(...reader.poll(10_000).map((r) => jsonValue<Rec>(r)));
    reader.close();
  }
  return out.sort((a, b) => a.n - b.n);
}

function harness(sink: LocalLogSink<Rec>, options: { parallelism?: number; subtaskIndex?: number } = {}) {
  return new OperatorTestHarness<never, Rec>(
    () => new CommittingSinkOperator<Rec, PreparedTransaction>(sink),
    options,
  );
}

function persist(snapshot: OperatorSnapshot): OperatorSnapshot {
  return decodeOperatorSnapshot(encodeOperatorSnapshot(snapshot));
}

const recs = (from: number, to: number): Rec[] =>
  Array.from({ length: to - from }, (_, i) => ({ k: `k${(from + i) % 3}`, n: from + i }));

describe('LocalLogSink (exactly-once)', () => {
  it('output is invisible to read-committed readers until the checkpoint completes', async () => {
    const log = await openLog(tempDir());
    const sink = new LocalLogSink<Rec>({ log, topic: 'out', key: (r) => r.k });
    const h = harness(sink);
    await h.open();
    for (const r of recs(0, 5)) h.processElement(r);
    h.snapshot(); // checkpoint 1: prepared
    expect(readAll(log)).toEqual([]);
    expect(log.lastCommit('out-sink-0')).toBeUndefined();
    for (const r of recs(5, 7)) h.processElement(r);
    (h.operator as Op).notifyCheckpointComplete(1);
    await h.drainPending();
    expect(readAll(log)).toEqual(recs(0, 5));
    expect(log.lastCommit('out-sink-0')?.seq).toBe(1); // seq = checkpoint id
    await h.finish(); // end of input commits the rest
    expect(readAll(log)).toEqual(recs(0, 7));
    await h.close();
  });

  it('keys go to one partition by hash; without a key, round robin', async () => {
    const log = await openLog(tempDir(), 3);
    const h = harness(new LocalLogSink<Rec>({ log, topic: 'out', key: (r) => r.k }));
    await h.open();
    for (const r of recs(0, 30)) h.processElement(r);
    await h.finish();
    for (let p = 0; p < 3; p++) {
      const keys = new Set(
        log
          .reader('out', p)
          .poll(100)
          .map((r) => r.key?.toString()),
      );
      expect(keys.size).toBeLessThanOrEqual(3);
      for (let q = 0; q < p; q++) {
        const other = new Set(
          log
            .reader('out', q)
            .poll(100)
            .map((r) => r.key?.toString()),
        );
        for (const k of keys) expect(other.has(k)).toBe(false);
      }
    }
    const log2 = await openLog(tempDir(), 3);
    const h2 = harness(new LocalLogSink<Rec>({ log: log2, topic: 'out', partitioner: 'round-robin' }));
    await h2.open();
    for (const r of recs(0, 9)) h2.processElement(r);
    await h2.finish();
    expect([0, 1, 2].map((p) => log2.committedEnd('out', p))).toEqual([3, 3, 3]);
    expect(log2.reader('out', 0).poll(10)[0]!.key).toBeNull();
  });

  it('custom serializer', async () => {
    const log = await openLog(tempDir(), 1);
    const h = harness(new LocalLogSink<Rec>({ log, topic: 'out', serializer: (r) => `${r.k}:${r.n}` }));
    await h.open();
    for (const r of recs(0, 2)) h.processElement(r);
    await h.finish();
    expect(
      log
        .reader('out', 0)
        .poll(10)
        .map((r) => r.value.toString()),
    ).toEqual(['k0:0', 'k1:1']);
  });

  it('crash between prepare and notify: reopen the log, restore the snapshot -> output exactly once', async () => {
    const dir = tempDir();
    let log = await openLog(dir);
    const h1 = harness(new LocalLogSink<Rec>({ log, topic: 'out', key: (r) => r.k }));
    await h1.open();
    for (const r of recs(0, 4)) h1.processElement(r);
    h1.snapshot(); // 1
    (h1.operator as Op).notifyCheckpointComplete(1);
    for (const r of recs(4, 8)) h1.processElement(r);
    const snapshot2 = persist(h1.snapshot()); // 2 completes, but the process dies before notify
    for (const r of recs(8, 10)) h1.processElement(r);
    h1.snapshot(); // 3 prepared, never completes
    expect(readAll(log)).toEqual(recs(0, 4));
    simulateCrash(dir); // the process is gone: nothing closed, LOCK of a dead PID
    logs.splice(logs.indexOf(log), 1);

    log = await LocalLog.open(dir);
    logs.push(log);
    expect(readAll(log)).toEqual(recs(0, 4)); // prepared data is invisible after recovery too
    const h2 = harness(new LocalLogSink<Rec>({ log, topic: 'out', key: (r) => r.k }));
    await h2.open([snapshot2]); // re-commits checkpoint 2, drops checkpoint 3's prepared data
    expect(readAll(log)).toEqual(recs(0, 8));
    for (const r of recs(8, 12)) h2.processElement(r); // the source replays from checkpoint 2's position
    await h2.finish();
    expect(readAll(log)).toEqual(recs(0, 12));

    // Another failure restoring the same checkpoint: the commit is a no-op.
    const h3 = harness(new LocalLogSink<Rec>({ log, topic: 'out', key: (r) => r.k }));
    await h3.open([snapshot2]);
    await h3.finish();
    expect(readAll(log)).toEqual(recs(0, 12));
  });

  it("restart inside the same process: the failed attempt's live transactions are committed or aborted", async () => {
    const log = await openLog(tempDir());
    const sink = new LocalLogSink<Rec>({ log, topic: 'out', key: (r) => r.k });
    const h1 = harness(sink);
    await h1.open();
    for (const r of recs(0, 3)) h1.processElement(r);
    const snapshot1 = persist(h1.snapshot()); // completes, notify lost with the failure
    for (const r of recs(3, 6)) h1.processElement(r);
    h1.snapshot(); // 2: prepared (live in this process), never completes
    // The task fails; the operator is dropped without close. Restart from checkpoint 1:
    const h2 = harness(sink);
    await h2.open([snapshot1]);
    expect(readAll(log)).toEqual(recs(0, 3));
    for (const r of recs(3, 8)) h2.processElement(r);
    h2.snapshot(); // checkpoint ids of the harness restart at 1: seq continues after the committed one
    (h2.operator as Op).notifyCheckpointComplete(1);
    await h2.drainPending();
    expect(readAll(log)).toEqual(recs(0, 8));
  });

  it('parallel writers sharing partitions commit in prepare order, whatever the notification order', async () => {
    const log = await openLog(tempDir(), 2);
    const sink = new LocalLogSink<Rec>({ log, topic: 'out', partitioner: 'round-robin' });
    const hs = [0, 1].map((subtaskIndex) => harness(sink, { parallelism: 2, subtaskIndex }));
    for (const h of hs) await h.open();
    hs[0]!.processElement({ k: 'a', n: 0 });
    hs[0]!.processElement({ k: 'a', n: 1 });
    hs[1]!.processElement({ k: 'b', n: 2 });
    hs[1]!.processElement({ k: 'b', n: 3 });
    hs[0]!.snapshot(); // subtask 0 prepares first on both partitions
    hs[1]!.snapshot();
    (hs[1]!.operator as Op).notifyCheckpointComplete(1); // blocked behind subtask 0's transaction
    expect(readAll(log)).toEqual([]);
    (hs[0]!.operator as Op).notifyCheckpointComplete(1);
    await hs[1]!.drainPending();
    expect(readAll(log).map((r) => r.n)).toEqual([0, 1, 2, 3]);
    expect((hs[1]!.operator as Op).pendingCommittables()).toEqual([]);
  });

  it('a restore commits the handles of all former subtasks, in prepare order, at a new parallelism', async () => {
    const dir = tempDir();
    let log = await openLog(dir, 2);
    const hs = [0, 1].map(
      (subtaskIndex) =>
        new OperatorTestHarness<never, Rec>(
          () =>
            new CommittingSinkOperator<Rec, PreparedTransaction>(
              new LocalLogSink<Rec>({ log, topic: 'out', partitioner: 'round-robin' }),
            ),
          { parallelism: 2, subtaskIndex },
        ),
    );
    for (const h of hs) await h.open();
    for (const r of recs(0, 4)) hs[r.n % 2]!.processElement(r);
    const snapshots = hs.map((h) => persist(h.snapshot()));
    simulateCrash(dir);
    logs.splice(logs.indexOf(log), 1);
    log = await LocalLog.open(dir);
    logs.push(log);
    const restored = harness(new LocalLogSink<Rec>({ log, topic: 'out' }), { parallelism: 1 });
    await restored.open([snapshots[1]!, snapshots[0]!]); // handles out of prepare order
    expect(readAll(log)).toEqual(recs(0, 4));
  });
});

describe('LocalLogSink (at-least-once)', () => {
  it('commits at every barrier without waiting for completion, and when the buffer is full', async () => {
    const log = await openLog(tempDir(), 1);
    const h = harness(
      new LocalLogSink<Rec>({ log, topic: 'out', deliveryGuarantee: 'at-least-once', maxBufferedRecords: 3 }),
    );
    await h.open();
    for (const r of recs(0, 4)) h.processElement(r);
    expect(readAll(log)).toEqual(recs(0, 3)); // buffer full
    h.snapshot();
    expect(readAll(log)).toEqual(recs(0, 4)); // barrier
    expect((h.operator as Op).pendingCommittables()).toEqual([]);
    h.processElement(recs(4, 5)[0]!);
    await h.finish();
    expect(readAll(log)).toEqual(recs(0, 5));
  });
});
