/**
 * A record a partition task writes in its commit: an output, a dead letter or a watermark
 * control record, each with its topic. Plain data (it waits in memory until its transaction).
 *
 * @example
 * ```ts
 * const r: TaskOutputRecord = { topic: 'alerts', key: 'acct-1', value: '{"alert":1}', timestamp: 1_700_000_000_000 };
 * ```
 */
export interface TaskOutputRecord {
  readonly topic: string;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  /** Explicit partition (watermark records); otherwise Kafka's default partitioner on the key. */
  readonly partition?: number;
  /** Record timestamp: the event time of the output (downstream repartition tasks read it). */
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
}

/** Groups records by topic, keeping their order within each topic. @example `byTopic(records).get('alerts')` */
export function byTopic(records: readonly TaskOutputRecord[]): Map<string, TaskOutputRecord[]> {
  const out = new Map<string, TaskOutputRecord[]>();
  for (const r of records) {
    let list = out.get(r.topic);
    if (list === undefined) {
      list = [];
      out.set(r.topic, list);
    }
    list.push(r);
  }
  return out;
}
