// `node --import ./scripts/bench/metafile-register.mjs scripts/build.mjs`: the real build, with
// esbuild's metafile of every build call appended to $BENCH_METAFILE_OUT (one JSON line each), so
// the bench splits the bytes of the very files it measures by package (docs/performance.md).
import { register } from 'node:module';

register('./metafile-hook.mjs', import.meta.url);
