// Class getters/setters, static members, computed keys, methods non-enumerable.
const key = "dyn";
class Temp {
  constructor(c) { this._c = c; }
  get f() { return this._c * 9 / 5 + 32; }
  set f(v) { this._c = (v - 32) * 5 / 9; }
  static make() { return new this(100); }
  [key + "Method"]() { return "computed"; }
  static get kind() { return "static getter"; }
}
const t = Temp.make();
console.log(t.f);
t.f = 32;
console.log(t._c);
console.log(t.dynMethod());
console.log(Temp.kind);
console.log(Object.keys(t).join(","));
console.log(JSON.stringify(Object.getOwnPropertyNames(Temp.prototype)));
const d = Object.getOwnPropertyDescriptor(Temp.prototype, "f");
console.log(typeof d.get, typeof d.set, d.enumerable);
try { Temp(); } catch (e) { console.log(e instanceof TypeError ? "TypeError" : "other"); }
