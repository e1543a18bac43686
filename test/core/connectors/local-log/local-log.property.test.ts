import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LocalLog,
  type LogPartitionReader,
  type LogTransaction,
  type PreparedTransaction,
} from '../../../../src/core/connectors/local-log/index.js';
import { removeTempDirs, simulateCrash, tempDir } from './log-test-dirs.js';

afterEach(removeTempDirs);

const PARTITIONS = [
  ['x', 0],
  ['x', 1],
  ['y', 0],
] as const;
const IDS = ['s0', 's1'];

type Op =
  | { kind: 'begin'; id: number }
  | { kind: 'append'; txn: number; partition: number; count: number }
  | { kind: 'prepare'; txn: number }
  | { kind: 'commit'; txn: number }
  | { kind: 'abort'; txn: number }
  | { kind: 'crash' }
  | { kind: 'commitHandle'; handle: number }
  | { kind: 'abortHandle'; handle: number }
  | { kind: 'read' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('begin' as const), id: fc.nat(1) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      txn: fc.nat(3),
      partition: fc.nat(PARTITIONS.length - 1),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('prepare' as const), txn: fc.nat(3) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('commit' as const), txn: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), txn: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commitHandle' as const), handle: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abortHandle' as const), handle: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'read' as const }) },
);

/** The model: what must be on disk and what must be visible. */
interface ModelTxn {
  real: LogTransaction;
  id: string;
  seq: number;
  state: 'open' | 'prepared' | 'committed' | 'aborted';
  appends: Map<number, string[]>;
  ranges: { partition: number; start: number; values: string[] }[];
}

class Model {
  /** Per partition: values on disk (committed prefix, then prepared or leftover data). */
  disk: string[][] = PARTITIONS.map(() => []);
  committed: number[] = PARTITIONS.map(() => 0);
  /** Live prepared transactions per partition, in prepare order. */
  prepared: ModelTxn[][] = PARTITIONS.map(() => []);
  lastSeq = new Map<string, number>();
  live: ModelTxn[] = [];
  /** Handles of prepared transactions with the values they cover, kept across crashes. */
  handles: { handle: PreparedTransaction; values: string[][] }[] = [];
}

