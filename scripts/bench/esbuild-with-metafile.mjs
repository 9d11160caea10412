// esbuild, whose build() also asks for the metafile and appends it to $BENCH_METAFILE_OUT.
import { appendFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

export * from 'esbuild';

export async function build(options) {
  const result = await esbuild.build({ ...options, metafile: true });
  const out = process.env.BENCH_METAFILE_OUT;
  if (out) appendFileSync(out, `${JSON.stringify({ outdir: options.outdir, metafile: result.metafile })}\n`);
  return result;
}
