test("array-likes, holes and lengths", function () {
    eq(Array.from({ length: 3, 0: "a", 2: "c" }), ["a", undefined, "c"]);
    eq(Array.from({}), []);
    eq(Array.from([1, , 3]), [1, undefined, 3]);
});
test("a map function with index and this", function () {
    var self = { k: 10 };
    eq(Array.from([1, 2], function (v, i) { return v * this.k + i; }, self), [10, 21]);
    throws(function () {
        Array.from([], 5);
    }, TypeError);
});
test("strings by code point", function () {
    eq(Array.from("a\ud83d\ude00"), ["a", "\ud83d\ude00"]);
    eq(Array.from(""), []);
});
test("iterables when Symbol.iterator exists", function () {
    if (typeof Symbol != "function" || !Symbol.iterator) return;
    var it = {};
    it[Symbol.iterator] = function () {
        var i = 0;
        return { next: function () { return i < 3 ? { value: i++, done: false } : { done: true }; } };
    };
    eq(Array.from(it, function (v) { return v * 2; }), [0, 2, 4]);
});
test("an error in the map function closes the iterator", function () {
    if (typeof Symbol != "function" || !Symbol.iterator) return;
    var closed = false, it = {};
    it[Symbol.iterator] = function () {
        return {
            next: function () { return { value: 1, done: false }; },
            "return": function () { closed = true; return {}; }
        };
    };
    throws(function () {
        Array.from(it, function () { throw new Error("stop"); });
    });
    ok(closed, "return() called");
});
test("null and undefined throw", function () {
    throws(function () {
        Array.from(null);
    }, TypeError);
});
