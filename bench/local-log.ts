/**
 * Throughput of the local durable log: transactional appends (prepare + commit, each with its
 * fsyncs) at several transaction sizes, then reads of the committed records by an in-process reader
 * and by a read-only log (as another process would read).
 *
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/local-log.js`
 * Knobs: RECORDS (default 200000), VALUE_BYTES (default 100), PARTITIONS (default 4), DIR (default a temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLog } from '../src/core/connectors/local-log/index.js';

const RECORDS = Number(process.env.RECORDS ?? 200_000);
const VALUE_BYTES = Number(process.env.VALUE_BYTES ?? 100);
const PARTITIONS = Number(process.env.PARTITIONS ?? 4);

function perSecond(n: number, startNs: bigint): string {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return Math.round(n / seconds)
    .toLocaleString('en-US')
    .padStart(12);
}

async function appends(dir: string, recordsPerTxn: number, records: number): Promise<void> {
  const log = await LocalLog.open(dir);
  await log.createTopic('bench', PARTITIONS);
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  const txns = Math.ceil(records / recordsPerTxn);
  const start = process.hrtime.bigint();
  let written = 0;
  for (let t = 0; t < txns; t++) {
    const txn = log.beginTransaction('bench');
    for (let i = 0; i < recordsPerTxn && written < records; i++, written++) {
      txn.append('bench', written % PARTITIONS, value, { key: 'k', timestamp: written });
    }
    await txn.prepare();
    await txn.commit({ txn: t });
  }
  const label = `append, ${String(recordsPerTxn).padStart(6)} records/txn over ${PARTITIONS} partitions:`;
  console.log(`${label.padEnd(56)}${perSecond(records, start)} records/s ${perSecond(txns, start)} txns/s`);
  await log.close();
}

async function reads(dir: string, readOnly: boolean): Promise<void> {
  const log = readOnly ? await LocalLog.openReadOnly(dir) : await LocalLog.open(dir);
  const start = process.hrtime.bigint();
  let read = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = log.reader('bench', p);
    for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) read += batch.length;
  }
  if (read !== RECORDS) throw new Error(`read ${read} of ${RECORDS}`);
  const label = `read, ${readOnly ? 'read-only log (as another process does)' : 'writer process'}:`;
  console.log(`${label.padEnd(56)}${perSecond(read, start)} records/s`);
  await log.close();
}

async function main(): Promise<void> {
  const root = process.env.DIR ?? mkdtempSync(join(tmpdir(), 'local-log-bench-'));
  try {
    for (const size of [10_000, 1000, 100, 10]) {
      // Small transactions are fsync-bound: at most 2000 of them keep the run short.
      await appends(join(root, `txn-${size}`), size, Math.min(RECORDS, size * 2000));
    }
    const open = process.hrtime.bigint();
    const log = await LocalLog.open(join(root, 'txn-1000'));
    console.log(
      `open + recovery scan of ${RECORDS} records: ${(Number(process.hrtime.bigint() - open) / 1e6).toFixed(0)} ms`,
    );
    await log.close();
    await reads(join(root, 'txn-1000'), false);
    await reads(join(root, 'txn-1000'), true);
  } finally {
    if (process.env.DIR === undefined) rmSync(root, { recursive: true, force: true });
  }
}

await main();
