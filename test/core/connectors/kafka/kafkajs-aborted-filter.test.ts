import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FetchedAbortedTransaction,
  type FetchedRecord,
  markAbortedRecords,
} from '../../../../src/core/connectors/kafka/kafkajs-aborted-filter.js';

const SEED = Number(process.env.ABORTED_FILTER_SEED ?? 20261207);

const COMMIT = Buffer.from([0, 0, 0, 1]);
const ABORT = Buffer.from([0, 0, 0, 0]);

/** A partition's log as the test builds it: records, and for each data record whether it counts. */
interface Log {
  readonly records: FetchedRecord[];
  /** Offsets of the data records a read_committed reader must get. */
  readonly visible: Set<number>;
  /** Aborted transactions with the offset of their abort marker. */
  readonly aborted: { producerId: string; firstOffset: number; markerOffset: number }[];
}

type Step = { readonly producer: number; readonly action: 'send' | 'commit' | 'abort' | 'plain' };

/** Appends the steps to a log (transactions left open at the end are ended in `endings` order). */
function buildLog(steps: readonly Step[], endings: readonly boolean[]): Log {
  const records: FetchedRecord[] = [];
  const visible = new Set<number>();
  const aborted: Log['aborted'] = [];
  const open = new Map<number, { first: number; offsets: number[] }>();
  const data = (producer: number, inTransaction: boolean): number => {
    const offset = records.length;
    records.push({
      offset: String(offset),
      key: null,
      isControlRecord: false,
      batchContext: { producerId: String(1000 + producer), inTransaction },
    });
    return offset;
  };
  const end = (producer: number, commit: boolean): void => {
    const txn = open.get(producer);
    if (txn === undefined) return;
    open.delete(producer);
    const markerOffset = records.length;
    records.push({
      offset: String(markerOffset),
      key: commit ? COMMIT : ABORT,
      isControlRecord: true,
      batchContext: { producerId: String(1000 + producer), inTransaction: true },
    });
    if (commit) for (const o of txn.offsets) visible.add(o);
    else aborted.push({ producerId: String(1000 + producer), firstOffset: txn.first, markerOffset });
  };
  for (const step of steps) {
    if (step.action === 'plain') visible.add(data(step.producer, false));
    else if (step.action === 'send') {
      const offset = data(step.producer, true);
      const txn = open.get(step.producer);
      if (txn === undefined) open.set(step.producer, { first: offset, offsets: [offset] });
      else txn.offsets.push(offset);
    } else end(step.producer, step.action === 'commit');
  }
  let i = 0;
  for (const producer of [...open.keys()]) end(producer, endings[i++ % Math.max(1, endings.length)] ?? true);
  return { records, visible, aborted };
}

/**
 * What the broker lists for a read_committed fetch from `fetchOffset`: the aborted transactions
 * whose abort marker is at or after it, in the order of their markers (the transaction index).
 */
function brokerAbortedList(log: Log, fetchOffset: number): FetchedAbortedTransaction[] {
  return log.aborted
    .filter((a) => a.markerOffset >= fetchOffset)
    .sort((a, b) => a.markerOffset - b.markerOffset)
    .map((a) => ({ producerId: a.producerId, firstOffset: String(a.firstOffset) }));
}

const clone = (records: readonly FetchedRecord[]): FetchedRecord[] => records.map((r) => ({ ...r }));

describe('markAbortedRecords (read_committed filtering of fetched records)', () => {
  it('hands over exactly the committed and non-transactional records, whatever the interleaving and fetch offset', () => {
    const step = fc.record({
      producer: fc.integer({ min: 0, max: 3 }),
      action: fc.constantFrom<Step['action']>('send', 'send', 'send', 'commit', 'abort', 'plain'),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        (steps, endings, fetchPick, batchPick) => {
          const log = buildLog(steps, endings);
          const fetchOffset = fetchPick % log.records.length;
          // The broker returns whole record batches: the data may begin before the fetch offset.
          const dataStart = fetchOffset - (batchPick % (fetchOffset + 1));
          const fetched = clone(log.records.slice(dataStart));
          markAbortedRecords(fetched, brokerAbortedList(log, fetchOffset));
          const handedOver = fetched
            .filter((r) => !r.isControlRecord && Number(r.offset) >= fetchOffset)
            .map((r) => Number(r.offset));
          const expected = [...log.visible].filter((o) => o >= fetchOffset).sort((a, b) => a - b);
          expect(handedOver).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('filters a transaction that began before another aborted one that was aborted first (kafkajs 2.2.4 does not)', () => {
    // A sends, B sends, A sends; B aborts, then A; C commits.
    const log = buildLog(
      [
        { producer: 0, action: 'send' },
        { producer: 1, action: 'send' },
        { producer: 0, action: 'send' },
        { producer: 1, action: 'abort' },
        { producer: 0, action: 'abort' },
        { producer: 2, action: 'send' },
        { producer: 2, action: 'commit' },
      ],
      [],
    );
    const aborted = brokerAbortedList(log, 0);
    expect(aborted.map((a) => a.producerId)).toEqual(['1001', '1000']); // abort order, not start order

    const ours = clone(log.records);
    expect(markAbortedRecords(ours, aborted)).toBe(3);
    expect(ours.filter((r) => !r.isControlRecord).map((r) => r.offset)).toEqual(['5']);

    // kafkajs' own filter hands over A's first record: the reason for ours. If this starts to
    // fail, a kafkajs release fixed it and the workaround can go.
    const require = createRequire(import.meta.url);
    const kafkajsFilter = require('kafkajs/src/consumer/filterAbortedMessages.js') as (input: {
      messages: FetchedRecord[];
      abortedTransactions: FetchedAbortedTransaction[];
    }) => FetchedRecord[];
    const theirs = kafkajsFilter({ messages: clone(log.records), abortedTransactions: aborted })
      .filter((r) => !r.isControlRecord)
      .map((r) => r.offset);
    expect(theirs).toEqual(['0', '5']);
  });
});
