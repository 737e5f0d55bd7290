export interface WantedPort {
  what: string;
  port: number;
  host: string;
  variable: string;
}
export declare const RELAY_PORT_VARIABLE: 'QUIRE_RELAY_PORT';
export declare const APP_PORT_VARIABLE: 'QUIRE_APP_PORT';
export declare const DEFAULT_RELAY_PORT: number;
export declare const DEFAULT_APP_PORT: number;
export declare function portTaken(port: number, host: string): Promise<boolean>;
export declare function portTakenLine(p: WantedPort): string;
export declare function readPort(raw: string | undefined, fallback: number, variable: string): number;
export declare function takenPortLines(wanted: WantedPort[]): Promise<string[]>;
