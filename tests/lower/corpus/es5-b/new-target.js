// new.target in functions (called with and without new), in arrows inside
// them, in class constructors through super(), and in methods.
function F() { return new.target === F ? "new" : new.target === undefined ? "call" : "other"; }
console.log(new F() instanceof F, F());
function G() { const arrow = () => new.target; this.same = arrow() === G; }
console.log(new G().same);
var Anon = function () { this.t = new.target === Anon; };
console.log(new Anon().t);
function Maker() { if (!new.target) return new Maker(); this.made = true; }
console.log(Maker().made);
class P { constructor() { this.target = new.target.name; } method() { return typeof new.target; } }
class Q extends P { constructor() { super(); this.q = new.target === Q; } }
console.log(new P().target, new Q().target, new Q().q, new P().method());
