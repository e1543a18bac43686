import { afterEach, describe, expect, it } from 'vitest';
import { LocalLog } from '../../../src/core/connectors/local-log/local-log.js';
import type {
  DeadLetter,
  DeadLetterEnvelope,
} from '../../../src/core/connectors/local-log/local-log-dead-letter.js';
import { LocalLogSource } from '../../../src/core/connectors/local-log/local-log-source.js';
import type { LocalLogSplit } from '../../../src/core/connectors/local-log/local-log-split.js';
import { jsonValue } from '../../../src/core/connectors/local-log/log-record.js';
import { Boundedness, InputStatus } from '../../../src/core/connectors/source.js';
import { removeTempDirs, tempDir } from './local-log/log-test-dirs.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

interface Ev {
  readonly p: number;
  readonly i: number;
}

const logs: LocalLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  removeTempDirs();
});

/** A log with topic `in` of `partitions` partitions holding `perPartition` committed events each. */
async function logWith(partitions: number, perPartition: number): Promise<LocalLog> {
  const log = await LocalLog.open(tempDir());
  logs.push(log);
  await log.createTopic('in', partitions);
  await append(log, partitions, 0, perPartition);
  return log;
}

async function append(log: LocalLog, partitions: number, from: number, to: number): Promise<void> {
  const txn = log.beginTransaction('producer');
  for (let p = 0; p < partitions; p++) for (let i = from; i < to; i++) txn.appendJson('in', p, { p, i });
  await txn.commit();
}

