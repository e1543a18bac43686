import type { Namespace } from '../state/keyed-state-backend.js';

/**
 * A group of elements with a last timestamp: the window fires (by default) once the watermark or
 * the clock passes `maxTimestamp()`.
 */
export abstract class Window {
  abstract maxTimestamp(): number;

  /** The namespace under which the window's state and timers are stored. Equal windows, equal namespaces. */
  abstract namespace(): Namespace;
}

/**
 * The time interval `[start, end)` (Flink's `TimeWindow`).
 *
 * @example
 * ```ts
 * new TimeWindow(0, 10_000).maxTimestamp(); // 9_999
 * ```
 */
export class TimeWindow extends Window {
  private ns: string | undefined;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super();
  }

  maxTimestamp(): number {
    return this.end - 1;
  }

  namespace(): Namespace {
    // Cached: the window operator asks for it several times per element.
    this.ns ??= `${this.start}:${this.end}`;
    return this.ns;
  }

  /** Parses a namespace written by {@link namespace}. */
  static fromNamespace(ns: Namespace): TimeWindow {
    const s = String(ns);
    const i = s.indexOf(':');
    return new TimeWindow(Number(s.slice(0, i)), Number(s.slice(i + 1)));
  }

  /** Whether the windows overlap or touch (session windows merge then). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  override toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of `size` (shifted by `offset`) containing `timestamp`
   * (Flink's `TimeWindow.getWindowStartWithOffset`).
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }
}

/** The single window holding everything (for count windows and custom triggers). */
export class GlobalWindow extends Window {
  static readonly INSTANCE = new GlobalWindow();

  private constructor() {
    super();
  }

  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }

  maxTimestamp(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  namespace(): Namespace {
    return 'global';
  }

  override toString(): string {
    return 'GlobalWindow';
  }
}
