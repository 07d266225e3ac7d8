// Shorthand, methods (their names), computed keys (evaluation and property
// order), computed accessors, and __proto__ among computed members.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var a = 1, b = "two";
var o = { a, b, c() { return this.a; }, "d-e"() { return 2; }, 3() { return 3; }, default() { return 4; } };
log(o);
log([o.c(), o["d-e"](), o[3](), o.default()]);
log(o.c.name); // `default` is a reserved word: no name in ES5 engines
function m() { return "outer"; }
var p = { m() { return m(); }, n() { return typeof n; } };
log([p.m(), p.n()]);
var order = [];
function k(x) { order.push("k" + x); return x; }
function v(x) { order.push("v" + x); return x; }
var q = { first: v(0), [k("b")]: v(1), mid: v(2), [k("a")]: v(3), 10: v(4), last: v(5) };
log(order);
log(Object.keys(q));
log(q);
var count = 0;
var acc = {
    get [k("x")]() { return "got" + count; },
    set [k("x")](val) { count = val; },
    plain: 1
};
acc.x = 7;
log([acc.x, Object.keys(acc)]);
var d = Object.getOwnPropertyDescriptor(acc, "x");
log([typeof d.get, typeof d.set, d.enumerable, d.configurable]);
var proto = { inherited: "yes" };
var r = { [k("own")]: 1, __proto__: proto, after: 2 };
log([r.inherited, Object.keys(r), Object.getPrototypeOf(r) === proto]);
var s = { ["__proto__"]: 5 };
log([Object.keys(s), Object.getPrototypeOf(s) === Object.prototype]);
var dup = { x: 1, [k("x")]: 2, x: 3 };
log(dup);
var nested = { [k("outer")]: { [k("inner")]: { method() { return "deep"; } } } };
log(nested.outer.inner.method());
var n = 0;
var many = {};
for (var i = 0; i < 3; i++) many = { ["k" + i]: i, prev: many };
log(many);
