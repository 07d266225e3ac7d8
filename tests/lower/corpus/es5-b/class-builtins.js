// Extending built-ins and ES5 constructor functions.
class AppError extends Error {
  constructor(msg, code) { super(msg); this.name = "AppError"; this.code = code; }
  describe() { return this.name + "(" + this.code + "): " + this.message; }
}
const e = new AppError("bad thing", 42);
console.log(e instanceof AppError, e instanceof Error, e.message, e.name, e.code);
console.log(e.describe(), String(e), Object.prototype.toString.call(e));
class PlainError extends Error {}
const p = new PlainError("plain");
console.log(p instanceof PlainError, p.message, p.name);
try { throw new AppError("thrown", 1); } catch (x) { console.log("caught", x.code, x instanceof AppError); }
class List extends Array {
  last() { return this[this.length - 1]; }
}
const l = new List();
l.push(1, 2, 3);
console.log(l.length, l.last(), l instanceof List, Array.isArray(l));
l[5] = 6;
console.log(l.length);
l.length = 1;
console.log(l.length, l.join("-"));
function Legacy(x) { this.x = x; }
Legacy.prototype.getX = function () { return this.x; };
Legacy.stat = function () { return "legacy static"; };
class Modern extends Legacy {
  constructor(x) { super(x * 2); }
  getX() { return "modern " + super.getX(); }
}
console.log(new Modern(4).getX(), Modern.stat(), new Modern(1) instanceof Legacy);
