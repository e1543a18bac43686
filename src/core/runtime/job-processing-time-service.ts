import type { Cancellable, Clock, ProcessingTimeService } from '../time/processing-time-service.js';

interface ScheduledTimer extends Cancellable {
  readonly time: number;
  readonly seq: number;
  readonly callback: (time: number) => void;
  cancelled: boolean;
}

/**
 * The processing-time service of one job: a min-heap of callbacks run by the job's scheduler
 * between task batches (never inside an operator call), so operators need no locking.
 */
export class JobProcessingTimeService implements ProcessingTimeService {
  private heap: ScheduledTimer[] = [];
  private seq = 0;

  constructor(
    readonly clock: Clock,
    private readonly onNewEarliest: () => void,
  ) {}

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  registerTimer(time: number, callback: (time: number) => void): Cancellable {
    const timer: ScheduledTimer = {
      time,
      seq: this.seq++,
      callback,
      cancelled: false,
      cancel() {
        this.cancelled = true;
      },
    };
    this.push(timer);
    if (this.heap[0] === timer) this.onNewEarliest();
    return timer;
  }

  /** Time of the earliest live timer, if any. */
  nextTime(): number | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0]?.time;
  }

  /** Runs every callback due at the current time; returns how many ran. */
  fireDue(): number {
    const now = this.clock.now();
    let fired = 0;
    while (this.heap.length > 0 && this.heap[0]!.time <= now) {
      const t = this.pop();
      if (t.cancelled) continue;
      t.cancelled = true;
      fired++;
      t.callback(t.time);
    }
    return fired;
  }

  clear(): void {
    this.heap = [];
  }

  private less(a: ScheduledTimer, b: ScheduledTimer): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(t: ScheduledTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): ScheduledTimer {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
