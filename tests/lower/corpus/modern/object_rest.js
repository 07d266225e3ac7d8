// Object rest in every position: excluded keys, computed keys converted
// once, nested patterns, defaults, and the source evaluated once.
function show(o) {
    return Object.getOwnPropertyNames(o).concat(Object.getOwnPropertySymbols(o)).map(function (k) { return String(k) + "=" + String(o[k]); }).join(" ");
}
var log = [];
function t(name, v) { log.push(name); return v; }
var sym = Symbol("named"), other = Symbol("other");
var src = { a: 1, b: 2, c: 3, 1: "one", [sym]: "s", [other]: "o" };

const { a, ...r1 } = t("src", src);
console.log(a, show(r1), log.join(","));
log = [];
let { [t("key", "b")]: bb, 1: one, [sym]: s, ...r2 } = src;
console.log(bb, one, s, show(r2), log.join(","));
var { ...all } = src;
console.log(show(all));
// Computed keys converted to property keys once.
var conversions = 0;
var keyObj = { toString: function () { conversions++; return "c"; } };
var { [keyObj]: cc, ...r3 } = src;
console.log(cc, show(r3), conversions);
// Nested, with defaults; a getter reading order.
var deep = { x: { y: 1, z: 2, w: 3 }, v: 4 };
var { x: { y, ...xr } = {}, ...vr } = deep;
console.log(y, show(xr), show(vr));
var { missing: { ...mr } = { dflt: 1 } } = deep;
console.log(show(mr));
var [first, { q, ...qr }, ...tail] = [0, { q: 1, w: 2 }, 3, 4];
console.log(first, q, show(qr), tail);
// null and undefined throw.
try {
    var { ...nothing } = null;
} catch (e) {
    console.log("null:", e instanceof TypeError);
}
try {
    (function ({ a, ...r }) {})();
} catch (e) {
    console.log("undefined param:", e instanceof TypeError);
}
// Parameters: length, defaults, later parameters seeing earlier ones.
function f1({ a, ...rest }, b) { return [a, show(rest), b]; }
function f2(x, { a, ...rest } = { a: "default", z: 1 }, c = rest) { return [x, a, show(rest), show(c)]; }
var f3 = ({ a, ...rest }) => show(rest);
console.log(f1.length, f2.length, f3.length, f1({ a: 1, b: 2 }, 3), f2(0), f2(0, { a: 1, k: 2 }, { given: 1 }), f3({ a: 1, z: 2 }));
function f4(...[{ a, ...rest }]) { return show(rest); }
console.log(f4({ a: 1, b: 2 }));
// Catch parameter.
try {
    throw { message: "m", code: 7, extra: true };
} catch ({ message, ...details }) {
    console.log(message, show(details));
}
// for-of and for-in heads, with declarations and with assignment targets.
var items = [{ id: 1, p: "a" }, { id: 2, p: "b", q: "c" }];
var closures = [];
for (const { id, ...props } of items) {
    closures.push(function () { return id + ":" + show(props); });
}
console.log(closures.map(function (fn) { return fn(); }));
var target = {};
for ({ id: target.id, ...target.rest } of items) console.log(target.id, show(target.rest));
for (var { length, ...chars } in { ab: 1 }) console.log(length, show(chars));
// Assignment expressions: the value is the right side.
var ra, rr, holder = {};
var value = ({ a: ra, ...rr } = src);
console.log(value === src, ra, show(rr));
({ a: holder.a, ...holder.rest } = { a: 9, b: 8 });
console.log(holder.a, show(holder.rest));
[{ ...holder.arr }] = [{ m: 1 }];
console.log(show(holder.arr));
// The rest copies getters' values, once.
var reads = 0;
var { ...got } = { get g() { reads++; return "v"; } };
console.log(got.g, got.g, reads, Object.getOwnPropertyDescriptor(got, "g").value);
// Async function and generator parameters.
async function af({ a, ...r }) { return show(r); }
function* gf({ a, ...r }) { yield show(r); }
af({ a: 1, b: 2 }).then(function (v) { console.log("async", v); });
console.log("gen", gf({ a: 1, c: 3 }).next().value);
