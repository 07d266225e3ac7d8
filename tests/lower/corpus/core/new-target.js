// new.target in functions and classes, through super().
function F() { return new.target === F ? "new" : new.target === undefined ? "call" : "other"; }
console.log(new F() instanceof F, F());
function G() { this.t = new.target === G; }
console.log(new G().t);
class A { constructor() { this.n = new.target.name; } }
class B extends A {}
console.log(new A().n, new B().n);
function H() { if (!new.target) return new H(); this.ok = true; }
console.log(H().ok);
function K() { const f = () => new.target; this.same = f() === K; }
console.log(new K().same);
