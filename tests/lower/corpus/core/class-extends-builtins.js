// extends Error and Array: instanceof, message, name, length of arrays.
class MyError extends Error {
  constructor(m) { super(m); this.name = "MyError"; }
}
try { throw new MyError("boom"); } catch (e) {
  console.log(e instanceof MyError, e instanceof Error, e.message, e.name, String(e));
}
class Stack extends Array {
  top() { return this[this.length - 1]; }
}
const s = new Stack();
s.push(1, 2, 3);
console.log(s.length, s.top(), Array.isArray(s), s instanceof Stack);
