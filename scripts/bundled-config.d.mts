import type { PreparsedConfig } from '../lib/edges/bundled-config.ts';

export function preparseConfig(path: string): Promise<PreparsedConfig | null>;
