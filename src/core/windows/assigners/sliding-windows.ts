import { TimeWindow } from '../window.js';

/**
 * The sliding windows containing `timestamp`, latest start first, as Flink's sliding assigners
 * produce them.
 *
 * @internal
 */
export function slidingWindows(timestamp: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide) {
    windows.push(new TimeWindow(start, start + size));
  }
  return windows;
}
