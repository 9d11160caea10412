/**
 * Label sets are built on this: as fast as a plain object (V8 keeps class instances out of the
 * dictionary mode `Object.create(null)` puts an object in), yet with nothing in the prototype
 * chain, so a pushed label named `constructor`, `toString` or `__proto__` is an ordinary own
 * property, and no `in` or lookup can find anything but labels.
 */
class LabelSet {
  [name: string]: string;
}
// No `constructor` and no Object.prototype behind an instance; frozen, so nothing is added there later.
delete (LabelSet.prototype as { constructor?: unknown }).constructor;
Object.setPrototypeOf(LabelSet.prototype, null);
Object.freeze(LabelSet.prototype);

/** A new, empty label set. */
export function newLabelSet(): Record<string, string> {
  return new LabelSet();
}
