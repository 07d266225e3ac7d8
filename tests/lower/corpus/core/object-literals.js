// Shorthand, computed keys (evaluation order), methods, __proto__, accessors, duplicate keys.
// xfail: es5 a method lowered to a function expression stays constructible (as Babel's do): new m.f() does not throw
const log = [];
const k = (v) => { log.push(v); return v; };
const a = 1, b = 2;
const o = { a, b, [k("c")]: k(3), [k("d")]() { return "m"; }, get e() { return "e"; }, a: "last" };
console.log(JSON.stringify(o), o.d(), log.join(","));
const p = { __proto__: { inherited: true }, own: 1 };
console.log(p.inherited, Object.keys(p).join(","));
const q = { "__proto__": null };
console.log(Object.getPrototypeOf(q) === null);
const r = { ["__proto__"]: 5 };
console.log(Object.keys(r).join(","), Object.getPrototypeOf(r) === Object.prototype);
const m = { f() {}, g: function () {}, h: () => {}, ["i"]() {} };
console.log(m.f.name, m.g.name, m.h.name, m.i.name);
try { new m.f(); } catch (e) { console.log("method is not a constructor", e instanceof TypeError); }
