// this and arguments in arrows inside methods, callbacks and constructors.
const obj = {
  name: "obj",
  later() { return [1, 2].map((n) => this.name + n).join(" "); },
  args() { return (() => Array.prototype.slice.call(arguments).join("+"))(); },
  nested() { return (() => (() => this.name)())(); },
};
console.log(obj.later());
console.log(obj.args(1, 2, 3));
console.log(obj.nested());
function Ctor() { this.v = 7; this.get = () => this.v; }
const c = new Ctor();
const get = c.get;
console.log(get());
console.log(typeof (() => this)());
const o2 = { f() { return () => arguments.length; } };
console.log(o2.f(1, 2)());
