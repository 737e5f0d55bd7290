export declare const DEBIAN_POSTGRES_ROOT: string;
export declare function postgresBinDir(): string | undefined;
export declare function redisServerPath(): string | undefined;
