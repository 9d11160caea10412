/** A stack trace's frame line, as Node prints one: never in an answer or a log line. */
export const STACK_FRAME = /\n\s+at\s|\bat\s+\S+\s+\(.*:\d+:\d+\)/;
