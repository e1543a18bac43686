/**
 * Window assigners: tumbling, sliding and session windows in event or processing time, and the
 * global window.
 *
 * @example
 * ```ts
 * import { TumblingEventTimeWindows } from './core/windows/assigners/index.js';
 * keyed.window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)));
 * ```
 */

export { EventTimeSessionWindows } from './event-time-session-windows.js';
export { GlobalWindows } from './global-windows.js';
export { mergeTimeWindows } from './merge-time-windows.js';
export { ProcessingTimeSessionWindows } from './processing-time-session-windows.js';
export type { SessionWindowTimeGapExtractor } from './session-window-time-gap-extractor.js';
export { SlidingEventTimeWindows } from './sliding-event-time-windows.js';
export { SlidingProcessingTimeWindows } from './sliding-processing-time-windows.js';
export { TumblingEventTimeWindows } from './tumbling-event-time-windows.js';
export { TumblingProcessingTimeWindows } from './tumbling-processing-time-windows.js';
