// extends with super calls and super property access, static inheritance.
class A {
  constructor(x) { this.x = x; }
  who() { return "A" + this.x; }
  static s() { return "static A"; }
}
class B extends A {
  constructor(x) { super(x * 2); this.y = "b"; }
  who() { return "B>" + super.who(); }
  static s() { return "B>" + super.s(); }
}
const b = new B(2);
console.log(b.who(), b.y, b instanceof A, b instanceof B);
console.log(B.s());
console.log(Object.getPrototypeOf(B) === A);
class C extends B {}
console.log(new C(5).who());
class N extends null { constructor() { return Object.create(N.prototype); } }
console.log(Object.getPrototypeOf(N.prototype) === null);
const Mixed = (S) => class extends S { who() { return "M>" + super.who(); } };
console.log(new (Mixed(A))(1).who());
