/**
 * Window triggers: when a window fires (watermark, clock, count, periodically) and whether it is
 * purged.
 *
 * @example
 * ```ts
 * import { CountTrigger, PurgingTrigger } from './core/windows/triggers/index.js';
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100)));
 * ```
 */

export { ContinuousEventTimeTrigger } from './continuous-event-time-trigger.js';
export { ContinuousProcessingTimeTrigger } from './continuous-processing-time-trigger.js';
export { CountTrigger } from './count-trigger.js';
export { EventTimeTrigger } from './event-time-trigger.js';
export { NeverTrigger } from './never-trigger.js';
export { ProcessingTimeTrigger } from './processing-time-trigger.js';
export { PurgingTrigger } from './purging-trigger.js';
