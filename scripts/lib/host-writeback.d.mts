export interface WritebackSettings {
  dirty_background_bytes: number;
  dirty_background_ratio: number;
  dirty_expire_centisecs: number;
  threshold_bytes: number;
}
export interface WritebackTuning {
  before: WritebackSettings;
  bytes: number;
  restore(): void;
}
export declare const RECOMMENDED_BACKGROUND_BYTES: number;
export declare const BURST_WARNING_BYTES: number;
export declare function readWriteback(read?: (file: string) => string, totalMemoryBytes?: number): WritebackSettings | undefined;
export declare function writebackAdvice(settings: WritebackSettings | undefined): string | undefined;
export declare function tuneWriteback(
  bytes?: number,
  read?: (file: string) => string,
  write?: (file: string, data: string) => void,
): WritebackTuning | undefined;
