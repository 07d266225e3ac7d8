// Symbol.iterator protocol, Symbol.toStringTag/asyncIterator presence, Array.from of a Set.
class Range {
  constructor(n) { this.n = n; }
  *[Symbol.iterator]() { for (let i = 0; i < this.n; i++) yield i; }
  get [Symbol.toStringTag]() { return "Range"; }
}
console.log([...new Range(3)].join(","), Object.prototype.toString.call(new Range(1)));
console.log(typeof Symbol.asyncIterator, typeof Symbol.iterator);
console.log(Array.from(new Set("hello")).join(""));
const s1 = Symbol("d"), s2 = Symbol.for("shared");
console.log(s1.toString(), s2 === Symbol.for("shared"), Symbol.keyFor(s2));
const o = { [s1]: 1, x: 2 };
console.log(Object.keys(o).length, JSON.stringify(o));
