test("copies own enumerable properties, later sources win", function () {
    var t = { a: 0 }, r = Object.assign(t, { a: 1, b: 2 }, null, undefined, { b: 3 });
    ok(r === t, "returns the target");
    eq(t, { a: 1, b: 3 });
});
test("skips inherited and non-enumerable properties", function () {
    var src = Object.create({ inherited: 1 });
    Object.defineProperty(src, "hidden", { value: 2, enumerable: false });
    src.own = 3;
    eq(Object.assign({}, src), { own: 3 });
});
test("reads getters and calls setters", function () {
    var log = [], src = {}, t = {};
    Object.defineProperty(src, "g", { enumerable: true, get: function () { log.push("get"); return 7; } });
    Object.defineProperty(t, "g", { set: function (v) { log.push("set " + v); } });
    Object.assign(t, src);
    eq(log, ["get", "set 7"]);
});
test("strings spread their characters; primitives targets are boxed", function () {
    eq(Object.assign({}, "ab"), { 0: "a", 1: "b" });
    eq(typeof Object.assign(1, {}), "object");
    throws(function () {
        Object.assign(null, {});
    }, TypeError);
});
test("copies enumerable symbol-keyed properties when there are symbols", function () {
    if (typeof Symbol != "function" || !Object.getOwnPropertySymbols) return;
    var s = Symbol("s"), src = {}, t;
    Object.defineProperty(src, s, { value: 1, enumerable: true });
    t = Object.assign({}, src);
    eq(t[s], 1);
});
