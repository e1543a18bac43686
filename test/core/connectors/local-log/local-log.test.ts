import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jsonValue,
  LocalLog,
  LocalLogCorruptionError,
  LocalLogLockedError,
  type LogRecord,
} from '../../../../src/core/connectors/local-log/index.js';
import { removeTempDirs, simulateCrash, tempDir } from './log-test-dirs.js';

afterEach(removeTempDirs);

function readAll(log: LocalLog, topic: string, partition: number, from = 0): LogRecord[] {
  const reader = log.reader(topic, partition, from);
  const out: LogRecord[] = [];
  for (let batch = reader.poll(7); batch.length > 0; batch = reader.poll(7)) out.push(...batch);
  reader.close();
  return out;
}

function values(log: LocalLog, topic: string, partition: number): unknown[] {
  return readAll(log, topic, partition).map((r) => jsonValue(r));
}

function segmentFiles(dir: string, topic: string, partition: number): string[] {
  const p = join(dir, 'topics', topic, String(partition));
  return readdirSync(p)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => join(p, f));
}

describe('LocalLog', () => {
  it('round-trips records with offsets, timestamps, keys and payloads', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('events', 2);
    expect(log.topics()).toEqual(['events']);
    expect(log.partitions('events')).toBe(2);
    const txn = log.beginTransaction('w');
    txn.appendJson('events', 1, { n: 1 }, { key: 'k1', timestamp: 1000 });
    txn.append('events', 1, Buffer.from([0, 1, 2, 255]), { timestamp: 2000 });
    txn.append('events', 1, '', { key: Buffer.alloc(0), timestamp: 3000 });
    await txn.commit();
    const records = readAll(log, 'events', 1);
    expect(records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null])).toEqual([
      [0, 1000, 'k1'],
      [1, 2000, null],
      [2, 3000, ''],
    ]);
    expect(jsonValue(records[0]!)).toEqual({ n: 1 });
    expect([...records[1]!.value]).toEqual([0, 1, 2, 255]);
    expect(records[2]!.value.length).toBe(0);
    expect(readAll(log, 'events', 0)).toEqual([]);
    expect(readAll(log, 'events', 1, 2).map((r) => r.offset)).toEqual([2]);
    await log.close();
  });

  it('commits records of several partitions and topics and the caller metadata atomically', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('a', 3);
    await log.createTopic('b', 1);
    const readers = [log.reader('a', 0), log.reader('a', 2), log.reader('b', 0)];
    const txn = log.beginTransaction('sink');
    txn.appendJson('a', 0, 'a0');
    txn.appendJson('a', 2, 'a2');
    txn.appendJson('b', 0, 'b0');
    const handle = await txn.prepare();
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
    expect(handle.ranges.map((r) => [r.topic, r.partition, r.startOffset, r.endOffset])).toEqual([
      ['a', 0, 0, 1],
      ['a', 2, 0, 1],
      ['b', 0, 0, 1],
    ]);
    expect(readers.map((r) => r.poll().length)).toEqual([0, 0, 0]);
    const commit = await txn.commit({ checkpointId: 7, positions: { src: 42 } });
    expect(commit).toMatchObject({ transactionalId: 'sink', seq: 1, commitIndex: 1 });
    expect(readers.map((r) => r.poll().map((x) => jsonValue(x)))).toEqual([['a0'], ['a2'], ['b0']]);
    expect(log.lastCommit()?.extra).toEqual({ checkpointId: 7, positions: { src: 42 } });
    expect(log.lastCommit('sink')?.seq).toBe(1);
    expect(log.lastCommit('other')).toBeUndefined();
    await log.close();
  });

  it('never shows an aborted transaction, prepared or not, and reuses its offsets', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('t', 1);
    const open = log.beginTransaction('w');
    open.appendJson('t', 0, 'never-prepared');
    await open.abort();
    const prepared = log.beginTransaction('w');
    prepared.appendJson('t', 0, 'prepared-then-aborted');
    await prepared.prepare();
    await prepared.abort();
    expect(prepared.state).toBe('aborted');
    const good = log.beginTransaction('w');
    good.appendJson('t', 0, 'kept');
    await good.commit();
    expect(readAll(log, 't', 0).map((r) => [r.offset, jsonValue(r)])).toEqual([[0, 'kept']]);
    await log.close();
    const reopened = await LocalLog.open(dir);
    expect(values(reopened, 't', 0)).toEqual(['kept']);
    await reopened.close();
  });

  it('hides prepared data from concurrent readers, in-process and read-only, until commit', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('t', 1);
    const first = log.beginTransaction('w');
    first.appendJson('t', 0, 1);
    await first.commit();
    const remote = await LocalLog.openReadOnly(dir, { pollIntervalMs: 5 });
    const local = log.reader('t', 0);
    const outside = remote.reader('t', 0);
    expect(local.poll().map((r) => jsonValue(r))).toEqual([1]);
    expect(outside.poll().map((r) => jsonValue(r))).toEqual([1]);

    const txn = log.beginTransaction('w');
    txn.appendJson('t', 0, 2);
    txn.appendJson('t', 0, 3);
    await txn.prepare();
    expect(local.poll()).toEqual([]);
    expect(outside.poll()).toEqual([]);
    expect(await local.waitForCommit({ timeoutMs: 20 })).toBe(false);
    expect(await outside.waitForCommit({ timeoutMs: 20 })).toBe(false);

    const localWait = local.waitForCommit();
    const outsideWait = outside.waitForCommit({ timeoutMs: 5000 });
    await txn.commit();
    expect(await localWait).toBe(true);
    expect(await outsideWait).toBe(true);
    expect(local.poll().map((r) => jsonValue(r))).toEqual([2, 3]);
    expect(outside.poll().map((r) => jsonValue(r))).toEqual([2, 3]);
    await remote.close();
    await log.close();
  });

  it('never serves a reader bytes it read ahead while they were uncommitted and later replaced', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('t', 1);
    const first = log.beginTransaction('w');
    first.appendJson('t', 0, 'committed');
    await first.commit();
    const aborted = log.beginTransaction('w');
    aborted.appendJson('t', 0, 'aborted');
    await aborted.prepare();
    const reader = log.reader('t', 0);
    // Reads the segment in one chunk, the prepared record included.
    expect(reader.poll().map((r) => jsonValue(r))).toEqual(['committed']);
    await aborted.abort();
    const replacement = log.beginTransaction('w');
    replacement.appendJson('t', 0, 'replacement');
    await replacement.commit();
    expect(reader.poll().map((r) => [r.offset, jsonValue(r)])).toEqual([[1, 'replacement']]);
    await log.close();
  });

  it('reopens after a clean close with data, commits, sequence numbers and appends continuing', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir, { segmentBytes: 256 });
    await log.createTopic('t', 2);
    for (let i = 0; i < 20; i++) {
      const txn = log.beginTransaction('w');
      txn.appendJson('t', i % 2, i);
      await txn.commit({ upTo: i });
    }
    await log.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    const reopened = await LocalLog.open(dir, { segmentBytes: 256 });
    expect(reopened.lastCommit('w')).toMatchObject({ seq: 20, extra: { upTo: 19 }, commitIndex: 20 });
    expect(values(reopened, 't', 0)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    const txn = reopened.beginTransaction('w');
    expect(txn.seq).toBe(21);
    txn.appendJson('t', 1, 'more');
    await txn.commit();
    expect(values(reopened, 't', 1)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 'more']);
    await reopened.close();
  });

  it('rolls segments at the configured size and seeks through the sparse index', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir, { segmentBytes: 1000, indexIntervalBytes: 100 });
    await log.createTopic('t', 1);
    for (let i = 0; i < 50; i++) {
      const txn = log.beginTransaction('w');
      for (let j = 0; j < 10; j++) txn.appendJson('t', 0, i * 10 + j);
      await txn.commit();
    }
    expect(segmentFiles(dir, 't', 0).length).toBeGreaterThan(5);
    for (const from of [0, 1, 99, 250, 333, 499, 500]) {
      expect(readAll(log, 't', 0, from).map((r) => r.offset)).toEqual(
        Array.from({ length: 500 - from }, (_, k) => from + k),
      );
    }
    await log.close();
    const reopened = await LocalLog.open(dir, { segmentBytes: 1000 });
    expect(readAll(reopened, 't', 0, 377).map((r) => jsonValue(r))[0]).toBe(377);
    await reopened.close();
  });

  it('commits prepared transactions in prepare order and aborts them newest first', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('t', 2);
    const older = log.beginTransaction('w');
    older.appendJson('t', 0, 'older');
    await older.prepare();
    const newer = log.beginTransaction('w');
    newer.appendJson('t', 0, 'newer');
    newer.appendJson('t', 1, 'newer');
    await newer.prepare();
    await expect(newer.commit()).rejects.toThrow(/earlier prepared transaction/);
    await expect(older.abort()).rejects.toThrow(/later prepared transaction/);
    await older.commit();
    await newer.commit();
    expect(values(log, 't', 0)).toEqual(['older', 'newer']);
    expect(values(log, 't', 1)).toEqual(['newer']);
    await log.close();
  });

  it('takes one writer per directory and takes over the lock of a dead process', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await expect(LocalLog.open(dir)).rejects.toThrow(LocalLogLockedError);
    await log.close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'LOCK'), `${dead.stdout}\n`);
    const again = await LocalLog.open(dir);
    expect(readFileSync(join(dir, 'LOCK'), 'utf8').trim()).toBe(String(process.pid));
    await again.close();
  });

  it('compacts the commit log, keeping state, commit indexes and readers in other processes going', async () => {
    const dir = tempDir();
    const options = { commitLogCompactBytes: 2000 };
    const log = await LocalLog.open(dir, options);
    await log.createTopic('t', 2);
    await log.createTopic('dropped', 1);
    await log.deleteTopic('dropped');
    const remote = await LocalLog.openReadOnly(dir);
    const remoteReaders = [remote.reader('t', 0), remote.reader('t', 1)];
    const seen: unknown[][] = [[], []];
    for (let i = 0; i < 200; i++) {
      const txn = log.beginTransaction(i % 3 === 0 ? 'a' : 'b');
      txn.appendJson('t', i % 2, i);
      await txn.commit({ i });
      if (i % 7 === 0) remoteReaders.forEach((r, p) => seen[p]!.push(...r.poll().map((x) => jsonValue(x))));
      expect(statSync(join(dir, 'txn.log')).size).toBeLessThan(2400);
    }
    remoteReaders.forEach((r, p) => seen[p]!.push(...r.poll().map((x) => jsonValue(x))));
    const evens = Array.from({ length: 100 }, (_, k) => 2 * k);
    expect(seen).toEqual([evens, evens.map((v) => v + 1)]);
    expect(remote.lastCommit()).toMatchObject({ transactionalId: 'b', commitIndex: 200, extra: { i: 199 } });
    expect(remote.lastCommit('a')).toMatchObject({ seq: 67, extra: { i: 198 } });
    await remote.close();
    await log.close();
    const reopened = await LocalLog.open(dir, options);
    expect(reopened.topics()).toEqual(['t']);
    expect(reopened.lastCommit()).toMatchObject({ commitIndex: 200, extra: { i: 199 } });
    expect(reopened.beginTransaction('a').seq).toBe(68);
    expect(values(reopened, 't', 1)).toEqual(evens.map((v) => v + 1));
    await reopened.close();
  });

  it('deletes a topic with its files, the only removal there is', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('gone', 2);
    const txn = log.beginTransaction('w');
    txn.appendJson('gone', 1, 'x');
    await txn.commit();
    await log.deleteTopic('gone');
    expect(log.topics()).toEqual([]);
    expect(existsSync(join(dir, 'topics', 'gone'))).toBe(false);
    await log.createTopic('gone', 1);
    expect(values(log, 'gone', 0)).toEqual([]);
    await log.close();
    const reopened = await LocalLog.open(dir);
    expect(reopened.partitions('gone')).toBe(1);
    expect(reopened.committedEnd('gone', 0)).toBe(0);
    await reopened.close();
  });
});

