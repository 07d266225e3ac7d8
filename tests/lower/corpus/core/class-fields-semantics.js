// Fields are defined (not assigned): setters on the prototype are not called; this in initialisers.
class Base { set x(v) { console.log("setter called"); } }
class D extends Base { x = 1; }
const d = new D();
console.log(Object.getOwnPropertyDescriptor(d, "x").value, d.hasOwnProperty("x"));
class T { a = this; b = () => this; static s = this; }
const t = new T();
console.log(t.a === t, t.b() === t, T.s === T);
let i = 0;
class K { [`k${++i}`] = i; }
console.log(JSON.stringify(new K()), JSON.stringify(new K()));
class U { x; }
console.log("x" in new U(), new U().x);
