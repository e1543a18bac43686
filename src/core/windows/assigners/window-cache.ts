import { TimeWindow } from '../window.js';

/**
 * The sliding windows containing a timestamp, latest start first, as Flink's sliding assigners
 * produce them. Elements of the same slide mostly share their windows, so the last answer is reused
 * (windows are immutable): their namespace strings are then built once per slide, not per element.
 *
 * @internal
 */
export class SlidingWindows {
  private lastStart = Number.NaN;
  private last: TimeWindow[] = [];

  constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
  ) {}

  of(timestamp: number): TimeWindow[] {
    const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.slide);
    // When size is not a multiple of slide, elements of one slide can differ in their oldest window.
    let count = 0;
    for (let start = lastStart; start > timestamp - this.size; start -= this.slide) count++;
    if (lastStart === this.lastStart && count === this.last.length) return this.last;
    const windows: TimeWindow[] = [];
    for (let start = lastStart; start > timestamp - this.size; start -= this.slide) {
      windows.push(new TimeWindow(start, start + this.size));
    }
    this.lastStart = lastStart;
    this.last = windows;
    return windows;
  }
}

/**
 * The tumbling window containing a timestamp, the same object for consecutive elements of one
 * window (so its namespace string is built once per window, not per element).
 *
 * @internal
 */
export class TumblingWindows {
  private lastStart = Number.NaN;
  private last: TimeWindow[] = [];

  constructor(
    private readonly size: number,
    private readonly offset: number,
  ) {}

  of(timestamp: number): TimeWindow[] {
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.size);
    if (start !== this.lastStart) {
      this.lastStart = start;
      this.last = [new TimeWindow(start, start + this.size)];
    }
    return this.last;
  }
}
