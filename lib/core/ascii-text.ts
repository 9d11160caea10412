/**
 * True when every character of `text` is ASCII, so its UTF-8 length is its length: any other
 * character takes two UTF-8 bytes or more (a surrogate pair four, a lone surrogate three).
 */
export const isAscii = (text: string): boolean => Buffer.byteLength(text) === text.length;
