import type { CheckpointStorage } from './checkpoint-storage.js';
import { ExternalizedCheckpointRetention } from './externalized-checkpoint-retention.js';
import { FileCheckpointStorage } from './file-checkpoint-storage.js';
import { MemoryCheckpointStorage } from './memory-checkpoint-storage.js';

/** Flink's default checkpoint timeout: 10 minutes. */
export const DEFAULT_CHECKPOINT_TIMEOUT = 10 * 60_000;

/**
 * Checkpointing settings of an environment (Flink's `CheckpointConfig`), reached through
 * `env.getCheckpointConfig()`; `env.enableCheckpointing(ms)` sets the interval. Times are
 * processing time of the environment's clock, so a `ManualClock` drives them in tests.
 *
 * @example
 * ```ts
 * env.enableCheckpointing(5_000);
 * const cfg = env.getCheckpointConfig();
 * cfg.setCheckpointTimeout(60_000);
 * cfg.setMinPauseBetweenCheckpoints(1_000);
 * cfg.setMaxRetainedCheckpoints(3);
 * cfg.setCheckpointStorage('/data/checkpoints/fraud');
 * ```
 */
export class CheckpointConfig {
  private interval = -1;
  private timeout = DEFAULT_CHECKPOINT_TIMEOUT;
  private minPause = 0;
  private maxConcurrent = 1;
  private retention = ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION;
  private retained = 1;
  /** Full snapshot every this many checkpoints when incremental; 0: incremental off. */
  private incrementalChain = 0;
  private storage: string | CheckpointStorage | undefined;

  /** Whether periodic checkpoints are on (an interval was set). */
  isCheckpointingEnabled(): boolean {
    return this.interval > 0;
  }

  /** Time between the triggers of two periodic checkpoints, ms; -1 when disabled. */
  getCheckpointInterval(): number {
    return this.interval;
  }

  setCheckpointInterval(ms: number): this {
    if (!(ms >= 10)) throw new Error(`checkpoint interval must be >= 10 ms, got ${ms}`);
    this.interval = ms;
    return this;
  }

  getCheckpointTimeout(): number {
    return this.timeout;
  }

  /** A checkpoint not complete this long after its trigger is aborted. */
  setCheckpointTimeout(ms: number): this {
    if (!(ms >= 1)) throw new Error(`checkpoint timeout must be >= 1 ms, got ${ms}`);
    this.timeout = ms;
    return this;
  }

  getMinPauseBetweenCheckpoints(): number {
    return this.minPause;
  }

  /**
   * Least time between the end of one checkpoint and the trigger of the next, so a slow store
   * cannot make the job do nothing but checkpoint. A positive pause implies one checkpoint at a time.
   */
  setMinPauseBetweenCheckpoints(ms: number): this {
    if (!(ms >= 0)) throw new Error(`min pause must be >= 0 ms, got ${ms}`);
    this.minPause = ms;
    return this;
  }

  getMaxConcurrentCheckpoints(): number {
    return this.minPause > 0 ? 1 : this.maxConcurrent;
  }

  setMaxConcurrentCheckpoints(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new Error(`max concurrent checkpoints must be >= 1, got ${n}`);
    this.maxConcurrent = n;
    return this;
  }

  getExternalizedCheckpointRetention(): ExternalizedCheckpointRetention {
    return this.retention;
  }

  setExternalizedCheckpointRetention(retention: ExternalizedCheckpointRetention): this {
    this.retention = retention;
    return this;
  }

  getMaxRetainedCheckpoints(): number {
    return this.retained;
  }

  /** How many completed checkpoints storage keeps (Flink's `state.checkpoints.num-retained`). */
  setMaxRetainedCheckpoints(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new Error(`retained checkpoints must be >= 1, got ${n}`);
    this.retained = n;
    return this;
  }

  /**
   * Incremental checkpoints (Flink's `execution.checkpointing.incremental`): each checkpoint of the
   * keyed state holds only the keys touched since the previous completed one, as a delta to it; every
   * `maxChainLength`-th checkpoint is full, which bounds what a restore reads and what retention
   * keeps. Honoured by storages that resolve chains (`CheckpointStorage.resolvesIncrementalChains`,
   * e.g. {@link FileCheckpointStorage}); savepoints are always full.
   *
   * @example
   * ```ts
   * env.getCheckpointConfig().setCheckpointStorage('/data/checkpoints').enableIncrementalCheckpoints(20);
   * ```
   */
  enableIncrementalCheckpoints(maxChainLength = 20): this {
    if (!Number.isInteger(maxChainLength) || maxChainLength < 1)
      throw new Error(`maxChainLength must be an integer >= 1, got ${maxChainLength}`);
    this.incrementalChain = maxChainLength;
    return this;
  }

  /** Checkpoints per chain (a full one and its deltas) when incremental; 0 when off. */
  getIncrementalChainLength(): number {
    return this.incrementalChain;
  }

  /** A directory path (file storage) or a storage instance; memory when unset. */
  setCheckpointStorage(storage: string | CheckpointStorage): this {
    this.storage = storage;
    return this;
  }

  getCheckpointStorage(): string | CheckpointStorage | undefined {
    return this.storage;
  }

  /** @internal the storage a job run uses: a fresh memory storage per run when none is set. */
  createStorage(): CheckpointStorage {
    if (this.storage === undefined) return new MemoryCheckpointStorage();
    if (typeof this.storage === 'string') return new FileCheckpointStorage(this.storage);
    return this.storage;
  }

  /** @internal an immutable copy for one job run. */
  copy(): CheckpointConfig {
    const c = new CheckpointConfig();
    Object.assign(c, this);
    return c;
  }
}
