import type { ConditionContext } from '../pattern/conditions/condition-context.js';
import type { SharedBuffer } from './shared-buffer.js';
import type { BufferNode } from './shared-buffer-entry.js';

/**
 * The {@link ConditionContext} of one partial match, reused from one partial match to the next
 * (conditions must not keep it): `getEventsForPattern` reads the run's events of a stage from the
 * shared buffer, cached per stage until the next {@link reset}.
 *
 * @example
 * ```ts
 * const ctx = new RunContext<Event>(Date.now).reset(buffer, run.previous, timestamp);
 * ```
 */
export class RunContext<T> implements ConditionContext<T> {
  private buffer: SharedBuffer<T> | undefined;
  private previous: BufferNode<T> | null = null;
  private time = 0;
  private readonly cache = new Map<string, T[]>();

  constructor(private readonly processingTime: () => number) {}

  reset(buffer: SharedBuffer<T>, previous: BufferNode<T> | null, timestamp: number): this {
    this.buffer = buffer;
    this.previous = previous;
    this.time = timestamp;
    if (this.cache.size > 0) this.cache.clear();
    return this;
  }

  getEventsForPattern(name: string): Iterable<T> {
    let events = this.cache.get(name);
    if (events === undefined) {
      events = this.buffer!.eventsForStage(this.previous, name);
      this.cache.set(name, events);
    }
    return events;
  }

  timestamp(): number {
    return this.time;
  }

  currentProcessingTime(): number {
    return this.processingTime();
  }
}
