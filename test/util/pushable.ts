/**
 * An async iterable the test feeds by hand, so that the order in which records reach a job is
 * decided by the test, not by scheduling.
 */
export class Pushable<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  pulled = 0;

  push(...items: T[]): void {
    this.queue.push(...items);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.queue.length > 0) {
        this.pulled++;
        yield this.queue.shift()!;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}
