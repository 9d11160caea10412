// Module hook: `esbuild` imported by anything but the wrapper resolves to the wrapper.
const WRAPPER = new URL('./esbuild-with-metafile.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'esbuild' && context.parentURL !== WRAPPER) return { url: WRAPPER, shortCircuit: true };
  return next(specifier, context);
}
