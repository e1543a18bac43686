/**
 * A promise that is already resolved: what `SourceReader.isAvailable()` returns when `pollNext` can
 * make progress right away. Shared so that the common case allocates nothing.
 */
export const AVAILABLE: Promise<void> = Promise.resolve();

/**
 * The "wake me when there is more" signal behind a reader's `isAvailable()`. A promise is created
 * only when somebody actually waits and is reused by every waiter until {@link notify}, so a busy
 * reader allocates nothing per record and an idle one allocates one promise per wait.
 *
 * @example
 * ```ts
 * const availability = new AvailabilityNotifier();
 * const wait = availability.wait(); // runtime side, after NOTHING_AVAILABLE
 * availability.notify();            // reader side, when data arrived: `wait` resolves
 * ```
 */
export class AvailabilityNotifier {
  private pending: Promise<void> | null = null;
  private resolvePending: (() => void) | null = null;

  /** A promise resolved by the next {@link notify}. */
  wait(): Promise<void> {
    if (this.pending === null) {
      this.pending = new Promise<void>((resolve) => {
        this.resolvePending = resolve;
      });
    }
    return this.pending;
  }

  /** Wakes the current waiters, if any. Cheap when nobody waits. */
  notify(): void {
    const resolve = this.resolvePending;
    if (resolve === null) return;
    this.pending = null;
    this.resolvePending = null;
    resolve();
  }
}
