/**
 * `text` as one flat string. A string built by concatenation is a tree of its pieces, and V8 walks
 * that tree again each time an answer holding it is written; a copy made through a Buffer is one
 * piece (docs/performance.md#the-warm-path). For text with no lone surrogates, which UTF-8 would
 * replace: the exporter's own, and what was decoded from UTF-8 (a pushed body).
 */
export const flatText = (text: string): string => Buffer.from(text).toString();
