// Constructors: this before super() throws, returning an object, accessors
// in pairs, computed keys evaluated once in order, class names inside and
// outside, class expressions, static and instance members of one name.
var order = [];
function key(k) { order.push(k); return k; }
class K {
  [key("m1")]() { return 1; }
  static [key("s1")]() { return 2; }
  [key("m2")]() { return 3; }
  get [key("g")]() { return this._g || 0; }
  set [key("g")](v) { this._g = v; }
  get plain() { return "p"; }
  set plain(v) { this.p = v; }
  static plain() { return "static plain"; }
}
console.log(order.join(","));
var k = new K();
k.g = 4;
k.plain = "set";
console.log(k.m1(), K.s1(), k.m2(), k.g, k.plain, k.p, K.plain());
class Base { constructor() { this.base = true; } }
class Early extends Base {
  constructor() { try { this.x = 1; } catch (e) { console.log("early", e instanceof ReferenceError); } super(); }
}
console.log(new Early().base);
class Never extends Base { constructor() { } }
try { new Never(); } catch (e) { console.log("never", e instanceof ReferenceError); }
class Returns extends Base { constructor() { super(); return { other: 1 }; } }
console.log(new Returns().other, new Returns() instanceof Returns);
class ReturnsPrim extends Base { constructor() { super(); return 5; } }
try { new ReturnsPrim(); } catch (e) { console.log("prim", e instanceof TypeError); }
let Outer = class Inner {
  self() { return Inner; }
  static name2() { return typeof Inner; }
};
const Saved = Outer;
Outer = null;
console.log(new Saved().self() === Saved, Saved.name2());
const anon = class { hi() { return "hi"; } };
console.log(new anon().hi(), typeof anon);
class Decl { static me() { return Decl; } }
const D2 = Decl;
console.log(D2.me() === D2);
class Shadow { m() { const Shadow = "local"; return Shadow + " " + super.toString.name; } }
console.log(new Shadow().m());
class Fixed { static rename() { try { Fixed = null; } catch (e) { return e instanceof TypeError; } return "assigned"; } }
console.log(Fixed.rename(), typeof Fixed);
