import type { BuildOptions, Metafile, OutputFile } from 'esbuild';

export function buildLambda(common: BuildOptions, outdir: string, options?: { write?: boolean }): Promise<{ metafile: Metafile; outputFiles: OutputFile[] }>;
