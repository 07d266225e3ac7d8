// Optional chaining: short-circuits the whole chain, keeps `this` for calls,
// evaluates each part once.
var log = [];
function t(name, v) { log.push(name); return v; }
var obj = {
    n: 1,
    get g() { log.push("get g"); return this; },
    m: function () { return this === obj ? "this ok" : "this lost"; },
    deep: { f: function (x) { return [this === obj.deep, x]; } },
    nil: null
};
console.log(obj?.n, obj.nil?.x, obj.nil?.x.y.z, obj?.m(), obj.m?.(), obj.missing?.());
console.log(obj.deep?.f(1), obj?.deep.f?.(2), obj.deep.f?.(3), (obj?.deep).f(4));
console.log(obj.nil?.[t("key", "k")], obj.nil?.(t("arg", 1)), log.join(","));
log = [];
console.log(t("base", obj)?.[t("key", "g")]?.[t("key2", "n")], log.join(","));
log = [];
console.log(t("base", null)?.a.b.c(t("arg", 0)), log.join(","));
// (a?.b) ends the chain: a nullish result then throws on .c
try {
    (obj.nil?.x).c;
} catch (e) {
    console.log("paren ends chain", e instanceof TypeError);
}
// Parenthesised chain as a callee keeps its this.
console.log((obj?.m)(), (obj.deep?.f)(5));
// delete
var d = { p: { q: 1 } };
console.log(delete d?.p.q, d.p, delete d.nil?.q, delete d?.p, d);
// Nested chains and chains in arguments.
var arr = [null, { v: [1, 2] }];
console.log(arr[0]?.v?.[0], arr[1]?.v?.[arr[0]?.x ?? 1], arr.map(function (e) { return e?.v?.length; }));
// Calls on chains keep this through several links.
var counter = {
    c: 0,
    inc: function () { this.c++; return this; }
};
counter.inc?.().inc?.().inc();
console.log(counter.c);
// Optional call on super.method
class A {
    hello(x) { return "A " + x + " " + (this instanceof B); }
}
class B extends A {
    hi() { return [super.hello?.(1), super.nope?.(2)]; }
}
console.log(new B().hi());
// Evaluated once.
var n = 0;
var side = { get x() { n++; return { y: function () { return this.z; }, z: 7 }; } };
console.log(side?.x?.y(), side.x?.y?.(), n);
// In a function with `arguments` as the base.
function args() { return arguments?.[0]?.length; }
console.log(args("abc"), args(), args(null));
// Optional chain in an arrow's expression body (temporaries get a block).
var pick = (o) => o?.a?.b;
console.log(pick({ a: { b: 2 } }), pick(null));
// Temporaries in a parameter's default (class code is strict).
var holder = { x: { c: "from default" } };
class P {
    m(a = holder.x?.c, b = holder.y?.c ?? "nullish default") { return [a, b]; }
}
console.log(new P().m(), new P().m(1, 2));
