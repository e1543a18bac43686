/**
 * Durations are plain milliseconds throughout the engine; these helpers make call sites read like
 * Flink's `Duration.ofSeconds(5)`.
 *
 * @example
 * ```ts
 * WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(5));
 * ```
 */
export const Duration = {
  ofMillis: (ms: number): number => ms,
  ofSeconds: (s: number): number => s * 1000,
  ofMinutes: (m: number): number => m * 60_000,
  ofHours: (h: number): number => h * 3_600_000,
  ofDays: (d: number): number => d * 86_400_000,
} as const;
