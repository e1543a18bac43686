import type { ConditionContext } from '../../../src/cep/index.js';

export class Event {
  constructor(
    readonly type: string,
    readonly amount = 0,
  ) {}
}

export class Payment extends Event {
  constructor(amount: number) {
    super('payment', amount);
  }
}

export class Refund extends Event {
  constructor(amount: number) {
    super('refund', amount);
  }
}

/** A context over a fixed map of stage -> events. */
export function ctxOf<T>(events: Record<string, T[]> = {}, ts = 0): ConditionContext<T> {
  return {
    getEventsForPattern: (name) => events[name] ?? [],
    timestamp: () => ts,
    currentProcessingTime: () => 0,
  };
}
