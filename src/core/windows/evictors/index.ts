/**
 * Window evictors: remove elements from a window before or after its function runs.
 *
 * @example
 * ```ts
 * import { CountEvictor } from './core/windows/evictors/index.js';
 * keyed.window(GlobalWindows.create()).evictor(CountEvictor.of(100)).trigger(CountTrigger.of(10));
 * ```
 */

export { CountEvictor } from './count-evictor.js';
export { DeltaEvictor, type DeltaFunction } from './delta-evictor.js';
export { TimeEvictor } from './time-evictor.js';
