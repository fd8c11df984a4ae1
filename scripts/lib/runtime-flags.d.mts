export declare const YOUNG_GENERATION_FLAGS: string[];
export declare function defaultOldSpaceMb(totalMemoryBytes?: number): number;
export declare function oldSpaceMb(variable: string, env?: NodeJS.ProcessEnv, totalMemoryBytes?: number): number;
export declare function engineRuntimeFlags(env?: NodeJS.ProcessEnv, totalMemoryBytes?: number): string[];
export declare function consoleRuntimeFlags(env?: NodeJS.ProcessEnv, totalMemoryBytes?: number): string[];