describe('LocalLog recovery', () => {
  async function committedPlusPending(dir: string) {
    const log = await LocalLog.open(dir);
    await log.createTopic('t', 1);
    const committed = log.beginTransaction('w');
    for (let i = 0; i < 5; i++) committed.appendJson('t', 0, `c${i}`);
    await committed.commit({ checkpoint: 1 });
    const pending = log.beginTransaction('w');
    for (let i = 0; i < 5; i++) pending.appendJson('t', 0, `p${i}`);
    const handle = await pending.prepare();
    simulateCrash(dir);
    return handle;
  }

  it('cuts a record torn in the middle after the committed end and keeps exactly the committed ones', async () => {
    const dir = tempDir();
    await committedPlusPending(dir);
    const [segment] = segmentFiles(dir, 't', 0);
    truncateSync(segment!, statSync(segment!).size - 7);
    const log = await LocalLog.open(dir);
    expect(values(log, 't', 0)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(log.lastCommit()?.extra).toEqual({ checkpoint: 1 });
    const next = log.beginTransaction('w');
    next.appendJson('t', 0, 'after');
    await next.commit();
    expect(readAll(log, 't', 0).map((r) => [r.offset, jsonValue(r)])[5]).toEqual([5, 'after']);
    await log.close();
  });

  it('cuts data after a corrupt CRC past the committed end; the handle then no longer commits', async () => {
    const dir = tempDir();
    const handle = await committedPlusPending(dir);
    const [segment] = segmentFiles(dir, 't', 0);
    const bytes = readFileSync(segment!);
    const range = handle.ranges[0]!;
    bytes[range.position + range.bytes - 3]! ^= 0xff;
    writeFileSync(segment!, bytes);
    const log = await LocalLog.open(dir);
    expect(values(log, 't', 0)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    await expect(log.commitPrepared(handle)).rejects.toThrow(/gone or changed/);
    await log.close();
  });

  it('refuses to open when committed data is damaged', async () => {
    const dir = tempDir();
    await committedPlusPending(dir);
    const [segment] = segmentFiles(dir, 't', 0);
    const bytes = readFileSync(segment!);
    bytes[20]! ^= 0xff;
    writeFileSync(segment!, bytes);
    await expect(LocalLog.open(dir)).rejects.toThrow(LocalLogCorruptionError);
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it('drops a torn commit-log tail: the transaction stays uncommitted', async () => {
    const dir = tempDir();
    const log = await LocalLog.open(dir);
    await log.createTopic('t', 1);
    const a = log.beginTransaction('w');
    a.appendJson('t', 0, 'a');
    await a.commit({ n: 1 });
    const b = log.beginTransaction('w');
    b.appendJson('t', 0, 'b');
    await b.commit({ n: 2 });
    simulateCrash(dir);
    const txnLog = join(dir, 'txn.log');
    truncateSync(txnLog, statSync(txnLog).size - 5);
    const reopened = await LocalLog.open(dir);
    expect(values(reopened, 't', 0)).toEqual(['a']);
    expect(reopened.lastCommit()?.extra).toEqual({ n: 1 });
    await reopened.close();
  });

  it('commits a prepared transaction from its handle after a crash, idempotently', async () => {
    const dir = tempDir();
    const handle = await committedPlusPending(dir);
    const log = await LocalLog.open(dir);
    expect(values(log, 't', 0)).toHaveLength(5);
    expect(await log.commitPrepared(handle, { checkpoint: 2 })).toBe('committed');
    expect(await log.commitPrepared(handle, { checkpoint: 2 })).toBe('already-committed');
    expect(values(log, 't', 0)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'p0', 'p1', 'p2', 'p3', 'p4']);
    expect(log.lastCommit('w')).toMatchObject({ seq: handle.seq, extra: { checkpoint: 2 } });
    await log.close();
    const again = await LocalLog.open(dir);
    expect(await again.commitPrepared(handle)).toBe('already-committed');
    expect(values(again, 't', 0)).toHaveLength(10);
    await again.close();
  });

  it('does not commit a handle whose offsets now hold other data', async () => {
    const dir = tempDir();
    const handle = await committedPlusPending(dir);
    const log = await LocalLog.open(dir);
    const other = log.beginTransaction('w', { seq: handle.seq + 1 });
    for (let i = 0; i < 6; i++) other.appendJson('t', 0, `o${i}`);
    await other.prepare();
    simulateCrash(dir);
    const again = await LocalLog.open(dir);
    await expect(again.commitPrepared(handle)).rejects.toThrow(/gone or changed/);
    expect(await again.commitPrepared(other.handle!)).toBe('committed');
    expect(values(again, 't', 0).slice(5)).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o5']);
    await again.close();
  });

  it('aborts a prepared transaction from its handle after a crash, or drops all leftovers', async () => {
    const dir = tempDir();
    const handle = await committedPlusPending(dir);
    const log = await LocalLog.open(dir);
    await log.abortPrepared(handle);
    await expect(log.commitPrepared(handle)).rejects.toThrow(/gone or changed/);
    expect(values(log, 't', 0)).toHaveLength(5);
    await log.close();

    const dir2 = tempDir();
    await committedPlusPending(dir2);
    const log2 = await LocalLog.open(dir2);
    expect(await log2.abortPending()).toBe(5);
    expect(await log2.abortPending()).toBe(0);
    await log2.close();
  });
});