const byPartition = (events: Ev[], p: number): number[] => events.filter((e) => e.p === p).map((e) => e.i);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('LocalLogSource', () => {
  it('bounded: reads every partition in offset order and ends', async () => {
    const log = await logWith(3, 20);
    const source = new LocalLogSource<Ev>({ log, topic: 'in', mode: 'bounded', maxRecordsPerPoll: 7 });
    expect(source.getBoundedness()).toBe(Boundedness.BOUNDED);
    const perSubtask = await SourceHarness.run(source, { parallelism: 2 });
    // Partition p goes to subtask p % 2.
    expect(perSubtask[0]!.every((e) => e.p % 2 === 0)).toBe(true);
    expect(perSubtask[1]!.every((e) => e.p === 1)).toBe(true);
    const all = perSubtask.flat();
    expect(all).toHaveLength(60);
    for (let p = 0; p < 3; p++) expect(byPartition(all, p)).toEqual(range(0, 20));
  });

  it('bounded: stops at the committed end seen at start; records carry the log timestamp', async () => {
    const log = await logWith(1, 5);
    const source = new LocalLogSource<Ev>({ log, topic: 'in', mode: 'bounded' });
    const harness = await SourceHarness.create(source, { parallelism: 1 });
    await append(log, 1, 5, 10); // after the start: not part of the bounded read
    await harness.runToEnd();
    expect(harness.allValues().map((e) => e.i)).toEqual(range(0, 5));
    expect(typeof harness.outputs[0]!.records[0]!.timestamp).toBe('number');
    await harness.close();
  });

  it('starting offsets: latest, and given offsets with a fallback', async () => {
    const log = await logWith(2, 10);
    const latest = await SourceHarness.run(
      new LocalLogSource<Ev>({ log, topic: 'in', mode: 'bounded', startingOffsets: 'latest' }),
      { parallelism: 1 },
    );
    expect(latest.flat()).toEqual([]);
    const given = (
      await SourceHarness.run(
        new LocalLogSource<Ev>({
          log,
          topic: 'in',
          mode: 'bounded',
          startingOffsets: { offsets: { 1: 7 }, otherwise: 'earliest' },
        }),
        { parallelism: 1 },
      )
    ).flat();
    expect(byPartition(given, 0)).toEqual(range(0, 10));
    expect(byPartition(given, 1)).toEqual([7, 8, 9]);
  });

  it('resumes from a snapshot position in a fresh job: no duplicates, no loss (also at another parallelism)', async () => {
    const log = await logWith(3, 50);
    for (const [parallelism, restoreParallelism] of [
      [2, 2],
      [3, 1],
      [1, 3],
    ] as const) {
      const source = new LocalLogSource<Ev>({ log, topic: 'in', mode: 'bounded', maxRecordsPerPoll: 10 });
      const { before, after, snapshot } = await runWithRestore(source, {
        parallelism,
        restoreParallelism,
        cutAfterRecords: 45,
        readerStartOrder: 'runtime',
      });
      expect(before.flat().length).toBeGreaterThanOrEqual(45);
      expect(before.flat().length).toBeLessThan(150);
      const positions = snapshot.readers.flat().map((s: LocalLogSplit) => s.nextOffset);
      expect(positions.some((o) => o > 0)).toBe(true);
      const all = [...before.flat(), ...after.flat()];
      expect(all).toHaveLength(150);
      for (let p = 0; p < 3; p++) expect(byPartition(all, p)).toEqual(range(0, 50));
    }
  });

  it('continuous: waits for new commits without busy polling and picks them up', async () => {
    const log = await logWith(2, 3);
    const source = new LocalLogSource<Ev>({ log, topic: 'in' });
    expect(source.getBoundedness()).toBe(Boundedness.CONTINUOUS_UNBOUNDED);
    const harness = await SourceHarness.create(source, { parallelism: 1 });
    await harness.poll({ minRecords: 6 });
    const pollsWhenCaughtUp = harness.polls[0]!;
    setTimeout(() => void append(log, 2, 3, 5), 30);
    setTimeout(() => void append(log, 2, 5, 8), 60);
    await harness.poll({ minRecords: 16 });
    const all = harness.allValues();
    for (let p = 0; p < 2; p++) expect(byPartition(all, p)).toEqual(range(0, 8));
    // Waiting cost a handful of polls, not a loop: one per wake-up plus the drains.
    expect(harness.polls[0]! - pollsWhenCaughtUp).toBeLessThan(12);
    expect(harness.statuses[0]!.includes(InputStatus.END_OF_INPUT)).toBe(false);
    await harness.close();
  });

  it('continuous over a read-only log of "another process" picks up commits too', async () => {
    const log = await logWith(1, 2);
    const reader = await LocalLog.openReadOnly(log.dir, { pollIntervalMs: 5 });
    logs.push(reader);
    const harness = await SourceHarness.create(new LocalLogSource<Ev>({ log: reader, topic: 'in' }), {
      parallelism: 1,
    });
    await harness.poll({ minRecords: 2 });
    setTimeout(() => void append(log, 1, 2, 4), 20);
    await harness.poll({ minRecords: 4 });
    expect(harness.allValues().map((e) => e.i)).toEqual(range(0, 4));
    await harness.close();
  });

  it('poison records go to the dead-letter handler and topic with the reason; processing continues', async () => {
    const log = await LocalLog.open(tempDir());
    logs.push(log);
    await log.createTopic('in', 2);
    await log.createTopic('dlq', 1);
    const txn = log.beginTransaction('producer');
    txn.appendJson('in', 0, { p: 0, i: 0 });
    txn.append('in', 0, 'not json {', { key: 'bad-key' });
    txn.appendJson('in', 0, { p: 0, i: 2 });
    txn.appendJson('in', 1, { p: 1, i: 0 });
    txn.appendJson('in', 1, { p: 1, i: -1 }); // rejected by the custom check below
    await txn.commit();
    const deadLetters: DeadLetter[] = [];
    const source = new LocalLogSource<Ev>({
      log,
      topic: 'in',
      mode: 'bounded',
      deserializer: (r) => {
        const e = jsonValue<Ev>(r);
        if (e.i < 0) throw new Error('negative index');
        return e;
      },
      onDeadLetter: (d) => deadLetters.push(d),
      deadLetterTopic: { log, topic: 'dlq' },
    });
    const values = (await SourceHarness.run(source, { parallelism: 1 })).flat();
    expect(values.sort((a, b) => a.p - b.p || a.i - b.i)).toEqual([
      { p: 0, i: 0 },
      { p: 0, i: 2 },
      { p: 1, i: 0 },
    ]);
    expect(deadLetters.map((d) => [d.partition, d.offset])).toEqual(
      expect.arrayContaining([
        [0, 1],
        [1, 1],
      ]),
    );
    expect(deadLetters.find((d) => d.partition === 0)!.reason).toMatch(/JSON/);
    expect(deadLetters.find((d) => d.partition === 1)!.reason).toBe('negative index');
    const dlq = log.reader('dlq', 0).poll(10);
    expect(dlq).toHaveLength(2);
    const poison = dlq.map((r) => ({
      key: r.key?.toString() ?? null,
      env: jsonValue<DeadLetterEnvelope>(r),
    }));
    const fromP0 = poison.find((x) => x.env.partition === 0)!;
    expect(fromP0.key).toBe('bad-key');
    expect(Buffer.from(fromP0.env.value, 'base64').toString()).toBe('not json {');
    expect(fromP0.env.offset).toBe(1);
  });

  it('without a dead-letter handler an undecodable record fails the reader', async () => {
    const log = await LocalLog.open(tempDir());
    logs.push(log);
    await log.createTopic('in', 1);
    const txn = log.beginTransaction('producer');
    txn.append('in', 0, '{{');
    await txn.commit();
    await expect(
      SourceHarness.run(new LocalLogSource<Ev>({ log, topic: 'in', mode: 'bounded' }), { parallelism: 1 }),
    ).rejects.toThrow(/cannot decode record in\/0@0/);
  });
});
