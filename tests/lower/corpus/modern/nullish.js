// Nullish coalescing: only null and undefined take the right side, which
// is evaluated only then; the left side is evaluated once.
var values = [0, "", false, NaN, null, undefined, "x", {}];
console.log(values.map(function (v) { return v ?? "default"; }));
var count = 0;
function left(v) { count++; return v; }
function right() { count += 100; return "r"; }
console.log(left(0) ?? right(), left(null) ?? right(), count);
var o = { a: { b: null } };
console.log(o.a.b ?? "b", o.a.c ?? o.a.b ?? "deep", (o.a.b ?? 1) + 1);
console.log((null ?? 0) || "or", (0 || null) ?? "q", (1 && undefined) ?? "and");
var getter = { get g() { count++; return undefined; } };
console.log(getter.g ?? "via getter", count);
function f(x = null ?? "param default") { return x; }
console.log(f(), f(1));
console.log(typeof (undefined ?? function named() {}));
