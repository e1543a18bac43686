/**
 * A port: an append-only journal of JSON records (accepted events, dead letters). The
 * embedded mode implements it with a topic of the local log ({@link TopicJournal}); Kafka mode will
 * implement it with a producer to a topic.
 *
 * @example
 * ```ts
 * await journal.append([{ type: 'login', ts: 1 }], (e) => e.type);
 * ```
 */
export interface RecordJournal<T = unknown> {
  /** The topic name. */
  readonly topic: string;
  /**
   * Appends `values`; the promise resolves once they are durable (committed), rejects if the
   * commit failed. Appends are group-committed.
   */
  append(values: readonly T[], keyOf?: (value: T) => string | undefined): Promise<void>;
  /** Commits whatever is pending now. */
  flush(): Promise<void>;
  /** Records committed since the service started. */
  readonly committedCount: number;
}
