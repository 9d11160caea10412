/**
 * `text` as one flat string. A string built by concatenation is a tree of its pieces, and V8 walks
 * that tree again each time an answer holding it is written; a copy made through a Buffer is one
 * piece (docs/performance.md#the-warm-path). Text UTF-8 cannot carry (a lone surrogate, which it
 * would replace) is given back as it is.
 */
export function flatText(text: string): string {
  const copy = Buffer.from(text).toString();
  return copy === text ? copy : text;
}
