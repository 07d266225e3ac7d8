test("from an array of pairs; later keys win", function () {
    eq(Object.fromEntries([["a", 1], ["b", 2], ["a", 3]]), { a: 3, b: 2 });
});
test("from a custom iterable when Symbol.iterator exists", function () {
    if (typeof Symbol != "function" || !Symbol.iterator) return;
    var it = {};
    it[Symbol.iterator] = function () {
        var i = 0;
        return { next: function () { return i++ ? { done: true } : { value: ["k", "v"], done: false }; } };
    };
    eq(Object.fromEntries(it), { k: "v" });
});
test("a key named __proto__ is an own property", function () {
    var o = Object.fromEntries([["__proto__", 1]]);
    ok(Object.prototype.hasOwnProperty.call(o, "__proto__"), "own");
    ok(Object.getPrototypeOf(o) === Object.prototype, "prototype kept");
});
test("non-entries and null throw a TypeError", function () {
    throws(function () {
        Object.fromEntries([1]);
    }, TypeError);
    throws(function () {
        Object.fromEntries(null);
    }, TypeError);
});
