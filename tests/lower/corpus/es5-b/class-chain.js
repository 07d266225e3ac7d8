// Three-deep inheritance: super calls and reads in methods, static methods
// and accessors, super in arrows in methods, super assignment, inherited
// statics, instanceof, default constructors passing every argument.
class A {
  constructor(a, b) { this.a = a; this.b = b; }
  who() { return "A"; }
  get kind() { return "kind-A"; }
  static make(x) { return new this(x, "made"); }
  static tag() { return "tagA"; }
}
class B extends A {
  who() { return "B<" + super.who() + ">"; }
  get kind() { return super.kind + "/B"; }
  static tag() { return super.tag() + "/tagB"; }
}
class C extends B {
  constructor(a, b) { super(a, b); this.c = true; }
  who() { const f = () => super.who(); return "C<" + f() + ">"; }
  get kind() { return (() => super.kind)() + "/C"; }
  static tag() { return [1].map(() => super.tag())[0] + "/tagC"; }
  setX(v) { super.x = v; return this.x; }
}
const c = new C(1, 2);
console.log(c.who(), c.kind, c.a, c.b, c.c);
console.log(C.tag(), C.make(7).who(), C.make(7).b, B.make(1) instanceof B);
console.log(c instanceof A, c instanceof B, c instanceof C, new B() instanceof C);
console.log(c.setX(5), Object.keys(c).join(","));
console.log(Object.keys(C.prototype).length, typeof C.prototype.who);
console.log(Object.getPrototypeOf(C) === B, Object.getPrototypeOf(C.prototype) === B.prototype);
[A, B, C].forEach(function (Cls) {
  try { Cls(); console.log("called"); } catch (e) { console.log(Cls.name, e instanceof TypeError); }
});