async function run(ops: Op[]): Promise<void> {
  const dir = tempDir();
  const options = { segmentBytes: 160, indexIntervalBytes: 40, commitLogCompactBytes: 1500 };
  let log = await LocalLog.open(dir, options);
  await log.createTopic('x', 2);
  await log.createTopic('y', 1);
  const m = new Model();
  let nextSeq = 1;
  let nextValue = 0;
  let tailReaders: LogPartitionReader[] = PARTITIONS.map(([t, p]) => log.reader(t, p));
  let tailed: string[][] = PARTITIONS.map(() => []);

  const checkVisible = (): void => {
    PARTITIONS.forEach(([t, p], i) => {
      expect(log.committedEnd(t, p)).toBe(m.committed[i]);
      const reader = log.reader(t, p);
      const all = reader.poll(10_000).map((r) => r.value.toString());
      reader.close();
      expect(all).toEqual(m.disk[i]!.slice(0, m.committed[i]));
      for (const r of tailReaders[i]!.poll(10_000)) tailed[i]!.push(r.value.toString());
      expect(tailed[i]).toEqual(all);
    });
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'begin': {
        if (m.live.length >= 4) break;
        const id = IDS[op.id]!;
        const seq = nextSeq++;
        m.live.push({
          real: log.beginTransaction(id, { seq }),
          id,
          seq,
          state: 'open',
          appends: new Map(),
          ranges: [],
        });
        break;
      }
      case 'append': {
        const txn = m.live[op.txn % Math.max(1, m.live.length)];
        if (txn?.state !== 'open') break;
        const [t, p] = PARTITIONS[op.partition]!;
        for (let k = 0; k < op.count; k++) {
          const value = `v${nextValue++}`;
          txn.real.append(t, p, value, { timestamp: nextValue });
          txn.appends.set(op.partition, [...(txn.appends.get(op.partition) ?? []), value]);
        }
        break;
      }
      case 'prepare': {
        const txn = m.live[op.txn % Math.max(1, m.live.length)];
        if (txn?.state !== 'open') break;
        const handle = await txn.real.prepare();
        txn.state = 'prepared';
        const handleValues: string[][] = [];
        for (const [i, values] of [...txn.appends].sort((a, b) => a[0] - b[0])) {
          const queue = m.prepared[i]!;
          const claimed =
            queue.length > 0 ? queue[queue.length - 1]!.ranges.find((r) => r.partition === i)! : undefined;
          const claimedEnd = claimed ? claimed.start + claimed.values.length : m.committed[i]!;
          m.disk[i]!.length = claimedEnd;
          txn.ranges.push({ partition: i, start: claimedEnd, values });
          m.disk[i]!.push(...values);
          queue.push(txn);
          handleValues.push(values);
        }
        expect(handle.ranges.map((r) => r.startOffset)).toEqual(txn.ranges.map((r) => r.start));
        m.handles.push({ handle, values: handleValues });
        break;
      }
      case 'commit': {
        const txn = m.live[op.txn % Math.max(1, m.live.length)];
        if (txn?.state !== 'prepared') break;
        const ok =
          txn.seq > (m.lastSeq.get(txn.id) ?? 0) &&
          txn.ranges.every((r) => m.prepared[r.partition]![0] === txn);
        if (!ok) {
          await expect(txn.real.commit()).rejects.toThrow();
          break;
        }
        await txn.real.commit({ seq: txn.seq });
        for (const r of txn.ranges) {
          m.prepared[r.partition]!.shift();
          m.committed[r.partition] = r.start + r.values.length;
        }
        m.lastSeq.set(txn.id, txn.seq);
        txn.state = 'committed';
        m.live.splice(m.live.indexOf(txn), 1);
        break;
      }
      case 'abort': {
        const txn = m.live[op.txn % Math.max(1, m.live.length)];
        if (txn === undefined) break;
        if (txn.state === 'prepared' && !txn.ranges.every((r) => m.prepared[r.partition]!.at(-1) === txn)) {
          await expect(txn.real.abort()).rejects.toThrow();
          break;
        }
        await txn.real.abort();
        for (const r of txn.ranges) {
          m.prepared[r.partition]!.pop();
          m.disk[r.partition]!.length = r.start;
        }
        txn.state = 'aborted';
        m.live.splice(m.live.indexOf(txn), 1);
        break;
      }
      case 'crash': {
        simulateCrash(dir);
        log = await LocalLog.open(dir, options);
        m.live = [];
        m.prepared = PARTITIONS.map(() => []);
        tailReaders = PARTITIONS.map(([t, p], i) => log.reader(t, p, tailed[i]!.length));
        break;
      }
      case 'commitHandle': {
        const entry = m.handles[m.handles.length - 1 - (op.handle % Math.max(1, m.handles.length))];
        if (entry === undefined) break;
        const { handle, values } = entry;
        const liveTxn = m.live.find((t) => t.id === handle.transactionalId && t.seq === handle.seq);
        if (liveTxn !== undefined) break; // the live-transaction path is the 'commit' op
        if ((m.lastSeq.get(handle.transactionalId) ?? 0) >= handle.seq) {
          expect(await log.commitPrepared(handle)).toBe('already-committed');
          break;
        }
        const intact = handle.ranges.every((r, k) => {
          const i = PARTITIONS.findIndex(([t, p]) => t === r.topic && p === r.partition);
          const onDisk = m.disk[i]!.slice(r.startOffset, r.endOffset);
          return (
            m.prepared[i]!.length === 0 &&
            m.committed[i] === r.startOffset &&
            onDisk.length === values[k]!.length &&
            onDisk.every((v, j) => v === values[k]![j])
          );
        });
        if (!intact) {
          await expect(log.commitPrepared(handle)).rejects.toThrow();
          break;
        }
        expect(await log.commitPrepared(handle, { recovered: handle.seq })).toBe('committed');
        for (const r of handle.ranges) {
          const i = PARTITIONS.findIndex(([t, p]) => t === r.topic && p === r.partition);
          m.committed[i] = r.endOffset;
        }
        m.lastSeq.set(handle.transactionalId, handle.seq);
        break;
      }
      case 'abortHandle': {
        const entry = m.handles[m.handles.length - 1 - (op.handle % Math.max(1, m.handles.length))];
        if (entry === undefined) break;
        const { handle } = entry;
        if (m.live.some((t) => t.id === handle.transactionalId && t.seq === handle.seq)) break;
        if (m.lastSeq.get(handle.transactionalId) === handle.seq) {
          await expect(log.abortPrepared(handle)).rejects.toThrow();
          break;
        }
        await log.abortPrepared(handle);
        for (const r of handle.ranges) {
          const i = PARTITIONS.findIndex(([t, p]) => t === r.topic && p === r.partition);
          if (m.prepared[i]!.length === 0 && m.committed[i]! <= r.startOffset) {
            m.disk[i]!.length = Math.min(m.disk[i]!.length, r.startOffset);
          }
        }
        break;
      }
      case 'read':
        checkVisible();
        break;
    }
  }
  checkVisible();
  await log.close();
  // A clean reopen shows the same committed records.
  log = await LocalLog.open(dir, options);
  tailReaders = PARTITIONS.map(([t, p]) => log.reader(t, p));
  tailed = PARTITIONS.map(() => []);
  checkVisible();
  await log.close();
}

describe('LocalLog (property)', () => {
  it('readers see exactly the committed appends, in order, through crashes and recoveries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 30, maxLength: 80 }), async (ops) => {
        await run(ops);
        removeTempDirs();
      }),
      { seed: 424_242, numRuns: 120 },
    );
  }, 120_000);
});
