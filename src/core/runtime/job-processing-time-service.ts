import type { Cancellable, Clock, ProcessingTimeService } from '../time/processing-time-service.js';
import { type HeapTimer, TimerHeap } from '../time/timer-heap.js';

class ScheduledCallback implements HeapTimer, Cancellable {
  heapIndex = -1;

  constructor(
    readonly timestamp: number,
    readonly seq: number,
    readonly callback: (time: number) => void,
    private readonly heap: TimerHeap<ScheduledCallback>,
  ) {}

  cancel(): void {
    if (this.heapIndex >= 0) this.heap.remove(this);
  }
}

/**
 * The processing-time service of one job: callbacks in a timer heap, run by the job's scheduler
 * between task batches (never inside an operator call), so operators need no locking.
 */
export class JobProcessingTimeService implements ProcessingTimeService {
  private readonly heap = new TimerHeap<ScheduledCallback>();
  private seq = 0;

  constructor(
    readonly clock: Clock,
    private readonly onNewEarliest: () => void,
  ) {}

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  registerTimer(time: number, callback: (time: number) => void): Cancellable {
    const timer = new ScheduledCallback(time, this.seq++, callback, this.heap);
    this.heap.add(timer);
    if (this.heap.peek() === timer) this.onNewEarliest();
    return timer;
  }

  /** Time of the earliest pending callback, if any. */
  nextTime(): number | undefined {
    return this.heap.peek()?.timestamp;
  }

  /** Runs every callback due at the current time, in time order; returns how many ran. */
  fireDue(): number {
    const now = this.clock.now();
    let fired = 0;
    for (let t = this.heap.peek(); t !== undefined && t.timestamp <= now; t = this.heap.peek()) {
      this.heap.poll();
      fired++;
      t.callback(t.timestamp);
    }
    return fired;
  }

  clear(): void {
    this.heap.clear();
  }
}
