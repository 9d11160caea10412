import type { BuildOptions } from 'esbuild';
import type { PreparsedConfig } from '../lib/edges/bundled-config.ts';

export function buildOptions(bundledConfig: PreparsedConfig | null): BuildOptions;
