/** When the last-access timestamp of a TTL entry is refreshed (Flink's `StateTtlConfig.UpdateType`). */
export enum TtlUpdateType {
  /** Refreshed on create and write. */
  OnCreateAndWrite = 'OnCreateAndWrite',
  /** Refreshed on create, write and read. */
  OnReadAndWrite = 'OnReadAndWrite',
}

/** Whether an expired value that has not been cleaned up yet may still be returned. */
export enum TtlStateVisibility {
  NeverReturnExpired = 'NeverReturnExpired',
  ReturnExpiredIfNotCleanedUp = 'ReturnExpiredIfNotCleanedUp',
}

/**
 * Time-to-live for keyed state, measured in processing time (as in Flink). Expired entries are
 * removed for real: on access, incrementally (a few entries per state access and per record), and
 * in full when a snapshot is taken; a key whose every entry expired costs no memory.
 *
 * @example
 * ```ts
 * const ttl = StateTtlConfig.newBuilder(Duration.ofMinutes(30))
 *   .setUpdateType(TtlUpdateType.OnReadAndWrite)
 *   .cleanupIncrementally(10, true)
 *   .build();
 * descriptor.enableTimeToLive(ttl);
 * ```
 */
export class StateTtlConfig {
  private constructor(
    readonly ttl: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
    /** Entries checked per state access by incremental cleanup (0 disables it). */
    readonly incrementalCleanupSize: number,
    /** Also run incremental cleanup once per processed record, not only on access to this state. */
    readonly runCleanupForEveryRecord: boolean,
    /** Drop expired entries from snapshots and from memory when a snapshot is taken. */
    readonly cleanupFullSnapshot: boolean,
  ) {}

  static newBuilder(ttl: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttl);
  }

  /** @internal */
  static create(b: StateTtlConfigBuilder): StateTtlConfig {
    return new StateTtlConfig(
      b.ttl,
      b.updateType,
      b.stateVisibility,
      b.incrementalCleanupSize,
      b.runCleanupForEveryRecord,
      b.fullSnapshotCleanup,
    );
  }
}

/** Builder for {@link StateTtlConfig}; defaults match Flink (OnCreateAndWrite, NeverReturnExpired, incremental cleanup of 5). */
export class StateTtlConfigBuilder {
  updateType = TtlUpdateType.OnCreateAndWrite;
  stateVisibility = TtlStateVisibility.NeverReturnExpired;
  incrementalCleanupSize = 5;
  runCleanupForEveryRecord = false;
  fullSnapshotCleanup = true;

  constructor(readonly ttl: number) {
    if (!(ttl > 0)) throw new Error(`TTL must be positive, got ${ttl}`);
  }

  setUpdateType(t: TtlUpdateType): this {
    this.updateType = t;
    return this;
  }

  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType(TtlUpdateType.OnCreateAndWrite);
  }

  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType(TtlUpdateType.OnReadAndWrite);
  }

  setStateVisibility(v: TtlStateVisibility): this {
    this.stateVisibility = v;
    return this;
  }

  neverReturnExpired(): this {
    return this.setStateVisibility(TtlStateVisibility.NeverReturnExpired);
  }

  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility(TtlStateVisibility.ReturnExpiredIfNotCleanedUp);
  }

  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord: boolean): this {
    this.incrementalCleanupSize = cleanupSize;
    this.runCleanupForEveryRecord = runCleanupForEveryRecord;
    return this;
  }

  cleanupFullSnapshot(enabled = true): this {
    this.fullSnapshotCleanup = enabled;
    return this;
  }

  disableCleanupInBackground(): this {
    this.incrementalCleanupSize = 0;
    this.runCleanupForEveryRecord = false;
    return this;
  }

  build(): StateTtlConfig {
    return StateTtlConfig.create(this);
  }
}
