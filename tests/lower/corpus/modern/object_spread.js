// Object spread: own enumerable properties (strings, then symbols), getters
// read once, [[Define]] semantics, null and undefined ignored, left to right.
function show(o) {
    var keys = Object.getOwnPropertyNames(o).concat(Object.getOwnPropertySymbols(o)).map(function (k) {
        var d = Object.getOwnPropertyDescriptor(o, k);
        return String(k) + ("value" in d ? "=" + JSON.stringify(d.value) : "(accessor)") +
            (d.enumerable ? "" : "!e");
    });
    return keys.join(" ");
}
var log = [];
var sym = Symbol("s"), hidden = Symbol("hidden");
var src = { a: 1, get g() { log.push("get g"); return "G"; }, [sym]: "sym" };
Object.defineProperty(src, "ne", { value: "not enumerable", enumerable: false });
Object.defineProperty(src, hidden, { value: "no", enumerable: false });
var out = { first: 0, ...src, last: 2 };
console.log(show(out), log.join(","));
console.log(show({ ...null, ...undefined, ...1, ...true, ..."hi", ...[7, 8] }));
// Setters on Object.prototype are not called: properties are defined.
Object.defineProperty(Object.prototype, "trap", {
    set: function () { log.push("trap set"); }, configurable: true
});
var withTrap = { ...{ trap: 1 } };
console.log(show(withTrap), log.join(","));
delete Object.prototype.trap;
// Order: values between spreads are evaluated in place.
log = [];
function t(name, v) { log.push(name); return v; }
var ordered = { a: t("a", 1), ...t("s1", { b: 2, get c() { log.push("get c"); return 3; } }), d: t("d", 4), ...t("s2", { a: 5 }) };
console.log(show(ordered), log.join(","));
// Later properties overwrite spread ones and the other way round.
console.log(show({ x: 1, ...{ x: 2, y: 2 }, y: 3 }));
// Accessors written after a spread stay accessors.
var acc = { ...{ v: 1 }, get w() { return this.v + 1; }, set w(x) { this.v = x; } };
acc.w = 10;
console.log(show(acc), acc.w);
// __proto__ keeps its meaning before and after a spread.
var proto = { inherited: "yes" };
var p1 = { __proto__: proto, ...{ own: 1 } };
var p2 = { ...{ own: 1 }, __proto__: proto };
var p3 = { ...{ own: 1 }, ["__proto__"]: proto };
console.log(p1.inherited, p2.inherited, Object.getPrototypeOf(p2) === proto, show(p3));
// Spread of a spread result and of a class instance.
class C { constructor() { this.f = 1; } m() {} }
console.log(show({ ...new C() }), show({ ...{ ...{ deep: 1 } } }));
// Methods and shorthand beside spreads.
var short = 5;
var m = { short, ...{ q: 1 }, method() { return this.q + this.short; } };
console.log(m.method());
