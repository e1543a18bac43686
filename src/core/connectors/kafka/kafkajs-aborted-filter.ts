import { createRequire } from 'node:module';

/** An aborted transaction as a read_committed Fetch response lists it (kafkajs decodes both as strings). */
export interface FetchedAbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

/** The fields of a record kafkajs decoded from a Fetch response that the filter reads or sets. */
export interface FetchedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  isControlRecord: boolean;
  /** Absent in the pre-0.11 message format, which has no transactions. */
  readonly batchContext?: { readonly producerId: string; readonly inTransaction: boolean };
}

/**
 * Marks the records of aborted transactions in one partition's fetched records, as the Java
 * consumer decides them (`CompletedFetch`): the aborted transactions in order of their first
 * offset; a producer counts as aborting from the first offset of its aborted transaction up to
 * its abort marker, and its transactional records in between are dropped. Marked records get
 * `isControlRecord = true`: kafkajs then leaves them out of the batch handed to the application
 * but still counts them for the batch's last offset, as it does with transaction markers.
 * Returns how many records it marked.
 *
 * @example
 * ```ts
 * markAbortedRecords(partition.messages, partition.abortedTransactions);
 * ```
 */
export function markAbortedRecords(
  records: readonly FetchedRecord[],
  aborted: readonly FetchedAbortedTransaction[],
): number {
  if (aborted.length === 0) return 0;
  const pending = [...aborted].sort((a, b) => compareOffsets(a.firstOffset, b.firstOffset));
  const aborting = new Set<string>();
  let marked = 0;
  for (const r of records) {
    // Every aborted transaction that started at or before this record, not just one of them.
    while (pending.length > 0 && compareOffsets(pending[0]!.firstOffset, r.offset) <= 0) {
      aborting.add(pending.shift()!.producerId);
    }
    const context = r.batchContext;
    if (context === undefined) continue;
    if (r.isControlRecord) {
      if (isAbortMarker(r)) aborting.delete(context.producerId);
    } else if (context.inTransaction && aborting.has(context.producerId)) {
      r.isControlRecord = true;
      marked++;
    }
  }
  return marked;
}

/** A control record's key: version (int16) and type (int16, 0 = abort, 1 = commit). */
function isAbortMarker(r: FetchedRecord): boolean {
  return r.key !== null && r.key.length >= 4 && r.key.readInt16BE(2) === 0;
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Fetch versions whose responses list aborted transactions (read_committed). */
const FETCH_VERSIONS = [4, 5, 6, 7, 8, 9, 10, 11];
const INSTALLED = Symbol.for('cep.kafkajs.abortedTransactionFilter');

interface FetchResponseModule {
  decode: (raw: Buffer) => Promise<FetchResponse>;
  [INSTALLED]?: true;
}

interface FetchResponse {
  readonly responses: readonly {
    readonly partitions: { abortedTransactions?: FetchedAbortedTransaction[]; messages: FetchedRecord[] }[];
  }[];
}

/**
 * Replaces kafkajs 2.2.4's read_committed filter of aborted transactions, which is wrong when
 * aborted transactions overlap: it takes them in the broker's order (the order of their abort
 * markers, not of their first offsets) and starts at most one per record, so a record of an
 * aborted transaction that began before another one still open is handed to the application.
 * A repartition or output topic written by several tasks has exactly such transactions after a
 * crash, so exactly-once downstream needs this. Each Fetch response is filtered as it is
 * decoded ({@link markAbortedRecords}) and its list of aborted transactions emptied, so kafkajs'
 * own filter has nothing left to do. Idempotent; patches the kafkajs module the process loaded
 * (Node caches modules, so every kafkajs client of the process is covered).
 *
 * @example
 * ```ts
 * installKafkajsAbortedTransactionFilter(); // before reading transactional topics with kafkajs
 * ```
 */
export function installKafkajsAbortedTransactionFilter(): void {
  const require = createRequire(import.meta.url);
  for (const version of FETCH_VERSIONS) {
    const module = require(
      `kafkajs/src/protocol/requests/fetch/v${version}/response.js`,
    ) as FetchResponseModule;
    if (module[INSTALLED] === true) continue;
    const decode = module.decode;
    module.decode = async (raw) => {
      const response = await decode(raw);
      for (const topic of response.responses) {
        for (const partition of topic.partitions) {
          if (partition.abortedTransactions === undefined || partition.abortedTransactions.length === 0)
            continue;
          markAbortedRecords(partition.messages, partition.abortedTransactions);
          partition.abortedTransactions = [];
        }
      }
      return response;
    };
    module[INSTALLED] = true;
  }
}
