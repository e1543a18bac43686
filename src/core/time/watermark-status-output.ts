/**
 * Where watermarks and idleness leave an operator or an input valve: the watermark part of the
 * runtime's `Output` (any `Output<T>` fits). `idle = true` tells downstream to leave this input out
 * of its minimum watermark until it is active again (Flink's `WatermarkStatus`).
 */
export interface WatermarkStatusOutput {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(idle: boolean): void;
}
