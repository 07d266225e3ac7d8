// this and arguments in arrows: inside prototype methods and class methods,
// nested arrows, arrows in callbacks, arguments of the enclosing function.
function Counter(n) { this.n = n; }
Counter.prototype.adders = function () {
  return [1, 2].map(k => () => this.n + k);
};
Counter.prototype.args = function () {
  const f = () => () => arguments.length + ":" + arguments[0];
  return f()();
};
var c = new Counter(10);
console.log(c.adders().map(f => f()).join(","), c.args("x", "y"));
class Box {
  constructor(v) { this.v = v; }
  later() { return (() => (() => this.v)())(); }
  sum() { return [1, 2, 3].reduce((a, b) => a + b * this.v, 0); }
}
console.log(new Box(2).later(), new Box(2).sum());
function outer() {
  var self = this;
  return () => this === self;
}
console.log(outer.call({})(), outer.call(c)());
const exprBody = (a, b) => a * b;
const objBody = () => ({ k: 1 });
console.log(exprBody(6, 7), objBody().k);
function withInner() {
  const a = () => this.tag;
  function plain() { return this === undefined ? "undef" : typeof this; }
  return a() + " " + plain.call(undefined);
}
console.log(withInner.call({ tag: "T" }));
