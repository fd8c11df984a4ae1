export declare const YOUNG_GENERATION_FLAGS: string[];
export declare function defaultEngineOldSpaceMb(totalMemoryBytes?: number): number;
export declare function engineOldSpaceMb(env?: NodeJS.ProcessEnv, totalMemoryBytes?: number): number;
export declare function engineRuntimeFlags(env?: NodeJS.ProcessEnv, totalMemoryBytes?: number): string[];
